import { describe, expect, it } from 'vitest';
import { findCatchAllWording } from './catch-all-wording.ts';

const markers = (text: string) => findCatchAllWording(text).map((h) => h.marker);

describe('R-CAT-6: catch-all wording in materials', () => {
  it.each([
    ['其他材料', ['其他']],
    ['其它需要提供的资料', ['其他']],
    ['有关部门出具的证明', ['有关']],
    ['与申请事项有关的文件', ['有关']],
    ['相关证明材料', ['相关']],
    ['与经营项目相关的许可证件', ['相关']],
    ['身份证、户口簿等', ['等']],
    ['身份证、护照等有效身份证件', ['等']],
    ['营业执照、章程等等', ['等']],
    ['申请书及相关', ['相关']],
    ['其他有关材料', ['其他', '有关']],
  ])('flags %s', (text, expected) => {
    expect(markers(text)).toEqual(expected);
  });

  it.each([
    '高等学校毕业证书',
    '职业技能等级证书',
    '三级甲等医院出具的诊断证明',
    '二等功以上奖励证书',
    '同等学力证明',
    '平等协商形成的协议',
    '法人或者其他组织的登记证书',
    '《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》',
    '符合“其他组织”定义的说明',
    '北京市相关产业促进中心出具的意见书',
    '相关性分析报告',
    '身份证、户口簿等2项证件',
    '出资人、股东等三类人员名单',
  ])('does not flag %s', (text) => {
    expect(findCatchAllWording(text)).toEqual([]);
  });

  it('R-CAT-6: still flags catch-all wording outside a quoted title in the same text', () => {
    const hits = findCatchAllWording('依据《关于有关问题的通知》提交的其他材料');
    expect(hits.map((h) => h.marker)).toEqual(['其他']);
    expect(hits[0]?.excerpt).toContain('其他材料');
  });

  it('reports the offset in the original text', () => {
    const [hit] = findCatchAllWording('申请书、其他材料');
    expect(hit?.index).toBe(4);
  });
});
