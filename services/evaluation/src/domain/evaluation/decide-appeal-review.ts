/**
 * Appeal and review (51号文: 申诉复核). The rater, not satisfied with the
 * feedback, may appeal once; a supervisor dismisses the appeal or sends the
 * rectification back with 7 new days. The department may ask once for a
 * review of a rating it holds mistaken or malicious; on review (asked for or
 * not), a rating found so is excluded from statistics, the reason kept.
 */
import { RuleViolation, NotFoundError } from '@govsvc/errors/errors';
import { hasContent, notLaterThan, rectificationDue } from '../values.ts';
import type { EvaluationCommandOf } from './commands.ts';
import type { EvaluationEvent } from './events.ts';
import { ratingOf, rectificationOf } from './decide-rectification.ts';
import type { EvaluationState } from './state.ts';

export function decideAppealRating({ data }: EvaluationCommandOf<'AppealRating'>, state: EvaluationState): EvaluationEvent[] {
  const rating = ratingOf(state, data.ratingId);
  if (rating.raterRef !== data.raterRef) throw new NotFoundError(`no rating ${data.ratingId}`);
  const rectification = rectificationOf(rating);
  if (rectification.appeal !== null) throw new RuleViolation('R-EVAL-3', `rating ${data.ratingId} was appealed already: the rater may appeal once`);
  if (rectification.status !== 'completed') {
    throw new RuleViolation('R-EVAL-3', `rating ${data.ratingId} has no feedback yet: the appeal is against the feedback`);
  }
  if (!hasContent(data.reason)) throw new RuleViolation('R-EVAL-3', 'an appeal states why the feedback does not satisfy');
  return [{ type: 'RatingAppealed', data: { caseId: state.caseId!, ratingId: data.ratingId, reason: data.reason.trim(), appealedAt: data.at } }];
}

export function decideDecideAppeal({ data }: EvaluationCommandOf<'DecideAppeal'>, state: EvaluationState): EvaluationEvent[] {
  const rating = ratingOf(state, data.ratingId);
  const rectification = rectificationOf(rating);
  if (rectification.appeal?.status !== 'pending') throw new RuleViolation('R-EVAL-3', `rating ${data.ratingId} has no pending appeal`);
  if (!hasContent(data.reason)) throw new RuleViolation('R-EVAL-3', 'an appeal decision states its reason');
  const due = data.outcome === 'reopened' ? rectificationDue(data.at) : null;
  return [
    {
      type: 'AppealDecided',
      data: {
        caseId: state.caseId!,
        ratingId: data.ratingId,
        outcome: data.outcome,
        reason: data.reason.trim(),
        decidedBy: data.by,
        decidedAt: data.at,
        department: rectification.department,
        reopenedDueDate: due?.date ?? null,
        reopenedDueAt: due?.at ?? null,
      },
    },
  ];
}

/** The department contests a rating as mistaken or malicious, once; a supervisor then reviews it. */
export function decideRequestReview({ data }: EvaluationCommandOf<'RequestReview'>, state: EvaluationState): EvaluationEvent[] {
  const rating = ratingOf(state, data.ratingId);
  if (rating.review !== null) throw new RuleViolation('R-EVAL-3', `rating ${data.ratingId} was reviewed already (${rating.review.outcome})`);
  if (rating.reviewRequest !== null) throw new RuleViolation('R-EVAL-3', `a review of rating ${data.ratingId} was requested already`);
  if (!hasContent(data.reason)) throw new RuleViolation('R-EVAL-3', 'a review request says why the rating is mistaken or malicious');
  return [{ type: 'RatingReviewRequested', data: { caseId: state.caseId!, ratingId: data.ratingId, reason: data.reason.trim(), requestedBy: data.by, requestedAt: data.at } }];
}

export function decideReviewRating({ data }: EvaluationCommandOf<'ReviewRating'>, state: EvaluationState): EvaluationEvent[] {
  const rating = ratingOf(state, data.ratingId);
  if (rating.review !== null) {
    throw new RuleViolation('R-EVAL-3', `rating ${data.ratingId} was reviewed already (${rating.review.outcome})`, { outcome: rating.review.outcome });
  }
  if (!hasContent(data.reason)) throw new RuleViolation('R-EVAL-3', 'a review keeps its reason: state it');
  const excluded = data.outcome !== 'stands';
  const open = rating.rectification !== null && rating.rectification.status !== 'completed';
  const closes = excluded && open;
  return [
    {
      type: 'RatingReviewed',
      data: {
        caseId: state.caseId!,
        ratingId: data.ratingId,
        outcome: data.outcome,
        reason: data.reason.trim(),
        reviewedBy: data.by,
        reviewedAt: data.at,
        closesRectification: closes,
        withinLimit: closes && rating.rectification ? notLaterThan(data.at, rating.rectification.dueAt) : null,
      },
    },
  ];
}
