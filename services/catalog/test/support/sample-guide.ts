/**
 * A complete, lint-clean guide for unit tests, and the lint context it is
 * clean against. Tests copy it and break one thing at a time, so a finding
 * can only come from what the test changed.
 */
import type { GuideContent, Material } from '../../src/domain/guide/content.ts';
import type { LintContext, ProofCatalogEntry, SharedRecord } from '../../src/domain/lint/context.ts';

/** Synthetic but valid (scripts/implementation-code.ts): basic code, 东城区, a government body's USCC, 新办 001. */
export const SAMPLE_CODE = '01140027000111010100000011110101MB5375952Y01001';
export const SAMPLE_BODY_USCC = '11110101MB5375952Y';

const material = (overrides: Partial<Material> & Pick<Material, 'id' | 'name'>): Material => ({
  category: 'document',
  type: 'original',
  necessity: 'required',
  sample: `samples/${overrides.id}.pdf`,
  eForm: { available: false },
  source: { channel: 'applicant' },
  provision: 'applicant-submits',
  copies: 1,
  specification: 'A4纸质材料',
  acceptanceStandard: '内容真实完整，签字盖章齐全',
  electronicRequired: false,
  legalBasis: [{ instrument: '《公共场所卫生管理条例实施细则》', article: '第二十二条', kind: 'departmental-rule' }],
  sharing: { obtainable: false },
  ...overrides,
});

export function sampleGuide(): GuideContent {
  return {
    itemName: '公共场所卫生许可（新办）',
    basicCode: '011400270001',
    implementationCode: SAMPLE_CODE,
    handlingItem: '新办',
    itemType: '01',
    level: 'district',
    region: { code: '110101000000', name: '东城区' },
    legalBasis: [
      { instrument: '《公共场所卫生管理条例》', article: '第八条', kind: 'administrative-regulation' },
      { instrument: '《公共场所卫生管理条例实施细则》', article: '第二十二条', kind: 'departmental-rule' },
    ],
    implementingBody: { name: '北京市东城区卫生健康委员会', uscc: SAMPLE_BODY_USCC, nature: 'statutory' },
    acceptanceConditions: ['经营场所已取得营业执照', '场所布局和卫生设施符合卫生规范'],
    serviceObjects: ['enterprise', 'unincorporated-enterprise'],
    statutoryTimeLimit: { workingDays: 20, basis: '《公共场所卫生管理条例实施细则》第二十二条' },
    promisedTimeLimit: { workingDays: 10 },
    result: {
      name: '公共场所卫生许可证',
      type: 'licence',
      sample: {
        file: 'samples/result.pdf',
        format: 'pdf',
        text: '公共场所卫生许可证 单位名称：北京某某酒店管理有限公司 法定代表人（负责人）：张** 许可项目：住宿 有效期限：四年',
      },
      licence: {
        electronic: { available: true, paperAbolished: false },
        validity: { term: 'fixed', months: 48, basis: [{ instrument: '《公共场所卫生管理条例实施细则》', kind: 'departmental-rule' }] },
        renewal: { leadTime: { days: 30, unit: 'calendar-days' } },
      },
    },
    fee: { charged: false, standard: '不收费', basis: [{ instrument: '《中华人民共和国行政许可法》', article: '第五十八条' }] },
    materials: [
      material({
        id: 'application-form',
        name: '公共场所卫生许可申请表',
        category: 'form',
        blankForm: 'forms/application-blank.pdf',
        sample: 'forms/application-sample.pdf',
        eForm: { available: true, formId: 'BJ-GGCS-01' },
      }),
      material({ id: 'floor-plan', name: '经营场所平面布局图', acceptanceStandard: '标明各功能区布局和卫生设施位置' }),
      material({
        id: 'test-report',
        name: '公共场所卫生检测报告',
        category: 'report',
        source: { channel: 'intermediary', issuerCategory: '检验检测机构', qualification: '取得检验检测机构资质认定（CMA）' },
      }),
      material({
        id: 'business-licence',
        name: '营业执照',
        category: 'licence',
        source: { channel: 'government', issuer: '市场监督管理部门' },
        provision: 'shared-confirm',
        sharing: { obtainable: true, via: '北京市电子证照库' },
      }),
    ],
    toleratedDeficiency: {
      allowed: true,
      rules: [{ materialId: 'test-report', condition: '检测已委托尚未出具', supplementWithinWorkingDays: 10, commitment: '承诺在期限内补交检测报告' }],
    },
    process: [
      { id: 'accept', name: '受理', timeLimit: { workingDays: 1 }, reviewStandard: '材料齐全、符合法定形式', result: '受理凭证或补齐补正通知书' },
      { id: 'review', name: '审查', timeLimit: { workingDays: 6 }, reviewStandard: '场所符合卫生规范', result: '审查意见' },
      { id: 'decide', name: '决定', timeLimit: { workingDays: 2 }, reviewStandard: '审查意见明确', result: '准予或不予许可决定' },
      { id: 'deliver', name: '送达', timeLimit: { workingDays: 1 }, reviewStandard: '按申请人选择的方式送达', result: '公共场所卫生许可证' },
    ],
    handlingForm: 'both',
    reviewStandard: ['申请材料齐全、符合法定形式', '经营场所符合卫生规范'],
    crossRegionScope: 'district',
    appointment: { available: true, channels: ['online', 'phone'] },
    onlinePayment: false,
    expressDelivery: { available: true, directions: ['results-out'] },
    locations: [{ name: '东城区政务服务中心', address: '北京市东城区某街1号' }],
    hours: '工作日 9:00-17:00（法定节假日除外）',
    consultation: [{ channel: 'phone', value: '010-00000000' }],
    complaint: [{ channel: 'hotline', value: '12345' }],
  };
}

export const sharedRecords: SharedRecord[] = [
  { id: 'business-licence', name: '营业执照', aliases: ['企业法人营业执照'], via: '北京市电子证照库' },
  { id: 'household-register', name: '居民户口簿', aliases: ['户口簿', '户口本'], via: '北京市大数据平台' },
];

export const proofEntries: ProofCatalogEntry[] = [
  { code: 'BJZM-0001', name: '出生医学证明', status: 'retained' },
  { code: 'BJZM-0099', name: '新设证明', status: 'pending-filing', filingDue: '2025-05-30' },
  { code: 'BJZM-0100', name: '已取消证明', status: 'abolished' },
];

export const sampleContext = (): LintContext => ({
  retainedProofs: new Map(proofEntries.map((p) => [p.code, p])),
  sharedRecords,
});
