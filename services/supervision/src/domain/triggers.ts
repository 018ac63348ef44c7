/**
 * The second half of the rule table: which published contract opens,
 * suspends, resumes, extends and closes which deadline. One entry per
 * contract type; each turns the contract's data (and what the case file
 * knows) into effects on deadlines. Pure: the app layer carries them out.
 */
import { shanghaiDateOf, type CivilDate } from '@govsvc/calendar/civil-date';
import type { SuspensionReason } from '@govsvc/calendar/suspension';
import type { CurrentIntegrationEvent, CurrentTypeName, DataOf } from '@govsvc/contracts/registry';
import type { CaseContext, ContextPatch, GuideFacts } from './case-file.ts';
import type { DeadlineKind } from './kinds.ts';

export type Effect =
  | {
      readonly effect: 'open';
      readonly kind: DeadlineKind;
      readonly step: string;
      readonly start: CivilDate;
      readonly openedAt: string;
      readonly amount?: number;
      readonly statedDue?: string;
      /** Who owns it when not the case's department (an assisting department's opinion, a step's handler). */
      readonly department?: string;
    }
  | {
      readonly effect: 'close';
      readonly kind: DeadlineKind;
      /** Omitted: every open deadline of the kind on the case. */
      readonly step?: string;
      /** Every deadline of the kind whose step starts with this (a reopened rectification has its own step). */
      readonly stepPrefix?: string;
      readonly at: string;
      readonly resolution: 'met-or-late' | 'cancelled' | 'automatic-outcome';
    }
  | { readonly effect: 'suspend'; readonly kinds: readonly DeadlineKind[]; readonly suspensionId: string; readonly from: CivilDate; readonly reason: SuspensionReason; readonly at: string }
  | { readonly effect: 'resume'; readonly kinds: readonly DeadlineKind[]; readonly suspensionId: string; readonly until: CivilDate; readonly at: string }
  | {
      readonly effect: 'extend';
      readonly kinds: readonly DeadlineKind[];
      readonly extensionId: string;
      readonly units: number;
      readonly reason: string;
      readonly approvedBy: string | null;
      readonly at: string;
    };

export interface Plan {
  /** The case (or, for catalog proofs, the item) the effects are about. */
  readonly caseId: string;
  readonly context: ContextPatch;
  readonly effects: readonly Effect[];
}

/** What a trigger sees besides the contract: the case file and the guide version the case is bound to. */
export interface TriggerInput {
  readonly context: CaseContext;
  readonly guide: GuideFacts | null;
}

const day = (instant: string): CivilDate => shanghaiDateOf(instant);
const DECISION_KINDS = ['decision-promised', 'decision-statutory'] as const satisfies readonly DeadlineKind[];
/** Item type 01 is 行政许可: only licensing items get the Licensing Law's deemed acceptance (Art. 32). */
const LICENSING = '01';

type Handler<T extends CurrentTypeName> = (data: DataOf<T>, input: TriggerInput) => { context?: ContextPatch; effects: Effect[] };

type Table = { readonly [T in CurrentTypeName]?: Handler<T> };

