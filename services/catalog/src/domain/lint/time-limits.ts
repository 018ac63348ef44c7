/**
 * Time limits: the promise may only shorten the law's limit (the statutory
 * limit is the most the law allows; measures Art. 6 lists both so the
 * applicant sees the promise).
 */
import type { GuideContent } from '../guide/content.ts';
import { error, warning, type Finding } from './finding.ts';

export function lintTimeLimits(guide: GuideContent): Finding[] {
  const findings: Finding[] = [];
  // The published contract (catalog.guide-published.v1) and intake count limits from 1 working day;
  // an item handled on the spot (即办) promises 1, which it keeps by finishing sooner.
  for (const [key, zh] of [['statutoryTimeLimit', '法定办结时限'], ['promisedTimeLimit', '承诺办结时限']] as const) {
    if (guide[key]?.workingDays === 0) {
      findings.push(
        error('R-CAT-3', `/${key}/workingDays`, `${zh}至少为1个工作日（即办事项按1个工作日公布）`, `the ${key === 'statutoryTimeLimit' ? 'statutory' : 'promised'} limit is at least 1 working day (on-the-spot items publish 1)`),
      );
    }
  }
  const statutory = guide.statutoryTimeLimit?.workingDays;
  const promised = guide.promisedTimeLimit?.workingDays;
  if (statutory !== undefined && promised !== undefined && promised > statutory) {
    findings.push(
      error(
        'R-CAT-3',
        '/promisedTimeLimit/workingDays',
        `承诺办结时限（${promised}个工作日）长于法定办结时限（${statutory}个工作日）`,
        `the promised limit (${promised} working days) is longer than the statutory limit (${statutory})`,
      ),
    );
  }
  // A step that alone outlasts the promise cannot be kept. Steps may overlap
  // (parallel review), so only a single step is measured against the promise.
  (guide.process ?? []).forEach((step, i) => {
    const days = step.timeLimit?.workingDays;
    if (days !== undefined && promised !== undefined && days > promised) {
      findings.push(
        error(
          'R-CAT-11',
          `/process/${i}/timeLimit/workingDays`,
          `环节“${step.name ?? step.id}”时限（${days}个工作日）长于承诺办结时限（${promised}个工作日）`,
          `step "${step.id}" takes ${days} working days, longer than the promised ${promised}`,
        ),
      );
    }
  });
  const total = (guide.process ?? []).reduce((sum, s) => sum + (s.timeLimit?.workingDays ?? 0), 0);
  if (promised !== undefined && total > promised && !(guide.process ?? []).some((s) => (s.next?.length ?? 0) > 1)) {
    findings.push(
      warning(
        'R-CAT-11',
        '/process',
        `各环节时限合计${total}个工作日，超过承诺办结时限${promised}个工作日；请确认环节是否并行`,
        `the steps add up to ${total} working days, more than the promised ${promised}; check that steps run in parallel`,
      ),
    );
  }
  return findings;
}
