import { describe, expect, it } from 'vitest';
import { sampleContext, sampleGuide } from '../../../test/support/sample-guide.ts';
import type { GuideContent, Material } from '../guide/content.ts';
import { GUIDE_ELEMENTS, MATERIAL_FIELDS } from './elements.ts';
import type { Finding } from './finding.ts';
import { lintGuide } from './lint-guide.ts';

const lint = (guide: GuideContent) => lintGuide(guide, sampleContext());
const summary = (findings: readonly Finding[]) => findings.map((f) => `${f.severity} ${f.rule} ${f.path}`);

/** The sample guide with material `id` changed. */
function withMaterial(id: string, change: (m: Material) => Material): GuideContent {
  const guide = sampleGuide();
  return { ...guide, materials: guide.materials?.map((m) => (m.id === id ? change(m) : m)) };
}
const index = (id: string) => sampleGuide().materials?.findIndex((m) => m.id === id) ?? -1;

describe('lintGuide', () => {
  it('finds nothing in a complete, lawful guide (the baseline every other case breaks once)', () => {
    expect(lint(sampleGuide())).toEqual([]);
  });

  describe('R-CAT-3: every element of Art. 6', () => {
    it.each(GUIDE_ELEMENTS.map((e) => [e.path, e.zh] as const))('R-CAT-3: a guide without %s (%s) cannot be published', (path) => {
      const guide = structuredClone(sampleGuide()) as Record<string, unknown>;
      const [top, sub] = path.slice(1).split('/') as [string, string | undefined];
      if (sub === undefined) delete guide[top];
      else delete (guide[top] as Record<string, unknown>)[sub];
      if (top === 'fee') guide.fee = { charged: true };
      const findings = lint(guide as GuideContent);
      expect(summary(findings)).toContain(`error R-CAT-3 ${path}`);
    });

    it('R-CAT-3: blank text and empty lists count as missing', () => {
      const guide = { ...sampleGuide(), itemName: '  ', acceptanceConditions: [''], consultation: [] };
      expect(summary(lint(guide))).toEqual(['error R-CAT-3 /itemName', 'error R-CAT-3 /acceptanceConditions', 'error R-CAT-3 /consultation']);
    });

    it('R-CAT-3: a free item needs no fee basis, a charged one does', () => {
      expect(lint({ ...sampleGuide(), fee: { charged: false } })).toEqual([]);
      expect(summary(lint({ ...sampleGuide(), fee: { charged: true, standard: '每件80元' } }))).toEqual(['error R-CAT-3 /fee/basis']);
    });

    it('R-CAT-3: an offered appointment or delivery names its channels', () => {
      const guide = { ...sampleGuide(), appointment: { available: true, channels: [] }, expressDelivery: { available: true, directions: [] } };
      expect(summary(lint(guide))).toEqual(['error R-CAT-3 /appointment/channels', 'error R-CAT-3 /expressDelivery/directions']);
      const none = { ...sampleGuide(), appointment: { available: false, channels: [] }, expressDelivery: { available: false, directions: [] } };
      expect(lint(none)).toEqual([]);
    });

    it('R-CAT-3: the promised limit may not exceed the statutory one', () => {
      const guide = { ...sampleGuide(), promisedTimeLimit: { workingDays: 21 } };
      expect(summary(lint(guide))).toEqual(['error R-CAT-3 /promisedTimeLimit/workingDays']);
      expect(lint({ ...sampleGuide(), promisedTimeLimit: { workingDays: 20 }, statutoryTimeLimit: { workingDays: 20 } })).toEqual([]);
    });

    it('R-CAT-3: limits count from one working day (即办 items publish 1)', () => {
      const guide = sampleGuide();
      const onTheSpot = { ...guide, statutoryTimeLimit: { workingDays: 0 }, promisedTimeLimit: { workingDays: 0 }, process: guide.process?.map((s) => ({ ...s, timeLimit: { workingDays: 0 } })) };
      expect(summary(lint(onTheSpot))).toEqual(['error R-CAT-3 /statutoryTimeLimit/workingDays', 'error R-CAT-3 /promisedTimeLimit/workingDays']);
      const one = { ...onTheSpot, statutoryTimeLimit: { workingDays: 1 }, promisedTimeLimit: { workingDays: 1 } };
      expect(lint(one)).toEqual([]);
    });

    it('R-CAT-4: the level is stated so implementations can be compared', () => {
      const { level: _level, ...guide } = sampleGuide();
      expect(summary(lint(guide))).toEqual(['error R-CAT-4 /level']);
    });
  });

  describe('R-CAT-3: the item code agrees with the rest of the guide', () => {
    it('R-CAT-3: basic code, item type, region, body and handling item each checked against the implementation code', () => {
      const guide = {
        ...sampleGuide(),
        basicCode: '011400279999',
        itemType: '07' as const,
        region: { code: '110102000000', name: '西城区' },
        implementingBody: { name: '北京市东城区卫生健康委员会', uscc: '91110105MA01ABCD2X' },
        handlingItem: '变更',
      };
      expect(summary(lint(guide))).toEqual([
        'error R-CAT-3 /basicCode',
        'error R-CAT-3 /itemType',
        'error R-CAT-3 /region/code',
        'error R-CAT-3 /implementingBody/uscc',
        'error R-CAT-3 /handlingItem',
      ]);
    });
    it('R-CAT-3: an invalid basic code says why', () => {
      const findings = lint({ ...sampleGuide(), basicCode: '99AB' });
      expect(summary(findings)).toEqual(['error R-CAT-3 /basicCode', 'error R-CAT-3 /basicCode']);
    });
    it('R-CAT-4: the stated level must be the level of the code’s region', () => {
      expect(summary(lint({ ...sampleGuide(), level: 'township' }))).toEqual(['error R-CAT-4 /level']);
    });
    it('R-CAT-3: the body code may be written with hyphens or in lower case', () => {
      const guide = sampleGuide();
      expect(lint({ ...guide, implementingBody: { name: '北京市东城区卫生健康委员会', uscc: '11110101-mb5375952y' } })).toEqual([]);
    });
  });

  describe('容缺受理 rules point at materials of this guide', () => {
    it('R-CAT-3: a rule on a material that does not exist', () => {
      const guide = sampleGuide();
      const rule = { materialId: 'no-such-material', condition: '尚未出具', supplementWithinWorkingDays: 5, commitment: '按期补交' };
      const findings = lint({ ...guide, toleratedDeficiency: { allowed: true, rules: [rule] } });
      expect(summary(findings)).toEqual(['error R-CAT-3 /toleratedDeficiency/rules/0/materialId']);
      expect(findings[0]?.message.zh).toContain('no-such-material');
    });

    it('R-CAT-3: tolerating a material that is fetched through sharing', () => {
      const rule = { materialId: 'business-licence', condition: '尚未出具', supplementWithinWorkingDays: 5, commitment: '按期补交' };
      const findings = lint({ ...sampleGuide(), toleratedDeficiency: { allowed: true, rules: [rule] } });
      expect(summary(findings)).toEqual(['error R-CAT-3 /toleratedDeficiency/rules/0/materialId']);
    });

    it('R-CAT-3: allowed without rules, rules while not allowed, incomplete and duplicate rules', () => {
      expect(summary(lint({ ...sampleGuide(), toleratedDeficiency: { allowed: true, rules: [] } }))).toEqual(['error R-CAT-3 /toleratedDeficiency/rules']);
      const rule = { materialId: 'floor-plan', condition: '正在绘制', supplementWithinWorkingDays: 5, commitment: '按期补交' };
      expect(summary(lint({ ...sampleGuide(), toleratedDeficiency: { allowed: false, rules: [rule] } }))).toEqual([
        'error R-CAT-3 /toleratedDeficiency/allowed',
      ]);
      const findings = lint({ ...sampleGuide(), toleratedDeficiency: { allowed: true, rules: [{ materialId: 'floor-plan' }, rule] } });
      expect(summary(findings)).toEqual([
        'error R-CAT-3 /toleratedDeficiency/rules/0/condition',
        'error R-CAT-3 /toleratedDeficiency/rules/0/supplementWithinWorkingDays',
        'error R-CAT-3 /toleratedDeficiency/rules/0/commitment',
        'error R-CAT-3 /toleratedDeficiency/rules/1/materialId',
      ]);
    });

    it('a guide that tolerates nothing says so and passes', () => {
      expect(lint({ ...sampleGuide(), toleratedDeficiency: { allowed: false, rules: [] } })).toEqual([]);
    });
  });

  describe('R-CAT-5: every material field of Art. 7', () => {
    it.each(MATERIAL_FIELDS.map((f) => [f.key] as const))('R-CAT-5: a material without %s', (key) => {
      const guide = withMaterial('floor-plan', (m) => {
        const copy = { ...m } as Record<string, unknown>;
        delete copy[key];
        return copy as Material;
      });
      const findings = lint(guide).filter((f) => f.rule === 'R-CAT-5');
      expect(summary(findings)).toEqual([`error R-CAT-5 /materials/${index('floor-plan')}/${key}`]);
    });

    it('R-CAT-5: a conditional material names its condition; an e-form names its id', () => {
      const guide = withMaterial('floor-plan', (m) => ({ ...m, necessity: 'conditional', eForm: { available: true } }));
      const i = index('floor-plan');
      expect(summary(lint(guide))).toEqual([`error R-CAT-5 /materials/${i}/condition`, `error R-CAT-5 /materials/${i}/eForm/formId`]);
      const fixed = withMaterial('floor-plan', (m) => ({ ...m, necessity: 'conditional', condition: '场所面积超过300平方米的', eForm: { available: true, formId: 'F-1' } }));
      expect(lint(fixed)).toEqual([]);
    });
  });

  describe('R-CAT-6: legal basis and no catch-all wording', () => {
    it('R-CAT-6: a material without legal basis', () => {
      const findings = lint(withMaterial('floor-plan', (m) => ({ ...m, legalBasis: [] })));
      expect(summary(findings)).toEqual([`error R-CAT-6 /materials/${index('floor-plan')}/legalBasis`]);
    });

    it('R-CAT-6: catch-all wording in a name, a condition, a standard or a format', () => {
      const guide = withMaterial('floor-plan', (m) => ({
        ...m,
        name: '其他材料',
        necessity: 'conditional',
        condition: '有关部门要求时',
        acceptanceStandard: '相关证明齐全',
        specification: 'A4、A3等',
      }));
      const i = index('floor-plan');
      expect(summary(lint(guide))).toEqual([
        `error R-CAT-6 /materials/${i}/name`,
        `error R-CAT-6 /materials/${i}/condition`,
        `error R-CAT-6 /materials/${i}/acceptanceStandard`,
        `error R-CAT-6 /materials/${i}/specification`,
      ]);
    });

    it('R-CAT-6: legitimate words and quoted titles pass', () => {
      const guide = withMaterial('floor-plan', (m) => ({
        ...m,
        name: '职业技能等级证书',
        acceptanceStandard: '按《关于进一步规范有关证明事项等工作的通知》核验，法人或者其他组织加盖公章',
      }));
      expect(lint(guide)).toEqual([]);
    });
  });

  describe('R-CAT-7: proofs in the retained-proofs catalog', () => {
    const proof = (proofCode?: string) =>
      withMaterial('floor-plan', (m) => ({ ...m, category: 'proof', ...(proofCode !== undefined ? { proofCode } : {}) }));
    const at = () => `/materials/${index('floor-plan')}/proofCode`;

    it('R-CAT-7: a proof in the catalog passes', () => {
      expect(lint(proof('BJZM-0001'))).toEqual([]);
    });
    it.each([
      ['without a code', undefined],
      ['not in the catalog', 'BJZM-9999'],
      ['abolished', 'BJZM-0100'],
      ['required but not yet filed', 'BJZM-0099'],
    ])('R-CAT-7: a proof %s is refused', (_label, code) => {
      expect(summary(lint(proof(code)))).toEqual([`error R-CAT-7 ${at()}`]);
    });
    it('R-CAT-7: a proof awaiting filing says when it is due', () => {
      expect(lint(proof('BJZM-0099'))[0]?.message.zh).toContain('2025-05-30');
    });
  });

  describe('R-CAT-8: forms have a blank form and a filled sample', () => {
    it('R-CAT-8: both missing', () => {
      const findings = lint(withMaterial('application-form', (m) => ({ ...m, blankForm: undefined, sample: '' })));
      const i = index('application-form');
      expect(summary(findings.filter((f) => f.rule === 'R-CAT-8'))).toEqual([`error R-CAT-8 /materials/${i}/blankForm`, `error R-CAT-8 /materials/${i}/sample`]);
    });
    it('R-CAT-8: a material that is not a form needs no blank form', () => {
      expect(lint(withMaterial('floor-plan', (m) => ({ ...m, blankForm: undefined })))).toEqual([]);
    });
  });

  describe('R-CAT-9: intermediary and statutory bodies are qualified', () => {
    it.each(['intermediary', 'statutory-body'] as const)('R-CAT-9: %s without category or qualification', (channel) => {
      const findings = lint(withMaterial('test-report', (m) => ({ ...m, source: { channel } })));
      expect(summary(findings)).toEqual([`error R-CAT-9 /materials/${index('test-report')}/source`]);
    });
    it('R-CAT-9: either the category or the qualification is enough', () => {
      expect(lint(withMaterial('test-report', (m) => ({ ...m, source: { channel: 'intermediary', issuerCategory: '检验检测机构' } })))).toEqual([]);
      expect(lint(withMaterial('test-report', (m) => ({ ...m, source: { channel: 'statutory-body', qualification: '具有司法鉴定许可证' } })))).toEqual([]);
    });
  });

  describe('R-CAT-10: shared data is fetched, not demanded', () => {
    const i = () => index('business-licence');
    it('R-CAT-10: a material marked obtainable but demanded from the applicant', () => {
      const findings = lint(withMaterial('business-licence', (m) => ({ ...m, provision: 'applicant-submits' })));
      expect(summary(findings)).toEqual([`error R-CAT-10 /materials/${i()}/provision`]);
    });
    it('R-CAT-10: a material in the shared-data directory demanded even though the guide forgot to say it is shared', () => {
      const findings = lint(
        withMaterial('business-licence', (m) => ({ ...m, name: '《营业执照》（副本）复印件', provision: 'applicant-submits', sharing: { obtainable: false } })),
      );
      expect(summary(findings)).toEqual([`error R-CAT-10 /materials/${i()}/provision`]);
      expect(findings[0]?.message.en).toContain('business-licence');
    });
    it('R-CAT-10: fetched without saying where from', () => {
      const findings = lint(withMaterial('business-licence', (m) => ({ ...m, sharing: { obtainable: false } })));
      expect(summary(findings)).toEqual([`error R-CAT-10 /materials/${i()}/sharing`]);
      const noVia = lint(withMaterial('business-licence', (m) => ({ ...m, sharing: { obtainable: true } })));
      expect(summary(noVia)).toEqual([`error R-CAT-10 /materials/${i()}/sharing/via`]);
    });
    it('R-CAT-10: a name that merely contains a shared record is not that record', () => {
      expect(lint(withMaterial('floor-plan', (m) => ({ ...m, name: '营业执照变更情况说明' })))).toEqual([]);
    });
  });

  describe('R-CAT-11: steps with limit, standard and result', () => {
    it('R-CAT-11: a step missing each of the three', () => {
      const guide = sampleGuide();
      const process = guide.process?.map((s) => (s.id === 'review' ? { id: 'review', name: '审查' } : s));
      expect(summary(lint({ ...guide, process }))).toEqual([
        'error R-CAT-11 /process/1/timeLimit',
        'error R-CAT-11 /process/1/reviewStandard',
        'error R-CAT-11 /process/1/result',
      ]);
    });
    it('R-CAT-11: a branch to an unknown step or to itself', () => {
      const guide = sampleGuide();
      const process = guide.process?.map((s) => (s.id === 'review' ? { ...s, next: [{ to: 'inspect' }, { to: 'review' }] } : s));
      expect(summary(lint({ ...guide, process }))).toEqual(['error R-CAT-11 /process/1/next/0/to', 'error R-CAT-11 /process/1/next/1/to']);
    });
    it('R-CAT-11: a single step longer than the promise is an error; steps adding up beyond it a warning', () => {
      const guide = sampleGuide();
      const long = guide.process?.map((s) => (s.id === 'review' ? { ...s, timeLimit: { workingDays: 11 } } : s));
      expect(summary(lint({ ...guide, process: long }))).toEqual(['error R-CAT-11 /process/1/timeLimit/workingDays', 'warning R-CAT-11 /process']);
      const slow = guide.process?.map((s) => (s.id === 'review' ? { ...s, timeLimit: { workingDays: 7 } } : s));
      expect(summary(lint({ ...guide, process: slow }))).toEqual(['warning R-CAT-11 /process']);
    });
  });

  describe('R-CAT-12: result samples hide personal data', () => {
    const withSample = (text: string, format = 'pdf') => {
      const guide = sampleGuide();
      return { ...guide, result: { ...guide.result, sample: { file: 'x', format, text } } };
    };
    it('R-CAT-12: an ID number, a mobile phone and a name, each reported', () => {
      const findings = lint(withSample('法定代表人：王小明 身份证号：110101199003071234 电话：13912345678'));
      expect(summary(findings)).toEqual(['error R-CAT-12 /result/sample/text', 'error R-CAT-12 /result/sample/text', 'error R-CAT-12 /result/sample/text']);
      expect(findings.map((f) => f.message.en).join(' ')).not.toContain('110101199003071234');
    });
    it('R-CAT-12: an unsafe format', () => {
      expect(summary(lint(withSample('样本', 'docx')))).toEqual(['error R-CAT-12 /result/sample/format']);
      expect(lint(withSample('样本', 'OFD'))).toEqual([]);
    });
    it('R-CAT-12: a masked sample passes', () => {
      expect(lint(withSample('法定代表人：王** 身份证号：110101********1234 电话：139****5678'))).toEqual([]);
    });
  });

  describe('the facts review decides by (R-REV-3, R-REV-4, R-REV-5, R-COLLAB-1)', () => {
    type LicenceFacts = NonNullable<NonNullable<GuideContent['result']>['licence']>;
    const withLicence = (change: (l: LicenceFacts) => LicenceFacts | undefined): GuideContent => {
      const guide = sampleGuide();
      return { ...guide, result: { ...guide.result, licence: change(guide.result!.licence!) } };
    };
    const cites = [{ instrument: '《某某条例》', article: '第十条' }];

    it('R-REV-3: a licensing item issuing a licence states its licence facts; other results need not', () => {
      expect(summary(lint(withLicence(() => undefined)))).toEqual(['error R-REV-3 /result/licence']);
      const certificate = withLicence(() => undefined);
      expect(lint({ ...certificate, result: { ...certificate.result, type: 'certificate' } })).toEqual([]);
      expect(lint({ ...certificate, itemType: '07' })).toContainEqual(expect.objectContaining({ rule: 'R-CAT-3' }));
      expect(lint({ ...certificate, itemType: '07' }).some((f) => f.rule === 'R-REV-3')).toBe(false);
    });
    it('R-REV-3: paper abolished without an e-licence leaves the applicant nothing', () => {
      expect(summary(lint(withLicence((l) => ({ ...l, electronic: { available: false, paperAbolished: true } }))))).toEqual([
        'error R-REV-3 /result/licence/electronic/paperAbolished',
      ]);
      expect(lint(withLicence((l) => ({ ...l, electronic: { available: true, paperAbolished: true } })))).toEqual([]);
      expect(lint(withLicence((l) => ({ ...l, electronic: { available: false, paperAbolished: false } })))).toEqual([]);
    });
    it('R-REV-4: a fixed term states its months and its basis; no expiry states neither a term nor a renewal', () => {
      expect(summary(lint(withLicence((l) => ({ ...l, validity: { term: 'fixed' } }))))).toEqual([
        'error R-REV-4 /result/licence/validity/months',
        'error R-REV-4 /result/licence/validity/basis',
      ]);
      expect(summary(lint(withLicence((l) => ({ ...l, validity: { term: 'indefinite', months: 12 } }))))).toEqual([
        'error R-REV-4 /result/licence/validity/months',
        'error R-REV-4 /result/licence/renewal',
      ]);
      const { renewal: _none, ...noRenewal } = sampleGuide().result!.licence!;
      expect(lint(withLicence(() => ({ ...noRenewal, validity: { term: 'indefinite' } })))).toEqual([]);
    });
    it('R-REV-4: a lead time other than Art. 50’s 30 days cites its rule; 30 calendar days need not', () => {
      const lead = (days: number, unit: 'calendar-days' | 'working-days', basis?: typeof cites) =>
        withLicence((l) => ({ ...l, renewal: { leadTime: { days, unit }, ...(basis && { basis }) } }));
      expect(lint(lead(30, 'calendar-days'))).toEqual([]);
      expect(summary(lint(lead(30, 'working-days')))).toEqual(['error R-REV-4 /result/licence/renewal/basis']);
      expect(summary(lint(lead(60, 'calendar-days')))).toEqual(['error R-REV-4 /result/licence/renewal/basis']);
      expect(lint(lead(15, 'working-days', cites))).toEqual([]);
    });
    it('R-REV-4: a lead time as long as the validity could never be met', () => {
      const short = withLicence((l) => ({ ...l, validity: { ...l.validity, months: 1 }, renewal: { leadTime: { days: 20, unit: 'working-days' }, basis: cites } }));
      expect(summary(lint(short))).toEqual(['error R-REV-4 /result/licence/renewal/leadTime/days']);
      const fits = withLicence((l) => ({ ...l, validity: { ...l.validity, months: 2 }, renewal: { leadTime: { days: 20, unit: 'working-days' }, basis: cites } }));
      expect(lint(fits)).toEqual([]);
    });
    it('R-REV-5: a collective decision by law cites the law; none required needs nothing', () => {
      expect(summary(lint({ ...sampleGuide(), collectiveDecision: { required: true } }))).toEqual(['error R-REV-5 /collectiveDecision/basis']);
      expect(lint({ ...sampleGuide(), collectiveDecision: { required: true, basis: cites } })).toEqual([]);
      expect(lint({ ...sampleGuide(), collectiveDecision: { required: false } })).toEqual([]);
    });
    it('R-COLLAB-1: one lead, assisting departments named once, never the lead; a lead other than the body is a warning', () => {
      const body = sampleGuide().implementingBody!.name;
      const collab = (leadDepartment: string, names: string[]) => ({ ...sampleGuide(), collaboration: { leadDepartment, assistingDepartments: names.map((name) => ({ name })) } });
      expect(lint(collab(body, ['北京市东城区消防救援支队']))).toEqual([]);
      expect(summary(lint(collab(body, [])))).toEqual(['error R-COLLAB-1 /collaboration/assistingDepartments']);
      expect(summary(lint(collab(body, [body, '甲局', '甲局'])))).toEqual([
        'error R-COLLAB-1 /collaboration/assistingDepartments/0/name',
        'error R-COLLAB-1 /collaboration/assistingDepartments/2/name',
      ]);
      expect(summary(lint(collab('甲局', ['乙局'])))).toEqual(['warning R-COLLAB-1 /collaboration/leadDepartment']);
    });
  });

  it('reports every finding at once, in article order', () => {
    const guide = { ...withMaterial('floor-plan', (m) => ({ ...m, legalBasis: [], name: '其他材料' })), hours: '', promisedTimeLimit: { workingDays: 30 } };
    const rules = lint(guide).map((f) => f.rule);
    expect(rules).toEqual(['R-CAT-3', 'R-CAT-3', 'R-CAT-6', 'R-CAT-6']);
  });
});
