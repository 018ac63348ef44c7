/**
 * Every lint over one guide, in the order of the regulation's articles. A
 * guide publishes only when no finding is an error.
 */
import type { GuideContent } from '../guide/content.ts';
import type { LintContext } from './context.ts';
import { lintElements, lintMaterialFields } from './elements.ts';
import type { Finding } from './finding.ts';
import { lintItemCode } from './item-code.ts';
import { lintCatchAllAndBasis, lintDataSharing, lintForms, lintIntermediaries, lintProofs } from './materials.ts';
import { lintProcess } from './process.ts';
import { lintResultSample } from './result-sample.ts';
import { lintReviewFacts } from './review-facts.ts';
import { lintTimeLimits } from './time-limits.ts';
import { lintTolerance } from './tolerance.ts';

export function lintGuide(guide: GuideContent, context: LintContext): Finding[] {
  return [
    ...lintElements(guide),
    ...lintItemCode(guide),
    ...lintTimeLimits(guide),
    ...lintTolerance(guide),
    ...lintMaterialFields(guide),
    ...lintCatchAllAndBasis(guide),
    ...lintProofs(guide, context),
    ...lintForms(guide),
    ...lintIntermediaries(guide),
    ...lintDataSharing(guide, context),
    ...lintProcess(guide),
    ...lintResultSample(guide),
    ...lintReviewFacts(guide),
  ];
}
