/**
 * Commands on a review case. Instants, ids and anything computed on the
 * working-day calendar (new due dates) arrive in the command: the decider
 * reads no clock and no calendar file.
 */
import type { DecisionDraft, ReviewEventOf } from './review-events.ts';
import type { Deadline, LicenceForm, MaterialRef, Reason, SealImprint, SignatureRole, StaffRef, SuspensionReason } from './values.ts';

export type NoteSubmission = { type: 'NoteSubmission'; data: ReviewEventOf<'SubmissionNoted'>['data'] };

export type OpenReview = { type: 'OpenReview'; data: ReviewEventOf<'ReviewOpened'>['data'] };

export type RequestOpinion = {
  type: 'RequestOpinion';
  data: {
    requestId: string;
    department: string;
    question: string;
    /** Defaults to the case's whole data set (R-COLLAB-2). */
    materials?: readonly MaterialRef[];
    due: Deadline;
    requestedAt: string;
    requestedBy: StaffRef;
  };
};

export type GiveOpinion = { type: 'GiveOpinion'; data: ReviewEventOf<'OpinionGiven'>['data'] };

export type SignDecision = {
  type: 'SignDecision';
  data: {
    role: SignatureRole;
    signer: StaffRef;
    signedAt: string;
    /** The handler's signature carries the draft; the chief's may only repeat it. */
    draft?: DecisionDraft;
    /**
     * Items that by law need a collective decision (R-REV-5 exception): the
     * step after the two signatures records the collective decision's minutes
     * instead of a third signature.
     */
    collectiveMinutesId?: string;
    /** The decision document's id, used when this step concludes the case. */
    decisionId: string;
    /**
     * The seal over the decision document (`decisionDocument`), required when
     * this step concludes: the app asks `concludingDecision` first, seals, then decides.
     */
    seal?: SealImprint;
  };
};

export type ExtendTimeLimit = {
  type: 'ExtendTimeLimit';
  data: {
    authority: 'agency-head' | 'government-head';
    extensionWorkingDays: number;
    reason: Reason | null;
    approvedBy: StaffRef;
    applicantToldAt: string;
    /** The deadlines moved by `extensionWorkingDays` on the calendar (computed by the app). */
    newDue: Deadline;
    newStatutoryDue: Deadline;
    extendedAt: string;
  };
};

export type SuspendClock = {
  type: 'SuspendClock';
  data: {
    suspensionId: string;
    reason: SuspensionReason;
    from: string;
    note: string | null;
    noticeId: string;
    expectedWorkingDays: number;
    applicantToldAt: string | null;
    suspendedBy: StaffRef;
  };
};

export type ResumeClock = {
  type: 'ResumeClock';
  data: {
    to: string;
    /** The deadlines recomputed with the closed suspension excluded (computed by the app). */
    newDue: Deadline;
    newStatutoryDue: Deadline;
    resumedAt: string;
    resumedBy: StaffRef;
  };
};

export type NoteDeficiencyLapse = { type: 'NoteDeficiencyLapse'; data: ReviewEventOf<'ToleratedDeficiencyLapsed'>['data'] };

export type ExcludeSupplementTime = {
  type: 'ExcludeSupplementTime';
  data: {
    noticeId: string;
    from: string;
    to: string;
    /** The deadlines with the days after acceptance excluded (computed by the app on the calendar). */
    newDue: Deadline;
    newStatutoryDue: Deadline;
  };
};

export type RequestLicenceForms = { type: 'RequestLicenceForms'; data: { forms: readonly LicenceForm[]; requestedAt: string } };

export type RecordContact = {
  type: 'RecordContact';
  data: { contactId: string; touchpoint: string; staff: StaffRef; occurredAt: string; summary: string; recordedAt: string };
};

export type ReviewCommand =
  | NoteSubmission
  | OpenReview
  | RequestOpinion
  | GiveOpinion
  | SignDecision
  | ExtendTimeLimit
  | SuspendClock
  | ResumeClock
  | NoteDeficiencyLapse
  | ExcludeSupplementTime
  | RequestLicenceForms
  | RecordContact;
