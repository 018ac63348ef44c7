/**
 * Completeness: every element of Art. 6 (R-CAT-3) and every material field
 * of Art. 7 (R-CAT-5) is stated. "Stated" means present and not blank; a
 * list must hold at least one entry. A boolean element (网上支付 false) is a
 * statement too: the applicant learns the item offers no online payment.
 */
import type { GuideContent, Material } from '../guide/content.ts';
import { error, isBlank, type Finding } from './finding.ts';

interface Element {
  readonly path: string;
  readonly zh: string;
  readonly en: string;
  readonly missing: (g: GuideContent) => boolean;
}

const blankList = (list: readonly string[] | undefined) => list === undefined || list.filter((s) => !isBlank(s)).length === 0;
const emptyList = (list: readonly unknown[] | undefined) => list === undefined || list.length === 0;

/** The elements of Art. 6 ¶1 in the regulation's order. */
export const GUIDE_ELEMENTS: readonly Element[] = [
  { path: '/itemName', zh: '事项名称', en: 'item name', missing: (g) => isBlank(g.itemName) },
  { path: '/basicCode', zh: '事项编码（基本编码）', en: 'item code (basic code)', missing: (g) => isBlank(g.basicCode) },
  { path: '/itemType', zh: '事项类型', en: 'item type', missing: (g) => g.itemType === undefined },
  { path: '/legalBasis', zh: '设定依据', en: 'legal basis', missing: (g) => emptyList(g.legalBasis) },
  { path: '/implementingBody', zh: '实施主体', en: 'implementing body', missing: (g) => isBlank(g.implementingBody?.name) },
  { path: '/acceptanceConditions', zh: '受理条件', en: 'acceptance conditions', missing: (g) => blankList(g.acceptanceConditions) },
  { path: '/serviceObjects', zh: '服务对象', en: 'service object', missing: (g) => emptyList(g.serviceObjects) },
  { path: '/statutoryTimeLimit', zh: '法定办结时限', en: 'statutory time limit', missing: (g) => g.statutoryTimeLimit === undefined },
  { path: '/promisedTimeLimit', zh: '承诺办结时限', en: 'promised time limit', missing: (g) => g.promisedTimeLimit === undefined },
  { path: '/result/name', zh: '结果名称', en: 'result name', missing: (g) => isBlank(g.result?.name) },
  { path: '/result/sample', zh: '结果样本', en: 'result sample', missing: (g) => g.result?.sample === undefined || isBlank(g.result.sample.file) },
  { path: '/fee/standard', zh: '收费标准', en: 'fee standard', missing: (g) => g.fee === undefined || (g.fee.charged && isBlank(g.fee.standard)) },
  { path: '/fee/basis', zh: '收费依据', en: 'fee basis', missing: (g) => g.fee === undefined || (g.fee.charged && emptyList(g.fee.basis)) },
  { path: '/materials', zh: '所需材料', en: 'required materials', missing: (g) => emptyList(g.materials) },
  { path: '/toleratedDeficiency', zh: '容缺受理', en: 'tolerated-deficiency acceptance', missing: (g) => g.toleratedDeficiency === undefined },
  { path: '/process', zh: '办理流程', en: 'process', missing: (g) => emptyList(g.process) },
  { path: '/handlingForm', zh: '办理形式', en: 'handling form', missing: (g) => g.handlingForm === undefined },
  { path: '/reviewStandard', zh: '审查标准', en: 'review standard', missing: (g) => blankList(g.reviewStandard) },
  { path: '/crossRegionScope', zh: '通办范围', en: 'cross-region scope', missing: (g) => g.crossRegionScope === undefined },
  { path: '/appointment', zh: '预约办理', en: 'appointment', missing: (g) => g.appointment === undefined },
  { path: '/onlinePayment', zh: '网上支付', en: 'online payment', missing: (g) => g.onlinePayment === undefined },
  { path: '/expressDelivery', zh: '物流快递', en: 'express logistics', missing: (g) => g.expressDelivery === undefined },
  { path: '/locations', zh: '办理地点', en: 'location', missing: (g) => emptyList(g.locations) },
  { path: '/hours', zh: '办理时间', en: 'hours', missing: (g) => isBlank(g.hours) },
  { path: '/consultation', zh: '咨询方式', en: 'consultation channels', missing: (g) => emptyList(g.consultation) },
  { path: '/complaint', zh: '监督投诉方式', en: 'complaint channels', missing: (g) => emptyList(g.complaint) },
];

