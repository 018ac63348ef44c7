/**
 * Rectification of a bad rating (R-EVAL-3, Art. 38(3)): the responsible
 * department verifies it, rectifies what holds or explains what is
 * unreasonable or without legal basis, calls the named rater back, and feeds
 * back within 7 days. Late feedback is still taken (the rater deserves it) and
 * recorded as late; supervision cards the breach.
 */
import { NotFoundError, RuleViolation } from '@govsvc/errors/errors';
import { hasContent, notLaterThan } from '../values.ts';
import type { EvaluationCommandOf } from './commands.ts';
import type { EvaluationEvent } from './events.ts';
import type { EvaluationState, RatingRecord, Rectification } from './state.ts';

export function ratingOf(state: EvaluationState, ratingId: string): RatingRecord {
  const rating = state.ratings[ratingId];
  if (!rating) throw new NotFoundError(`no rating ${ratingId}`);
  return rating;
}

/** The open rectification of a bad rating that was not excluded. */
export function rectificationOf(rating: RatingRecord): Rectification {
  if (!rating.rectification) throw new RuleViolation('R-EVAL-3', `rating ${rating.ratingId} is not a bad rating: there is nothing to rectify`);
  if (rating.rectification.status === 'closed-by-exclusion' || (rating.review !== null && rating.review.outcome !== 'stands')) {
    throw new RuleViolation('R-EVAL-3', `rating ${rating.ratingId} was excluded on review: its rectification is closed`);
  }
  return rating.rectification;
}

function requireContent(text: string, what: string): void {
  if (!hasContent(text)) throw new RuleViolation('R-EVAL-3', `${what} has no content`, { field: what });
}

export function decideVerifyRectification({ data }: EvaluationCommandOf<'VerifyRectification'>, state: EvaluationState): EvaluationEvent[] {
  const rating = ratingOf(state, data.ratingId);
  const rectification = rectificationOf(rating);
  if (rectification.finding !== null) {
    throw new RuleViolation('R-EVAL-3', `rating ${data.ratingId} was verified already (${rectification.finding})`);
  }
  requireContent(data.note, 'verification note');
  return [
    {
      type: 'RectificationVerified',
      data: { caseId: state.caseId!, ratingId: data.ratingId, finding: data.finding, note: data.note.trim(), verifiedBy: data.by, verifiedAt: data.at },
    },
  ];
}

export function decideRecordCallback({ data }: EvaluationCommandOf<'RecordCallback'>, state: EvaluationState): EvaluationEvent[] {
  const rating = ratingOf(state, data.ratingId);
  rectificationOf(rating);
  if (!rating.named) throw new RuleViolation('R-EVAL-3', `rating ${data.ratingId} is anonymous: there is no rater to call back`);
  requireContent(data.summary, 'callback summary');
  return [
    {
      type: 'RaterCalledBack',
      data: { caseId: state.caseId!, ratingId: data.ratingId, calledBy: data.by, calledAt: data.at, reached: data.reached, summary: data.summary.trim() },
    },
  ];
}

export function decideGiveFeedback({ data }: EvaluationCommandOf<'GiveFeedback'>, state: EvaluationState): EvaluationEvent[] {
  const rating = ratingOf(state, data.ratingId);
  const rectification = rectificationOf(rating);
  if (rectification.status === 'completed') throw new RuleViolation('R-EVAL-3', `rating ${data.ratingId} has its feedback already`);
  if (rectification.finding === null) {
    throw new RuleViolation('R-EVAL-3', `verify rating ${data.ratingId} first: feedback follows the department's finding`);
  }
  const fits = (data.outcome === 'rectified') === (rectification.finding === 'substantiated');
  if (!fits) {
    throw new RuleViolation(
      'R-EVAL-3',
      rectification.finding === 'substantiated'
        ? 'the complaint was found substantiated: it is rectified, not explained away'
        : 'the complaint was found unreasonable: it gets an explanation, not a rectification',
      { finding: rectification.finding, outcome: data.outcome },
    );
  }
  requireContent(data.measures, data.outcome === 'rectified' ? 'rectification measures' : 'explanation');
  requireContent(data.feedback, 'feedback to the rater');
  if (rating.named && rectification.callbacks === 0) {
    throw new RuleViolation('R-EVAL-3', `rating ${data.ratingId} is named: record the callback to the rater before the feedback`);
  }
  return [
    {
      type: 'RectificationFeedbackGiven',
      data: {
        caseId: state.caseId!,
        ratingId: data.ratingId,
        outcome: data.outcome,
        measures: data.measures.trim(),
        feedback: data.feedback.trim(),
        givenBy: data.by,
        givenAt: data.at,
        withinLimit: notLaterThan(data.at, rectification.dueAt),
      },
    },
  ];
}