export const TRIGGERS: Table = {
  'intake.application-submitted.v1': (d, { guide, context }) => {
    // Delivered after the case's acceptance (a replay or republish out of order; Kafka keeps a case's order
    // otherwise): the acceptance stage is over, so opening its deadlines would card a case that was accepted,
    // and noting the context again would note the case twice. The acceptance noted item, guide and
    // department; the service centre and day of receipt of such a case stay unknown to supervision.
    if (context.deadlines.some((t) => (DECISION_KINDS as readonly DeadlineKind[]).includes(t.kind))) return { effects: [] };
    const start = day(d.submittedAt);
    // The implementing body is the default; the accepting clerk's department (case-accepted) is the fact
    // and wins, so a submission delivered again after the acceptance neither overwrites it nor notes the case twice.
    const department = context.department === null ? (guide?.implementingBody ?? d.collaboration?.leadDepartment) : undefined;
    return {
      context: {
        itemCode: d.itemCode,
        guideVersion: d.guideVersion,
        centre: d.serviceCentre,
        receivedOn: start,
        ...(department !== undefined ? { department } : {}),
        ...(guide ? { itemName: guide.itemName } : {}),
      },
      effects: [
        { effect: 'open', kind: 'acceptance', step: 'submission', start, openedAt: d.submittedAt },
        ...(guide?.itemType === LICENSING ? [{ effect: 'open', kind: 'deemed-acceptance', step: 'submission', start, openedAt: d.submittedAt } as const] : []),
      ],
    };
  },

  // A supplement notice is an acceptance outcome (R-ACC-2) and the notice Art. 32 asks for.
  'intake.supplement-requested.v1': (d) => ({
    effects: [
      { effect: 'close', kind: 'acceptance', at: d.requestedAt, resolution: 'met-or-late' },
      { effect: 'close', kind: 'deemed-acceptance', at: d.requestedAt, resolution: 'met-or-late' },
      { effect: 'open', kind: 'supplement', step: d.notice.documentId, start: day(d.requestedAt), openedAt: d.requestedAt, statedDue: d.deadline.date },
    ],
  }),

  'intake.supplement-received.v1': (d) => {
    if (!d.complete) return { effects: [] };
    if (d.notice.kind === 'tolerated-deficiency-notice') {
      return { effects: [{ effect: 'close', kind: 'tolerated-deficiency', step: d.notice.documentId, at: d.receivedAt, resolution: 'met-or-late' }] };
    }
    // With the materials complete, the acceptance decision is due again within one working day.
    return {
      effects: [
        { effect: 'close', kind: 'supplement', step: d.notice.documentId, at: d.receivedAt, resolution: 'met-or-late' },
        { effect: 'open', kind: 'acceptance', step: `after-${d.notice.documentId}`, start: day(d.receivedAt), openedAt: d.receivedAt },
      ],
    };
  },

  'intake.case-accepted.v2': (d, { guide }) => {
    const start = d.effectiveFrom as CivilDate;
    const deemed = d.basis === 'deemed';
    const effects: Effect[] = [
      { effect: 'close', kind: 'acceptance', at: d.acceptedAt, resolution: 'met-or-late' },
      { effect: 'close', kind: 'deemed-acceptance', at: d.acceptedAt, resolution: deemed ? 'automatic-outcome' : 'met-or-late' },
      // The guide's limits when supervision knows the guide; otherwise the due dates intake stated.
      {
        effect: 'open',
        kind: 'decision-promised',
        step: 'case',
        start,
        openedAt: d.acceptedAt,
        ...(guide ? { amount: guide.promisedLimitWorkingDays } : { statedDue: d.decisionDue.date }),
      },
      {
        effect: 'open',
        kind: 'decision-statutory',
        step: 'case',
        start,
        openedAt: d.acceptedAt,
        ...(guide ? { amount: guide.statutoryLimitWorkingDays } : { statedDue: d.statutoryDue.date }),
      },
    ];
    if (d.toleratedDeficiencies) {
      effects.push({
        effect: 'open',
        kind: 'tolerated-deficiency',
        step: d.toleratedDeficiencies.notice.documentId,
        start: day(d.acceptedAt),
        openedAt: d.acceptedAt,
        statedDue: d.toleratedDeficiencies.deadline.date,
      });
    }
    return { context: d.basis === 'decision' ? { department: d.acceptedBy.department } : {}, effects };
  },

  'intake.case-not-accepted.v1': (d) => ({
    effects: [
      { effect: 'close', kind: 'acceptance', at: d.decidedAt, resolution: 'met-or-late' },
      { effect: 'close', kind: 'deemed-acceptance', at: d.decidedAt, resolution: 'met-or-late' },
      { effect: 'close', kind: 'supplement', at: d.decidedAt, resolution: 'cancelled' },
    ],
  }),

  'intake.tolerated-deficiency-lapsed.v1': (d) => ({
    effects: [{ effect: 'close', kind: 'tolerated-deficiency', step: d.notice, at: d.lapsedAt, resolution: 'automatic-outcome' }],
  }),

  'review.opinion-requested.v1': (d) => ({
    effects: [
      {
        effect: 'open',
        kind: 'opinion',
        step: d.requestId,
        start: day(d.requestedAt),
        openedAt: d.requestedAt,
        statedDue: d.due.date,
        department: d.assistingDepartment,
      },
    ],
  }),

  'review.opinion-given.v1': (d) => ({ effects: [{ effect: 'close', kind: 'opinion', step: d.requestId, at: d.givenAt, resolution: 'met-or-late' }] }),

  'review.step-started.v1': (d) => ({
    effects: [{ effect: 'open', kind: 'step', step: d.stepId, start: day(d.startedAt), openedAt: d.startedAt, amount: d.limitWorkingDays, department: d.department }],
  }),

  'review.step-completed.v1': (d) => ({ effects: [{ effect: 'close', kind: 'step', step: d.stepId, at: d.completedAt, resolution: 'met-or-late' }] }),

  'review.time-excluded.v1': (d) => ({
    effects: [{ effect: 'suspend', kinds: DECISION_KINDS, suspensionId: d.exclusionId, from: d.from as CivilDate, reason: d.reason, at: d.excludedAt }],
  }),

  'review.time-exclusion-ended.v1': (d) => ({
    effects: [{ effect: 'resume', kinds: DECISION_KINDS, suspensionId: d.exclusionId, until: d.until as CivilDate, at: d.endedAt }],
  }),

  'review.time-limit-extended.v1': (d) => ({
    effects: [
      {
        effect: 'extend',
        kinds: DECISION_KINDS,
        extensionId: `${d.extendedAt}:${d.newDue.date}`,
        units: d.extensionWorkingDays,
        reason: d.reason.text,
        approvedBy: d.approvedBy.staffId,
        at: d.extendedAt,
      },
    ],
  }),

  'review.decision-made.v1': (d) => ({
    effects: [
      { effect: 'close', kind: 'decision-promised', at: d.decidedAt, resolution: 'met-or-late' },
      { effect: 'close', kind: 'decision-statutory', at: d.decidedAt, resolution: 'met-or-late' },
      { effect: 'close', kind: 'renewal', at: d.decidedAt, resolution: 'met-or-late' },
      // Art. 44: an approval must be followed by the licence within 10 working days.
      ...(d.outcome === 'approve' ? [{ effect: 'open', kind: 'licence-issuance', step: d.decision.documentId, start: day(d.decidedAt), openedAt: d.decidedAt } as const] : []),
    ],
  }),

  'review.licence-issued.v1': (d) => ({ effects: [{ effect: 'close', kind: 'licence-issuance', at: d.issuedAt, resolution: 'met-or-late' }] }),

  // Art. 44 as delivery schedules it: the result reaches the applicant within 10 working days of the decision.
  'delivery.result-delivery-scheduled.v1': (d) => ({
    effects: [{ effect: 'open', kind: 'result-delivery', step: d.deliveryId, start: day(d.decidedAt), openedAt: d.scheduledAt }],
  }),

  'delivery.result-delivered.v1': (d) => ({ effects: [{ effect: 'close', kind: 'result-delivery', at: d.deliveredAt, resolution: 'met-or-late' }] }),

  'review.renewal-applied.v1': (d) => ({
    context: { department: d.department },
    effects: [{ effect: 'open', kind: 'renewal', step: d.licenceId, start: day(d.appliedAt), openedAt: d.appliedAt, statedDue: d.licenceExpiry }],
  }),

  'review.renewal-decided.v1': (d) => ({
    effects: [{ effect: 'close', kind: 'renewal', step: d.licenceId, at: d.decidedAt, resolution: 'met-or-late' }],
  }),

  'review.renewal-deemed-granted.v1': (d) => ({
    effects: [{ effect: 'close', kind: 'renewal', step: d.licenceId, at: d.deemedAt, resolution: 'automatic-outcome' }],
  }),

  'evaluation.rating-submitted.v1': (d) =>
    d.rectificationDue === null
      ? { effects: [] }
      : { effects: [{ effect: 'open', kind: 'rating-rectification', step: d.ratingId, start: day(d.submittedAt), openedAt: d.submittedAt }] },

  // Evaluation's own account of the 7 days, with the department; an upheld appeal reopens it with a new due day.
  'evaluation.rectification-opened.v1': (d) => ({
    effects: [
      {
        effect: 'open',
        kind: 'rating-rectification',
        step: d.reopened ? `${d.ratingId}.reopened.${d.dueDate}` : d.ratingId,
        start: day(d.openedAt),
        openedAt: d.openedAt,
        statedDue: d.dueDate,
        ...(d.department !== null ? { department: d.department } : {}),
      },
    ],
  }),

  'evaluation.rectification-completed.v1': (d) => ({
    effects: [{ effect: 'close', kind: 'rating-rectification', stepPrefix: d.ratingId, at: d.completedAt, resolution: 'met-or-late' }],
  }),

  'evaluation.complaint-received.v1': (d) => ({
    effects: [{ effect: 'open', kind: 'complaint', step: d.complaintId, start: day(d.receivedAt), openedAt: d.receivedAt, amount: d.limitWorkingDays, department: d.department }],
  }),

  'evaluation.complaint-answered.v1': (d) => ({ effects: [{ effect: 'close', kind: 'complaint', step: d.complaintId, at: d.answeredAt, resolution: 'met-or-late' }] }),

  'catalog.proof-filing-required.v1': (d) => ({
    context: { itemCode: d.itemCode, department: d.department },
    effects: [{ effect: 'open', kind: 'proof-filing', step: d.proofId, start: day(d.requiredAt), openedAt: d.requiredAt }],
  }),

  'catalog.proof-filed.v1': (d) => ({ effects: [{ effect: 'close', kind: 'proof-filing', step: d.proofId, at: d.filedAt, resolution: 'met-or-late' }] }),
};

/** The case a contract is about: its case id, or for catalog proofs the item (proof filing is the item's deadline). */
export function subjectOf(event: CurrentIntegrationEvent): string | null {
  const data = event.data as { caseId?: string; itemCode?: string };
  if (event.type.startsWith('catalog.proof-')) return data.itemCode ?? null;
  return data.caseId ?? null;
}

/** The effects of one contract, or null when supervision has nothing to do with it. */
export function planOf(event: CurrentIntegrationEvent, input: TriggerInput): Plan | null {
  const handler = TRIGGERS[event.type] as Handler<typeof event.type> | undefined;
  const caseId = subjectOf(event);
  if (!handler || caseId === null) return null;
  const { context = {}, effects } = handler(event.data as never, input);
  return { caseId, context, effects };
}
