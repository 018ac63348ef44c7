/** A case's evaluation ledger folded from its events. */
import type { IndicatorScores, Occasion, RatingChannel, RatingLevel } from '../values.ts';
import { isBadLevel, occasionKey } from '../values.ts';
import type { EvaluationEvent } from './events.ts';

export interface CaseFacts {
  readonly itemCode: string;
  readonly applicantRef: string;
  readonly serviceCentre: string | null;
  readonly department: string | null;
}

export interface Invitation {
  readonly invitationId: string;
  readonly occasion: Occasion;
  readonly serviceCentre: string | null;
}

export type RectificationStatus = 'open' | 'verified' | 'completed' | 'reopened' | 'closed-by-exclusion';

export interface Rectification {
  readonly status: RectificationStatus;
  readonly department: string | null;
  readonly dueDate: string;
  readonly dueAt: string;
  readonly finding: 'substantiated' | 'unreasonable' | null;
  readonly callbacks: number;
  readonly feedback: { readonly outcome: 'rectified' | 'explained'; readonly feedback: string; readonly givenAt: string; readonly withinLimit: boolean } | null;
  readonly appeal: { readonly status: 'pending' | 'dismissed' | 'reopened'; readonly reason: string } | null;
}

export interface RatingRecord {
  readonly ratingId: string;
  readonly occasion: Occasion;
  readonly level: RatingLevel;
  readonly channel: RatingChannel;
  readonly indicators: IndicatorScores;
  /** What the rater wrote: the department needs it to rectify; it never leaves the service. */
  readonly comment: string | null;
  readonly named: boolean;
  readonly raterRef: string;
  readonly submittedAt: string;
  readonly bad: boolean;
  readonly review: { readonly outcome: 'stands' | 'mistaken' | 'malicious'; readonly reason: string } | null;
  /** The department's request for review (申诉), pending until a supervisor reviews. */
  readonly reviewRequest: { readonly reason: string; readonly department: string } | null;
  readonly rectification: Rectification | null;
}

export interface EvaluationState {
  readonly caseId: string | null;
  readonly facts: CaseFacts | null;
  readonly invitations: Readonly<Record<string, Invitation>>;
  readonly ratings: Readonly<Record<string, RatingRecord>>;
  /** occasion key → rating id: the one-rating-per-occasion index (R-EVAL-2). */
  readonly rated: Readonly<Record<string, string>>;
}

export const initialEvaluationState = (): EvaluationState => ({ caseId: null, facts: null, invitations: {}, ratings: {}, rated: {} });

function withRating(state: EvaluationState, ratingId: string, change: (r: RatingRecord) => RatingRecord): EvaluationState {
  const current = state.ratings[ratingId];
  if (!current) return state;
  return { ...state, ratings: { ...state.ratings, [ratingId]: change(current) } };
}

function withRectification(state: EvaluationState, ratingId: string, change: (r: Rectification) => Rectification): EvaluationState {
  return withRating(state, ratingId, (r) => (r.rectification ? { ...r, rectification: change(r.rectification) } : r));
}

export function evolveEvaluation(state: EvaluationState, event: EvaluationEvent): EvaluationState {
  switch (event.type) {
    case 'CaseRegistered': {
      const d = event.data;
      return { ...state, caseId: d.caseId, facts: { itemCode: d.itemCode, applicantRef: d.applicantRef, serviceCentre: d.serviceCentre, department: d.department } };
    }
    case 'ResponsibleDepartmentAssigned': {
      if (!state.facts) return state;
      // A rating given before the department was known (delivery can overtake acceptance across
      // topics) is handed to that department now, or nobody could ever rectify it.
      const department = event.data.department;
      const ratings = Object.fromEntries(
        Object.entries(state.ratings).map(([id, r]) => [
          id,
          r.rectification && r.rectification.department === null ? { ...r, rectification: { ...r.rectification, department } } : r,
        ]),
      );
      return { ...state, facts: { ...state.facts, department }, ratings };
    }
    case 'RatingInvited': {
      const d = event.data;
      return {
        ...state,
        caseId: d.caseId,
        invitations: { ...state.invitations, [occasionKey(d.occasion)]: { invitationId: d.invitationId, occasion: d.occasion, serviceCentre: d.serviceCentre } },
      };
    }
    case 'RatingSubmitted': {
      const d = event.data;
      const record: RatingRecord = {
        ratingId: d.ratingId,
        occasion: d.occasion,
        level: d.level,
        channel: d.channel,
        indicators: d.indicators,
        comment: d.comment,
        named: d.named,
        raterRef: d.raterRef,
        submittedAt: d.submittedAt,
        bad: isBadLevel(d.level),
        review: null,
        reviewRequest: null,
        rectification: null,
      };
      return { ...state, ratings: { ...state.ratings, [d.ratingId]: record }, rated: { ...state.rated, [occasionKey(d.occasion)]: d.ratingId } };
    }
    case 'RectificationOpened': {
      const d = event.data;
      return withRating(state, d.ratingId, (r) => ({
        ...r,
        rectification: { status: 'open', department: d.department, dueDate: d.dueDate, dueAt: d.dueAt, finding: null, callbacks: 0, feedback: null, appeal: null },
      }));
    }
    case 'RectificationVerified':
      return withRectification(state, event.data.ratingId, (r) => ({ ...r, status: 'verified', finding: event.data.finding }));
    case 'RaterCalledBack':
      return withRectification(state, event.data.ratingId, (r) => ({ ...r, callbacks: r.callbacks + 1 }));
    case 'RectificationFeedbackGiven': {
      const d = event.data;
      return withRectification(state, d.ratingId, (r) => ({
        ...r,
        status: 'completed',
        feedback: { outcome: d.outcome, feedback: d.feedback, givenAt: d.givenAt, withinLimit: d.withinLimit },
      }));
    }
    case 'RatingAppealed':
      return withRectification(state, event.data.ratingId, (r) => ({ ...r, appeal: { status: 'pending', reason: event.data.reason } }));
    case 'AppealDecided': {
      const d = event.data;
      return withRectification(state, d.ratingId, (r) => ({
        ...r,
        appeal: r.appeal ? { ...r.appeal, status: d.outcome } : r.appeal,
        ...(d.outcome === 'reopened' && d.reopenedDueDate !== null && d.reopenedDueAt !== null
          ? { status: 'reopened' as const, dueDate: d.reopenedDueDate, dueAt: d.reopenedDueAt }
          : {}),
      }));
    }
    case 'RatingReviewRequested':
      return withRating(state, event.data.ratingId, (r) => ({ ...r, reviewRequest: { reason: event.data.reason, department: event.data.requestedBy.department } }));
    case 'RatingReviewed': {
      const d = event.data;
      return withRating(state, d.ratingId, (r) => ({
        ...r,
        review: { outcome: d.outcome, reason: d.reason },
        rectification: r.rectification && d.closesRectification ? { ...r.rectification, status: 'closed-by-exclusion' } : r.rectification,
      }));
    }
  }
}
