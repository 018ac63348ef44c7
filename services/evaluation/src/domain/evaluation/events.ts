/**
 * Events of one case's evaluation ledger (stream `evaluation-<caseId>`): what
 * evaluation learnt about the case, the invitations, every rating and, for a
 * bad rating, its rectification, callback, appeal and review. One stream per
 * case makes "one rating per occasion" a check against that stream's state,
 * guarded by the store's expected revision against a concurrent second rating.
 */
import { z } from 'zod';
import { Day, Department, Id, IndicatorScores, Instant, Occasion, RatingChannel, RatingLevel, Staff } from '../values.ts';

const CaseRegistered = z.object({
  caseId: Id,
  itemCode: z.string().min(1).max(80),
  /** Opaque applicant reference from intake: the rater's token subject (R-ID-1, PIPL). */
  applicantRef: z.string().min(1).max(100),
  serviceCentre: Id.nullable(),
  /** Lead department of a cross-department case (R-COLLAB-1); otherwise learnt at acceptance. */
  department: Department.nullable(),
  submittedAt: Instant,
});

const ResponsibleDepartmentAssigned = z.object({
  caseId: Id,
  department: Department,
  /** decision: the department that decided the case, when acceptance was deemed and named none. */
  source: z.enum(['collaboration-lead', 'acceptance', 'decision']),
  assignedAt: Instant,
});

const RatingInvited = z.object({
  caseId: Id,
  invitationId: Id,
  occasion: Occasion,
  deliveryMethod: z.enum(['window-pickup', 'kiosk-pickup', 'electronic', 'post']),
  /** Where the on-site occasion happened (window pickup); null otherwise. */
  serviceCentre: Id.nullable(),
  deliveredAt: Instant,
  invitedAt: Instant,
});

const RatingSubmitted = z.object({
  caseId: Id,
  ratingId: Id,
  occasion: Occasion,
  channel: RatingChannel,
  level: RatingLevel,
  indicators: IndicatorScores,
  /** Free text; may hold personal data, so it never leaves this service. */
  comment: z.string().max(2000).nullable(),
  /** Named ratings get a callback (51号文). */
  named: z.boolean(),
  raterRef: z.string().min(1).max(100),
  /** Copied from the case at rating time, so statistics are a fold of this event alone. */
  department: Department.nullable(),
  itemCode: z.string().min(1).max(80),
  serviceCentre: Id.nullable(),
  invitationId: Id.nullable(),
  submittedAt: Instant,
});

const RectificationOpened = z.object({
  caseId: Id,
  ratingId: Id,
  department: Department.nullable(),
  openedAt: Instant,
  /** Last day of the 7 (Asia/Shanghai) and the instant it runs out (R-EVAL-3). */
  dueDate: Day,
  dueAt: Instant,
});

const RectificationVerified = z.object({
  caseId: Id,
  ratingId: Id,
  /** substantiated: the complaint holds and is rectified; unreasonable: unreasonable or without legal basis, explained. */
  finding: z.enum(['substantiated', 'unreasonable']),
  note: z.string().min(1).max(2000),
  verifiedBy: Staff,
  verifiedAt: Instant,
});

const RaterCalledBack = z.object({
  caseId: Id,
  ratingId: Id,
  calledBy: Staff,
  calledAt: Instant,
  reached: z.boolean(),
  summary: z.string().min(1).max(2000),
});

const RectificationFeedbackGiven = z.object({
  caseId: Id,
  ratingId: Id,
  outcome: z.enum(['rectified', 'explained']),
  /** What was done (rectified) or the explanation with its basis (explained); internal. */
  measures: z.string().min(1).max(2000),
  /** The feedback to the rater, published online (R-EVAL-4): no personal data. */
  feedback: z.string().min(1).max(2000),
  givenBy: Staff,
  givenAt: Instant,
  withinLimit: z.boolean(),
});

const RatingAppealed = z.object({
  caseId: Id,
  ratingId: Id,
  reason: z.string().min(1).max(2000),
  appealedAt: Instant,
});

const AppealDecided = z.object({
  caseId: Id,
  ratingId: Id,
  /** dismissed: the feedback stands; reopened: the department handles it again, with 7 new days. */
  outcome: z.enum(['dismissed', 'reopened']),
  reason: z.string().min(1).max(2000),
  decidedBy: z.string().min(1).max(100),
  decidedAt: Instant,
  /** The department the reopened rectification goes back to. */
  department: Department.nullable(),
  reopenedDueDate: Day.nullable(),
  reopenedDueAt: Instant.nullable(),
});

const RatingReviewRequested = z.object({
  caseId: Id,
  ratingId: Id,
  /** Why the department holds the rating mistaken or malicious (申诉). */
  reason: z.string().min(1).max(2000),
  requestedBy: Staff,
  requestedAt: Instant,
});

const RatingReviewed = z.object({
  caseId: Id,
  ratingId: Id,
  /** stands: the rating counts; mistaken / malicious: excluded from statistics, the reason kept. */
  outcome: z.enum(['stands', 'mistaken', 'malicious']),
  reason: z.string().min(1).max(2000),
  reviewedBy: z.string().min(1).max(100),
  reviewedAt: Instant,
  /** An exclusion also ends a rectification still open: it had no ground. */
  closesRectification: z.boolean(),
  withinLimit: z.boolean().nullable(),
});

export const evaluationEventSchemas = {
  CaseRegistered,
  ResponsibleDepartmentAssigned,
  RatingInvited,
  RatingSubmitted,
  RectificationOpened,
  RectificationVerified,
  RaterCalledBack,
  RectificationFeedbackGiven,
  RatingAppealed,
  AppealDecided,
  RatingReviewRequested,
  RatingReviewed,
} as const;

type Schemas = typeof evaluationEventSchemas;
export type EvaluationEvent = { [T in keyof Schemas]: { readonly type: T; readonly data: z.infer<Schemas[T]> } }[keyof Schemas];
export type EvaluationEventOf<T extends EvaluationEvent['type']> = Extract<EvaluationEvent, { type: T }>;
export type EvaluationEventData<T extends EvaluationEvent['type']> = EvaluationEventOf<T>['data'];
