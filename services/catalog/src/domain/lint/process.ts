/**
 * R-CAT-11 (measures Art. 8): every applicant-facing step states its time
 * limit, review standard and result, and the flow it draws is well formed.
 */
import type { GuideContent } from '../guide/content.ts';
import { error, isBlank, type Finding } from './finding.ts';

export function lintProcess(guide: GuideContent): Finding[] {
  const findings: Finding[] = [];
  const steps = guide.process ?? [];
  const ids = new Set(steps.map((s) => s.id));
  steps.forEach((step, i) => {
    const at = `/process/${i}`;
    const label = step.name ?? step.id;
    if (isBlank(step.name)) findings.push(error('R-CAT-11', `${at}/name`, `环节“${step.id}”未写明名称`, `step "${step.id}" has no name`));
    if (step.timeLimit === undefined) {
      findings.push(error('R-CAT-11', `${at}/timeLimit`, `环节“${label}”未列明办理时限`, `step "${step.id}" states no time limit`));
    }
    if (isBlank(step.reviewStandard)) {
      findings.push(error('R-CAT-11', `${at}/reviewStandard`, `环节“${label}”未列明审查标准`, `step "${step.id}" states no review standard`));
    }
    if (isBlank(step.result)) {
      findings.push(error('R-CAT-11', `${at}/result`, `环节“${label}”未列明办理结果`, `step "${step.id}" states no result`));
    }
    (step.next ?? []).forEach((branch, j) => {
      if (!ids.has(branch.to)) {
        findings.push(error('R-CAT-11', `${at}/next/${j}/to`, `环节“${label}”流向不存在的环节“${branch.to}”`, `step "${step.id}" leads to unknown step "${branch.to}"`));
      } else if (branch.to === step.id) {
        findings.push(error('R-CAT-11', `${at}/next/${j}/to`, `环节“${label}”流向自身`, `step "${step.id}" leads to itself`));
      }
    });
  });
  return findings;
}
