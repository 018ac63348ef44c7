/**
 * 容缺受理 rules (measures Art. 6, Art. 15(3)): intake may tolerate a missing
 * material only where the guide says so (R-ACC-2), so each rule must point
 * at a material of this guide and say how long the applicant has.
 */
import type { GuideContent } from '../guide/content.ts';
import { error, isBlank, type Finding } from './finding.ts';

export function lintTolerance(guide: GuideContent): Finding[] {
  const td = guide.toleratedDeficiency;
  if (!td) return [];
  const findings: Finding[] = [];
  const materials = new Map((guide.materials ?? []).map((m) => [m.id, m]));
  if (td.allowed && td.rules.length === 0) {
    findings.push(error('R-CAT-3', '/toleratedDeficiency/rules', '声明支持容缺受理，但未列明可容缺的材料', 'tolerated deficiency is allowed but no material is named'));
  }
  if (!td.allowed && td.rules.length > 0) {
    findings.push(error('R-CAT-3', '/toleratedDeficiency/allowed', '列有容缺规则，但声明不支持容缺受理', 'tolerance rules are listed but tolerated deficiency is declared not allowed'));
  }
  const seen = new Set<string>();
  td.rules.forEach((rule, i) => {
    const at = `/toleratedDeficiency/rules/${i}`;
    const material = materials.get(rule.materialId);
    if (!material) {
      findings.push(error('R-CAT-3', `${at}/materialId`, `容缺规则指向不存在的材料“${rule.materialId}”`, `tolerance rule names unknown material "${rule.materialId}"`));
    } else if (material.provision === 'shared-confirm') {
      findings.push(
        error('R-CAT-3', `${at}/materialId`, `材料“${material.name ?? material.id}”由部门共享获取，无需容缺`, `material "${material.id}" is fetched through sharing; tolerating its absence means nothing`),
      );
    }
    if (seen.has(rule.materialId)) {
      findings.push(error('R-CAT-3', `${at}/materialId`, `材料“${rule.materialId}”有重复的容缺规则`, `material "${rule.materialId}" has two tolerance rules`));
    }
    seen.add(rule.materialId);
    if (isBlank(rule.condition)) findings.push(error('R-CAT-3', `${at}/condition`, '容缺规则未写明容缺条件', 'tolerance rule states no condition'));
    if (rule.supplementWithinWorkingDays === undefined) {
      findings.push(error('R-CAT-3', `${at}/supplementWithinWorkingDays`, '容缺规则未写明补正期限', 'tolerance rule states no time to supplement'));
    }
    if (isBlank(rule.commitment)) findings.push(error('R-CAT-3', `${at}/commitment`, '容缺规则未写明申请人承诺内容', 'tolerance rule states no commitment'));
  });
  return findings;
}
