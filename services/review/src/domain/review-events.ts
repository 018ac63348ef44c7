/**
 * Events of a review case (stream `review-<caseId>`). Facts in the business
 * language; each schema is what the store holds and what a read parses.
 */
import { z } from 'zod';
import type { EventDefinitions } from '@govsvc/eventstore/event-codec';
import {
  Applicant,
  CalendarDate,
  Deadline,
  Department,
  Id,
  Instant,
  ItemFacts,
  LicenceForm,
  MaterialRef,
  OfficeContact,
  Reason,
  SealImprint,
  Signature,
  SignatureRole,
  StaffRef,
  SuspensionReason,
  Touchpoint,
} from './values.ts';

/**
 * Intake's submission, noted when `intake.application-submitted` arrives: the
 * applicant and the collaboration set-up, which the acceptance does not repeat.
 * The case is not under review yet.
 */
export const SubmissionNoted = z.object({
  caseId: Id,
  itemCode: Id,
  guideVersion: z.string().min(1).max(40),
  applicant: Applicant,
  collaboration: z.object({ leadDepartment: Department, assistingDepartments: z.array(Department).min(1) }).nullable(),
  materials: z.array(MaterialRef),
  submittedAt: Instant,
});

export const ReviewOpened = z.object({
  caseId: Id,
  item: ItemFacts,
  applicant: Applicant,
  /** The lead department owns the flow, the material list and the time limit (R-COLLAB-1). */
  leadDepartment: Department,
  /** Empty unless the item is handled across departments (R-COLLAB-1). */
  assistingDepartments: z.array(Department),
  /** One data set shared by every department on the case (R-COLLAB-2). */
  materials: z.array(MaterialRef),
  receiptId: Id,
  /** The day acceptance takes effect: periods count from the next working day. */
  acceptedOn: CalendarDate,
  decisionDue: Deadline,
  statutoryDue: Deadline,
  openedAt: Instant,
});

export const OpinionRequested = z.object({
  requestId: Id,
  leadDepartment: Department,
  department: Department,
  question: z.string().min(1).max(2000),
  materials: z.array(MaterialRef),
  due: Deadline,
  requestedAt: Instant,
  requestedBy: StaffRef,
});

export const OpinionGiven = z.object({
  requestId: Id,
  department: Department,
  opinion: z.enum(['concur', 'concur-with-conditions', 'object']),
  reasons: z.array(Reason),
  givenAt: Instant,
  signedBy: StaffRef,
  /** How the answer arrived: a reviewer over HTTP, or a department back-end (HTTP or Kafka). */
  channel: z.enum(['http', 'kafka']),
});

const approvalDraft = z.object({ outcome: z.literal('approve') });
const refusalDraft = z.object({ outcome: z.literal('refuse'), reasons: z.array(Reason).min(1), contact: OfficeContact });
export const DecisionDraft = z.discriminatedUnion('outcome', [approvalDraft, refusalDraft]);
export type DecisionDraft = z.infer<typeof DecisionDraft>;

export const DecisionSigned = z.object({
  role: SignatureRole,
  signer: StaffRef,
  signedAt: Instant,
  /** The handler signs a draft; the chief representative signs that draft. */
  draft: DecisionDraft,
});

export const CollectiveDecisionRecorded = z.object({
  minutesId: Id,
  legalBasis: z.string().min(1).max(500).nullable(),
  recordedBy: StaffRef,
  recordedAt: Instant,
});

// The draft's fields (by outcome) and the decision's own, as one discriminated union of objects rather than
// z.intersection(DecisionDraft, …): the same data either way, but a union of objects compiles to a plain check
// (@govsvc/schema-check), so a decision is written and read without zod's copy (issue 8).
const decisionFields = {
  decisionId: Id,
  signatures: z.array(Signature).min(1).max(2),
  collectiveMinutesId: Id.nullable(),
  seal: SealImprint,
  decidedAt: Instant,
  decisionDue: Deadline,
  withinPromisedLimit: z.boolean(),
  /** The forms the licence will be issued in (approvals only; empty for refusals). */
  licenceForms: z.array(LicenceForm),
};
export const DecisionMade = z.discriminatedUnion('outcome', [approvalDraft.extend(decisionFields), refusalDraft.extend(decisionFields)]);

export const TimeLimitExtended = z.object({
  authority: z.enum(['agency-head', 'government-head']),
  extensionWorkingDays: z.int().min(1).max(15),
  reason: Reason,
  approvedBy: StaffRef,
  applicantToldAt: Instant,
  previousDue: Deadline,
  newDue: Deadline,
  previousStatutoryDue: Deadline,
  newStatutoryDue: Deadline,
  extendedAt: Instant,
});

export const ClockSuspended = z.object({
  suspensionId: Id,
  reason: SuspensionReason,
  from: CalendarDate,
  note: z.string().max(200).nullable(),
  /** The written notice telling the applicant the time needed (Licensing Law Art. 45). */
  noticeId: Id,
  expectedWorkingDays: z.int().min(1).max(365),
  applicantToldAt: Instant,
  suspendedBy: StaffRef,
});

