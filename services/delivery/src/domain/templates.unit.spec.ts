import { describe, expect, it } from 'vitest';
import { renderNotice, UnsafeMessageError } from './templates.ts';

const ctx = { caseNumber: '京110105-20250310-000123', itemName: '食品经营许可', name: '张三' };

describe('message templates (R-NOTIFY-1)', () => {
  it('R-NOTIFY-1: each stage names the case number, the item, the outcome and the next step, in Chinese', () => {
    const accepted = renderNotice({ stage: 'accepted', decisionDue: '2025-04-01', tolerated: null }, ctx, 'sms');
    expect(accepted.text).toContain('办件编号京110105-20250310-000123');
    expect(accepted.text).toContain('“食品经营许可”');
    expect(accepted.text).toContain('已予受理');
    expect(accepted.text).toContain('2025年4月1日前');
    const refused = renderNotice({ stage: 'decided', outcome: 'refuse', reasons: ['经营场所不符合要求'], contactPhone: '12345' }, ctx, 'email');
    expect(refused.subject).toBe('【北京政务服务】办件京110105-20250310-000123不予许可');
    expect(refused.text).toMatch(/理由：经营场所不符合要求。[\s\S]*致电12345/);
    const pickup = renderNotice({ stage: 'licence-issued', resultName: '食品经营许可证', validUntil: null, method: 'window-pickup', serviceCentre: '朝阳区政务服务中心', pickupCode: '12345678', deliverBy: '2025-04-03' }, ctx, 'sms');
    expect(pickup.text).toContain('取件码12345678');
    expect(pickup.text).toContain('2025年4月3日前');
    const supplement = renderNotice({ stage: 'supplement-requested', items: [{ name: '经营场所平面图', detail: '未提交' }], deadline: '2025-03-17' }, ctx, 'phone');
    expect(supplement.text).toContain('经营场所平面图（未提交）');
  });

  it('R-NOTIFY-1: never sends a full ID number', () => {
    expect(() => renderNotice({ stage: 'not-accepted', reasons: ['身份证号11010519491231002X与登记信息不符'] }, ctx, 'sms')).toThrow(UnsafeMessageError);
    expect(() => renderNotice({ stage: 'not-accepted', reasons: ['统一社会信用代码91110108MA01ABCD2X有误'] }, ctx, 'email')).toThrow(UnsafeMessageError);
    expect(renderNotice({ stage: 'not-accepted', reasons: ['身份证号110105********002X与登记信息不符'] }, ctx, 'sms').text).toContain('110105********002X');
  });
});