export function lintElements(guide: GuideContent): Finding[] {
  const findings = GUIDE_ELEMENTS.filter((e) => e.missing(guide)).map((e) =>
    error('R-CAT-3', e.path, `办事指南缺少“${e.zh}”要素`, `the guide lacks the element "${e.en}"`),
  );
  // An offered service without its channels tells the applicant nothing.
  if (guide.appointment?.available && guide.appointment.channels.length === 0) {
    findings.push(error('R-CAT-3', '/appointment/channels', '支持预约办理但未列明预约渠道', 'appointments are offered but no channel is named'));
  }
  if (guide.expressDelivery?.available && guide.expressDelivery.directions.length === 0) {
    findings.push(error('R-CAT-3', '/expressDelivery/directions', '支持物流快递但未列明寄递方向', 'express delivery is offered but no direction is named'));
  }
  // Cross-level comparison (R-CAT-4) groups implementations by level.
  if (guide.level === undefined) {
    findings.push(error('R-CAT-4', '/level', '未注明实施层级（市、区、乡镇街道）', 'the implementation level (city, district, township) is not stated'));
  }
  return findings;
}

interface MaterialField {
  readonly key: string;
  readonly zh: string;
  readonly en: string;
  readonly missing: (m: Material) => boolean;
}

/** The material fields of Art. 7 ¶1, plus the classification the other rules need. */
export const MATERIAL_FIELDS: readonly MaterialField[] = [
  { key: 'name', zh: '材料名称', en: 'name', missing: (m) => isBlank(m.name) },
  { key: 'category', zh: '材料类别', en: 'category', missing: (m) => m.category === undefined },
  { key: 'type', zh: '材料类型', en: 'type', missing: (m) => m.type === undefined },
  { key: 'necessity', zh: '必要性', en: 'necessity', missing: (m) => m.necessity === undefined },
  { key: 'sample', zh: '材料样本', en: 'sample', missing: (m) => isBlank(m.sample) },
  { key: 'eForm', zh: '电子表单', en: 'e-form', missing: (m) => m.eForm === undefined },
  { key: 'source', zh: '来源渠道', en: 'source channel', missing: (m) => m.source === undefined },
  { key: 'provision', zh: '提交方式', en: 'provision (submitted or fetched)', missing: (m) => m.provision === undefined },
  { key: 'copies', zh: '材料份数', en: 'number of copies', missing: (m) => m.copies === undefined },
  { key: 'specification', zh: '材料规格', en: 'format', missing: (m) => isBlank(m.specification) },
  { key: 'acceptanceStandard', zh: '受理标准', en: 'acceptance standard', missing: (m) => isBlank(m.acceptanceStandard) },
  { key: 'electronicRequired', zh: '是否需电子材料', en: 'whether an electronic version is required', missing: (m) => m.electronicRequired === undefined },
];

export function lintMaterialFields(guide: GuideContent): Finding[] {
  const findings: Finding[] = [];
  (guide.materials ?? []).forEach((m, i) => {
    const at = `/materials/${i}`;
    const label = m.name ?? m.id;
    for (const field of MATERIAL_FIELDS) {
      if (field.missing(m)) {
        findings.push(error('R-CAT-5', `${at}/${field.key}`, `材料“${label}”未列明${field.zh}`, `material "${m.id}" does not state its ${field.en}`));
      }
    }
    if (m.necessity === 'conditional' && isBlank(m.condition)) {
      findings.push(error('R-CAT-5', `${at}/condition`, `材料“${label}”为情形性材料，但未写明适用情形`, `material "${m.id}" is conditional but names no condition`));
    }
    if (m.eForm?.available && isBlank(m.eForm.formId)) {
      findings.push(error('R-CAT-5', `${at}/eForm/formId`, `材料“${label}”有电子表单但未给出表单编号`, `material "${m.id}" has an e-form but no form id`));
    }
  });
  return findings;
}