export const ClockResumed = z.object({
  suspensionId: Id,
  to: CalendarDate,
  previousDue: Deadline,
  newDue: Deadline,
  newStatutoryDue: Deadline,
  resumedAt: Instant,
  resumedBy: StaffRef,
});

/**
 * Tolerated deficiencies (容缺) were not, or not properly, supplemented by
 * their deadline (R-ACC-2): only a refusal with reasons may follow, and an
 * approval drafted before no longer stands.
 */
export const ToleratedDeficiencyLapsed = z.object({
  noticeId: Id,
  materials: z.array(MaterialRef).min(1),
  cause: z.enum(['not-supplemented', 'still-defective']),
  deadline: CalendarDate,
  lapsedAt: Instant,
});

/**
 * Supplement time intake recorded (`intake.clock-suspended`) that falls after
 * acceptance: those working days do not count toward the decision limits.
 */
export const SupplementTimeExcluded = z.object({
  noticeId: Id,
  from: CalendarDate,
  to: CalendarDate,
  previousDue: Deadline,
  newDue: Deadline,
  newStatutoryDue: Deadline,
});

export const LicenceFormsRequested = z.object({
  forms: z.array(LicenceForm).min(1).max(2),
  requestedAt: Instant,
});

export const ContactRecorded = z.object({
  contactId: Id,
  touchpoint: Touchpoint,
  staff: StaffRef,
  occurredAt: Instant,
  summary: z.string().min(1).max(2000),
  recordedAt: Instant,
});

/**
 * What the applicant must be told now (R-NOTIFY-1): decided together with the
 * fact it reports, so no progress goes untold; delivery sends it.
 */
export const ApplicantNoticeDue = z.object({
  itemCode: Id,
  itemName: z.string().min(1).max(200),
  applicant: Applicant,
  stage: z.enum(['under-review', 'time-limit-extended', 'time-excluded', 'time-exclusion-ended', 'approved', 'refused']),
  outcome: z.string().min(1).max(2000),
  nextStep: z.enum(['await-decision', 'await-excluded-step', 'receive-licence', 'may-seek-review']),
  due: Deadline.nullable(),
  document: z.object({ documentId: Id, kind: z.string().min(1).max(60) }).nullable(),
  occurredAt: Instant,
});

type Data<S extends z.ZodType> = z.output<S>;

export type ReviewEvent =
  | { type: 'SubmissionNoted'; data: Data<typeof SubmissionNoted> }
  | { type: 'ReviewOpened'; data: Data<typeof ReviewOpened> }
  | { type: 'OpinionRequested'; data: Data<typeof OpinionRequested> }
  | { type: 'OpinionGiven'; data: Data<typeof OpinionGiven> }
  | { type: 'DecisionSigned'; data: Data<typeof DecisionSigned> }
  | { type: 'CollectiveDecisionRecorded'; data: Data<typeof CollectiveDecisionRecorded> }
  | { type: 'DecisionMade'; data: Data<typeof DecisionMade> }
  | { type: 'TimeLimitExtended'; data: Data<typeof TimeLimitExtended> }
  | { type: 'ClockSuspended'; data: Data<typeof ClockSuspended> }
  | { type: 'ClockResumed'; data: Data<typeof ClockResumed> }
  | { type: 'ToleratedDeficiencyLapsed'; data: Data<typeof ToleratedDeficiencyLapsed> }
  | { type: 'SupplementTimeExcluded'; data: Data<typeof SupplementTimeExcluded> }
  | { type: 'LicenceFormsRequested'; data: Data<typeof LicenceFormsRequested> }
  | { type: 'ContactRecorded'; data: Data<typeof ContactRecorded> }
  | { type: 'ApplicantNoticeDue'; data: Data<typeof ApplicantNoticeDue> };

export type ReviewEventOf<T extends ReviewEvent['type']> = Extract<ReviewEvent, { type: T }>;

export const reviewEventDefinitions: EventDefinitions<ReviewEvent> = {
  SubmissionNoted: { schemaVersion: 1, schema: SubmissionNoted },
  ReviewOpened: { schemaVersion: 1, schema: ReviewOpened },
  OpinionRequested: { schemaVersion: 1, schema: OpinionRequested },
  OpinionGiven: { schemaVersion: 1, schema: OpinionGiven },
  DecisionSigned: { schemaVersion: 1, schema: DecisionSigned },
  CollectiveDecisionRecorded: { schemaVersion: 1, schema: CollectiveDecisionRecorded },
  DecisionMade: { schemaVersion: 1, schema: DecisionMade },
  TimeLimitExtended: { schemaVersion: 1, schema: TimeLimitExtended },
  ClockSuspended: { schemaVersion: 1, schema: ClockSuspended },
  ClockResumed: { schemaVersion: 1, schema: ClockResumed },
  ToleratedDeficiencyLapsed: { schemaVersion: 1, schema: ToleratedDeficiencyLapsed },
  SupplementTimeExcluded: { schemaVersion: 1, schema: SupplementTimeExcluded },
  LicenceFormsRequested: { schemaVersion: 1, schema: LicenceFormsRequested },
  ContactRecorded: { schemaVersion: 1, schema: ContactRecorded },
  ApplicantNoticeDue: { schemaVersion: 1, schema: ApplicantNoticeDue },
};
