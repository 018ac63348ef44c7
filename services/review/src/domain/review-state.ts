/** The state of one review case, folded from its events. */
import type { ReviewEvent, ReviewEventOf, DecisionDraft } from './review-events.ts';
import type { Applicant, Deadline, ItemFacts, LicenceForm, MaterialRef, Signature, StaffRef, SuspensionReason } from './values.ts';

export interface OpinionRequestState {
  readonly requestId: string;
  readonly department: string;
  readonly due: Deadline;
  readonly answer: ReviewEventOf<'OpinionGiven'>['data'] | null;
}

export interface SuspensionState {
  readonly suspensionId: string;
  readonly reason: SuspensionReason;
  readonly from: string;
  readonly to: string | null;
  readonly note: string | null;
}

export interface OpenCase {
  readonly status: 'open' | 'decided';
  readonly caseId: string;
  readonly item: ItemFacts;
  readonly applicant: Applicant;
  readonly leadDepartment: string;
  readonly assistingDepartments: readonly string[];
  readonly materials: readonly MaterialRef[];
  readonly acceptedOn: string;
  readonly decisionDue: Deadline;
  readonly statutoryDue: Deadline;
  readonly opinionRequests: readonly OpinionRequestState[];
  readonly signatures: readonly Signature[];
  readonly draft: DecisionDraft | null;
  readonly collectiveMinutesId: string | null;
  readonly extended: boolean;
  readonly suspensions: readonly SuspensionState[];
  /** Supplement notices whose time intake excluded (each applied once). */
  readonly excludedNotices: readonly string[];
  readonly requestedForms: readonly LicenceForm[] | null;
  /** Set when tolerated deficiencies lapsed: the case can only be refused (R-ACC-2). */
  readonly lapse: ReviewEventOf<'ToleratedDeficiencyLapsed'>['data'] | null;
  readonly decision: ReviewEventOf<'DecisionMade'>['data'] | null;
  readonly contacts: readonly { contactId: string; touchpoint: string; staff: StaffRef; occurredAt: string }[];
}

export type ReviewState =
  | { readonly status: 'none' }
  | { readonly status: 'noted'; readonly submission: ReviewEventOf<'SubmissionNoted'>['data'] }
  | OpenCase;

export const initialReviewState = (): ReviewState => ({ status: 'none' });

export function evolveReview(state: ReviewState, event: ReviewEvent): ReviewState {
  if (event.type === 'SubmissionNoted') return state.status === 'none' ? { status: 'noted', submission: event.data } : state;
  if (event.type === 'ReviewOpened') {
    const d = event.data;
    return {
      status: 'open',
      caseId: d.caseId,
      item: d.item,
      applicant: d.applicant,
      leadDepartment: d.leadDepartment,
      assistingDepartments: d.assistingDepartments,
      materials: d.materials,
      acceptedOn: d.acceptedOn,
      decisionDue: d.decisionDue,
      statutoryDue: d.statutoryDue,
      opinionRequests: [],
      signatures: [],
      draft: null,
      collectiveMinutesId: null,
      extended: false,
      suspensions: [],
      excludedNotices: [],
      requestedForms: null,
      lapse: null,
      decision: null,
      contacts: [],
    };
  }
  // Every other event follows ReviewOpened in its stream.
  if (state.status === 'none' || state.status === 'noted') return state;
  switch (event.type) {
    case 'OpinionRequested':
      return {
        ...state,
        opinionRequests: [...state.opinionRequests, { requestId: event.data.requestId, department: event.data.department, due: event.data.due, answer: null }],
      };
    case 'OpinionGiven':
      return {
        ...state,
        opinionRequests: state.opinionRequests.map((r) => (r.requestId === event.data.requestId ? { ...r, answer: event.data } : r)),
      };
    case 'DecisionSigned':
      return {
        ...state,
        signatures: [...state.signatures, { role: event.data.role, signer: event.data.signer, signedAt: event.data.signedAt }],
        draft: event.data.draft,
      };
    case 'CollectiveDecisionRecorded':
      return { ...state, collectiveMinutesId: event.data.minutesId };
    case 'DecisionMade':
      return { ...state, status: 'decided', decision: event.data };
    case 'TimeLimitExtended':
      return { ...state, extended: true, decisionDue: event.data.newDue, statutoryDue: event.data.newStatutoryDue };
    case 'ClockSuspended':
      return {
        ...state,
        suspensions: [...state.suspensions, { suspensionId: event.data.suspensionId, reason: event.data.reason, from: event.data.from, to: null, note: event.data.note }],
      };
    case 'ClockResumed':
      return {
        ...state,
        decisionDue: event.data.newDue,
        statutoryDue: event.data.newStatutoryDue,
        suspensions: state.suspensions.map((s) => (s.suspensionId === event.data.suspensionId ? { ...s, to: event.data.to } : s)),
      };
    case 'ToleratedDeficiencyLapsed': {
      // An approval drafted before the lapse no longer stands: its signatures go with it.
      const approvalPending = state.status === 'open' && state.draft?.outcome === 'approve';
      return { ...state, lapse: event.data, ...(approvalPending && { signatures: [], draft: null }) };
    }
    case 'SupplementTimeExcluded':
      return {
        ...state,
        excludedNotices: [...state.excludedNotices, event.data.noticeId],
        decisionDue: event.data.newDue,
        statutoryDue: event.data.newStatutoryDue,
      };
    case 'LicenceFormsRequested':
      return { ...state, requestedForms: event.data.forms };
    case 'ApplicantNoticeDue':
      return state;
    case 'ContactRecorded':
      return {
        ...state,
        contacts: [...state.contacts, { contactId: event.data.contactId, touchpoint: event.data.touchpoint, staff: event.data.staff, occurredAt: event.data.occurredAt }],
      };
  }
}

/** True when every assisting department was asked and every request is answered (R-COLLAB-1). */
export function collaborationComplete(state: OpenCase): boolean {
  return state.assistingDepartments.every((department) => {
    const requests = state.opinionRequests.filter((r) => r.department === department);
    return requests.length > 0 && requests.every((r) => r.answer !== null);
  });
}

export const openSuspension = (state: OpenCase): SuspensionState | undefined => state.suspensions.find((s) => s.to === null);

/**
 * R-REV-3: the forms a licence is issued in. The applicant may ask for both;
 * paper is dropped where the item abolished it, electronic where the item has
 * no e-licence yet. With no request on file, the default is the electronic
 * licence where available (Art. 34 gives it full force), else paper.
 */
export function licenceFormsFor(item: ItemFacts, requested: readonly LicenceForm[] | null): LicenceForm[] {
  const possible = (form: LicenceForm) => (form === 'electronic' ? item.licence.electronicAvailable : !item.licence.paperAbolished);
  const wanted = requested ?? [item.licence.electronicAvailable ? 'electronic' : 'paper'];
  const forms = (['electronic', 'paper'] as const).filter((f) => wanted.includes(f) && possible(f));
  if (forms.length > 0) return forms;
  // Asked only for a form the item cannot give: the other one is what the law leaves.
  return (['electronic', 'paper'] as const).filter(possible);
}
