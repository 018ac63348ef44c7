import { describe, expect, it } from 'vitest';
import { sampleGuide } from '../../test/support/sample-guide.ts';
import { consistencyReport, type Implementation } from './consistency.ts';
import type { GuideContent } from './guide/content.ts';

const implementation = (code: string, content: GuideContent): Implementation => ({ implementationCode: code, version: 1, content: { ...content, implementationCode: code } });

/** The same item run by another body at township level: only non-basic elements differ. */
function townshipOf(g: GuideContent): GuideContent {
  return {
    ...g,
    level: 'township',
    region: { code: '110101001000', name: '东华门街道' },
    implementingBody: { name: '北京市东城区东华门街道办事处', nature: 'entrusted' },
    locations: [{ name: '东华门街道政务服务中心', address: '北京市东城区某胡同1号' }],
    hours: '工作日 8:30-17:00',
    consultation: [{ channel: 'phone', value: '010-11111111' }],
    materials: [...(g.materials ?? [])].reverse().map((m) => ({ ...m, sample: `township/${m.id}.pdf` })),
  };
}

describe('R-CAT-4: cross-level consistency', () => {
  it('R-CAT-4: implementations differing only in local elements (body, place, hours, sample files, material order) are consistent', () => {
    const report = consistencyReport('000114027000', [implementation('A', sampleGuide()), implementation('B', townshipOf(sampleGuide()))]);
    expect(report.divergences).toEqual([]);
    expect(report.consistent).toBe(true);
    expect(report.implementations.map((i) => i.level)).toEqual(['district', 'township']);
  });

  it('R-CAT-4: reports every differing basic element by field, with each implementation’s value', () => {
    const base = sampleGuide();
    const other: GuideContent = {
      ...townshipOf(base),
      promisedTimeLimit: { workingDays: 5 },
      acceptanceConditions: [...(base.acceptanceConditions ?? []), '经营者无不良信用记录'],
      materials: (base.materials ?? []).map((m) => (m.id === 'floor-plan' ? { ...m, copies: 2 } : m)),
      process: (base.process ?? []).map((s) => (s.id === 'review' ? { ...s, reviewStandard: '现场核查合格' } : s)),
      fee: { charged: true, standard: '每件10元', basis: [{ instrument: '《某收费文件》' }] },
    };
    const report = consistencyReport('000114027000', [implementation('A', base), implementation('B', other)]);
    expect(report.consistent).toBe(false);
    expect(report.divergences.map((d) => d.field)).toEqual([
      'acceptanceConditions',
      'process[审查].reviewStandard',
      'materials[经营场所平面布局图].copies',
      'promisedTimeLimit.workingDays',
      'fee.basis',
    ]);
    const promised = report.divergences.find((d) => d.field === 'promisedTimeLimit.workingDays');
    expect(promised).toEqual({
      field: 'promisedTimeLimit.workingDays',
      element: { zh: '承诺办结时限', en: 'promised time limit' },
      values: [
        { implementationCode: 'A', value: 10 },
        { implementationCode: 'B', value: 5 },
      ],
    });
  });

  it('R-CAT-4: the licence’s term and renewal lead time and the collective decision are the law’s, not the level’s; e-licence roll-out may differ', () => {
    const base = sampleGuide();
    const licence = base.result!.licence!;
    const other: GuideContent = {
      ...townshipOf(base),
      result: { ...base.result, licence: { ...licence, electronic: { available: false, paperAbolished: false }, validity: { ...licence.validity, months: 36 }, renewal: { leadTime: { days: 20, unit: 'working-days' } } } },
      collectiveDecision: { required: true, basis: [{ instrument: '《某条例》' }] },
    };
    const report = consistencyReport('000114027000', [implementation('A', base), implementation('B', other)]);
    expect(report.divergences.map((d) => d.field)).toEqual(['result.licence.validity', 'result.licence.renewal.leadTime', 'collectiveDecision.required']);
    const rolledOut = { ...townshipOf(base), result: { ...base.result, licence: { ...licence, electronic: { available: false, paperAbolished: false } } } };
    expect(consistencyReport('000114027000', [implementation('A', base), implementation('B', rolledOut)]).divergences).toEqual([]);
  });

  it('R-CAT-4: a material only one side demands is one divergence of the list, not one per field', () => {
    const base = sampleGuide();
    const extra = { ...base, materials: [...(base.materials ?? []), { ...(base.materials?.[1] ?? { id: 'x' }), id: 'extra', name: '卫生管理制度' }] };
    const report = consistencyReport('B', [implementation('A', base), implementation('B', extra)]);
    expect(report.divergences.map((d) => d.field)).toEqual(['materials']);
    expect(report.divergences[0]?.values.map((v) => (v.value as string[]).includes('卫生管理制度'))).toEqual([false, true]);
  });

  it('R-CAT-4: compares three levels at once and names the odd one out', () => {
    const base = sampleGuide();
    const report = consistencyReport('X', [
      implementation('CITY', { ...base, level: 'city' }),
      implementation('DISTRICT', base),
      implementation('TOWN', { ...townshipOf(base), itemName: '公共场所卫生许可' }),
    ]);
    expect(report.divergences).toEqual([
      {
        field: 'itemName',
        element: { zh: '事项名称', en: 'item name' },
        values: [
          { implementationCode: 'CITY', value: '公共场所卫生许可（新办）' },
          { implementationCode: 'DISTRICT', value: '公共场所卫生许可（新办）' },
          { implementationCode: 'TOWN', value: '公共场所卫生许可' },
        ],
      },
    ]);
  });
});
