/**
 * The material rules of measures Art. 7 (1)–(5): R-CAT-6 … R-CAT-10.
 */
import type { GuideContent, Material } from '../guide/content.ts';
import { findCatchAllWording } from './catch-all-wording.ts';
import { sharedRecordFor, type LintContext } from './context.ts';
import { error, isBlank, type Finding } from './finding.ts';

/** The material texts an applicant reads to know what to bring; each is scanned for catch-all wording. */
const SCANNED_TEXTS = [
  { key: 'name', zh: '材料名称' },
  { key: 'condition', zh: '适用情形' },
  { key: 'acceptanceStandard', zh: '受理标准' },
  { key: 'specification', zh: '材料规格' },
] as const satisfies readonly { key: keyof Material; zh: string }[];

const labelOf = (m: Material) => m.name ?? m.id;

/** R-CAT-6: a closed list, each entry grounded in law. */
export function lintCatchAllAndBasis(guide: GuideContent): Finding[] {
  const findings: Finding[] = [];
  (guide.materials ?? []).forEach((m, i) => {
    for (const { key, zh } of SCANNED_TEXTS) {
      const text = m[key];
      if (text === undefined) continue;
      for (const hit of findCatchAllWording(text)) {
        findings.push(
          error(
            'R-CAT-6',
            `/materials/${i}/${key}`,
            `材料“${labelOf(m)}”的${zh}含模糊性兜底表述“${hit.marker}”（${hit.excerpt}），应逐项列明`,
            `material "${m.id}" ${key} uses the catch-all "${hit.marker}" (${hit.excerpt}); list each item instead`,
          ),
        );
      }
    }
    if ((m.legalBasis ?? []).filter((b) => !isBlank(b.instrument)).length === 0) {
      findings.push(
        error('R-CAT-6', `/materials/${i}/legalBasis`, `材料“${labelOf(m)}”未列明法律法规、规章或规范性文件依据`, `material "${m.id}" cites no legal basis`),
      );
    }
  });
  return findings;
}

/** R-CAT-7: a proof must be in the retained-proofs catalog, and filed (not merely awaiting filing). */
export function lintProofs(guide: GuideContent, context: LintContext): Finding[] {
  const findings: Finding[] = [];
  (guide.materials ?? []).forEach((m, i) => {
    if (m.category !== 'proof') return;
    const path = `/materials/${i}/proofCode`;
    if (isBlank(m.proofCode)) {
      findings.push(error('R-CAT-7', path, `证明材料“${labelOf(m)}”未注明保留证明事项编码`, `proof "${m.id}" does not name its retained-proofs catalog code`));
      return;
    }
    const entry = context.retainedProofs.get(m.proofCode ?? '');
    if (!entry || entry.status === 'abolished') {
      findings.push(
        error('R-CAT-7', path, `证明材料“${labelOf(m)}”（${m.proofCode}）不在本市保留证明事项目录内`, `proof "${m.id}" (${m.proofCode}) is not in the city's retained-proofs catalog`),
      );
    } else if (entry.status === 'pending-filing') {
      findings.push(
        error(
          'R-CAT-7',
          path,
          `新设证明“${entry.name}”尚未备案（应于${entry.filingDue ?? '15个工作日内'}前备案），备案后同步更新办事指南`,
          `new proof "${entry.code}" is not filed yet (due ${entry.filingDue ?? 'within 15 working days'}); publish the guide with the filing`,
        ),
      );
    }
  });
  return findings;
}

/** R-CAT-8: a form comes with a blank copy and a filled sample. */
export function lintForms(guide: GuideContent): Finding[] {
  const findings: Finding[] = [];
  (guide.materials ?? []).forEach((m, i) => {
    if (m.category !== 'form') return;
    if (isBlank(m.blankForm)) {
      findings.push(error('R-CAT-8', `/materials/${i}/blankForm`, `表格类材料“${labelOf(m)}”未提供空表`, `form "${m.id}" has no blank form`));
    }
    if (isBlank(m.sample)) {
      findings.push(error('R-CAT-8', `/materials/${i}/sample`, `表格类材料“${labelOf(m)}”未提供填写样本`, `form "${m.id}" has no filled sample`));
    }
  });
  return findings;
}

/** R-CAT-9: material from an intermediary or statutory body names the body's category or qualification. */
export function lintIntermediaries(guide: GuideContent): Finding[] {
  const findings: Finding[] = [];
  (guide.materials ?? []).forEach((m, i) => {
    const channel = m.source?.channel;
    if (channel !== 'intermediary' && channel !== 'statutory-body') return;
    if (isBlank(m.source?.issuerCategory) && isBlank(m.source?.qualification)) {
      findings.push(
        error(
          'R-CAT-9',
          `/materials/${i}/source`,
          `材料“${labelOf(m)}”由${channel === 'intermediary' ? '中介机构' : '法定机构'}出具，但未注明机构类别或资质要求`,
          `material "${m.id}" comes from ${channel === 'intermediary' ? 'an intermediary' : 'a statutory body'} but names neither its category nor its qualification`,
        ),
      );
    }
  });
  return findings;
}

/** R-CAT-10: what departments can share is fetched and confirmed, never demanded. */
export function lintDataSharing(guide: GuideContent, context: LintContext): Finding[] {
  const findings: Finding[] = [];
  (guide.materials ?? []).forEach((m, i) => {
    const at = `/materials/${i}`;
    const demanded = m.provision === 'applicant-submits';
    if (demanded && m.sharing?.obtainable) {
      findings.push(
        error('R-CAT-10', `${at}/provision`, `材料“${labelOf(m)}”可通过信息共享获取，不得要求申请人提交`, `material "${m.id}" is obtainable through data sharing and may not be demanded from the applicant`),
      );
      return;
    }
    const record = m.name ? sharedRecordFor(m.name, context.sharedRecords) : undefined;
    if (demanded && record) {
      findings.push(
        error(
          'R-CAT-10',
          `${at}/provision`,
          `材料“${labelOf(m)}”列于共享数据目录（${record.name}，经${record.via}共享），不得要求申请人提交`,
          `material "${m.id}" is in the shared-data directory (${record.id} via ${record.via}) and may not be demanded from the applicant`,
        ),
      );
    }
    if (m.provision === 'shared-confirm' && !m.sharing?.obtainable) {
      findings.push(
        error('R-CAT-10', `${at}/sharing`, `材料“${labelOf(m)}”标为共享获取，但未注明可共享及共享渠道`, `material "${m.id}" is marked as fetched but not as obtainable through sharing`),
      );
    }
    if (m.sharing?.obtainable && isBlank(m.sharing.via)) {
      findings.push(error('R-CAT-10', `${at}/sharing/via`, `材料“${labelOf(m)}”未注明共享渠道`, `material "${m.id}" does not name the system it is shared through`));
    }
  });
  return findings;
}
