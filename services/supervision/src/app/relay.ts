/**
 * Supervision's relay (messaging's relay over its own deadline streams, the
 * outbox): the published contracts of deadline events, keyed by case id,
 * with the stored event's id as the CloudEvents id (consumers deduplicate on
 * it). Automatic outcomes go out as commands to the owning service. Resumes
 * from its stored checkpoint; a crash republishes the last batch, which is
 * harmless for the same reason.
 */
import type { IntegrationEvent } from '@govsvc/contracts/registry';
import { fold } from '@govsvc/eventstore/decider';
import type { EventStore, StoredEvent } from '@govsvc/eventstore/port';
import type { MessageBus } from '@govsvc/messaging/bus';
import { createRelay, type Relay, type RelayLogger } from '@govsvc/messaging/relay';
import { deadlineDecider, type DeadlineState } from '../domain/deadline-decider.ts';
import type { DeadlineEvent } from '../domain/deadline-events.ts';
import { DEADLINE_RULES, type DeadlineKind } from '../domain/kinds.ts';
import { DEADLINE_CATEGORY, ownDeadlineCodec } from './codecs.ts';
import { DeadlineFoldCache } from './deadlines.ts';

/** The published kind of each deadline kind (`supervision.deadline-*.v1`); null where v1 has none yet. */
export const CONTRACT_KIND: { readonly [K in DeadlineKind]: string | null } = {
  acceptance: 'acceptance-decision',
  'deemed-acceptance': 'acceptance-decision',
  supplement: 'supplement',
  'tolerated-deficiency': 'tolerated-deficiency',
  'decision-promised': 'review-decision',
  'decision-statutory': 'review-decision',
  step: 'step',
  opinion: 'opinion',
  'licence-issuance': 'licence-issuance',
  'result-delivery': 'licence-issuance',
  renewal: 'renewal-decision',
  'rating-rectification': 'rating-rectification',
  // v1 of the published deadline events has no kind for these: they stay internal until a v2 adds them.
  'proof-filing': null,
  complaint: null,
};

const deadline = (date: string, provisional: boolean) => ({ date, provisional });

/** The contract for one deadline event, given the deadline's state after it; null when nothing is published. */
export function contractOf(event: DeadlineEvent, state: DeadlineState): IntegrationEvent | null {
  const opened = state.opened;
  if (opened === null) return null;
  const kind = CONTRACT_KIND[opened.kind];
  const base = { caseId: opened.caseId, deadlineId: opened.deadlineId };
  const provisional = state.schedule?.provisional ?? false;
  switch (event.type) {
    case 'DeadlineOpened':
      if (kind === null) return null;
      return {
        type: 'supervision.deadline-opened.v1',
        data: {
          ...base,
          kind: kind as never,
          rule: DEADLINE_RULES[opened.kind].requirement,
          openedAt: event.data.openedAt,
          due: deadline(event.data.due, event.data.provisional),
          warnOn: event.data.warnAt.slice(0, 10),
          automaticOutcome: event.data.automaticOutcome,
        },
      };
    case 'DeadlineWarned':
      if (kind === null) return null;
      return {
        type: 'supervision.deadline-warned.v1',
        data: { ...base, kind: kind as never, due: deadline(event.data.due, provisional), remainingWorkingDays: event.data.remainingUnits, warnedAt: event.data.at },
      };
    case 'DeadlineBreached':
      if (kind === null) return null;
      return {
        type: 'supervision.deadline-breached.v1',
        data: {
          ...base,
          kind: kind as never,
          card: 'yellow',
          due: deadline(event.data.due, provisional),
          followUpDue: deadline(event.data.followUpDue, false),
          automaticOutcome: opened.automaticOutcome,
          breachedAt: event.data.at,
        },
      };
    case 'DeadlineEscalated':
      if (kind === null) return null;
      return {
        type: 'supervision.deadline-breached.v1',
        data: { ...base, kind: kind as never, card: 'red', due: deadline(event.data.followUpDue, false), automaticOutcome: opened.automaticOutcome, breachedAt: event.data.at },
      };
    case 'DeadlineClosed':
      if (kind === null) return null;
      return {
        type: 'supervision.deadline-closed.v1',
        data: { ...base, kind: kind as never, resolution: event.data.resolution === 'late' ? 'met-late' : event.data.resolution, closedAt: event.data.at },
      };
    case 'AutomaticOutcomeRequested':
      return outcomeCommandOf(event, state);
    default:
      return null;
  }
}

function outcomeCommandOf(event: Extract<DeadlineEvent, { type: 'AutomaticOutcomeRequested' }>, state: DeadlineState): IntegrationEvent {
  const opened = state.opened!;
  const common = { commandId: event.data.commandId, caseId: opened.caseId, deadlineId: opened.deadlineId, requestedAt: event.data.at };
  const due = event.data.details['due'] ?? state.schedule!.due;
  switch (event.data.outcome) {
    case 'deemed-accepted':
      return { type: 'supervision.deem-acceptance-command.v1', data: { ...common, receivedOn: opened.start, noticeDue: due } };
    case 'refusal-decision-required':
      return { type: 'supervision.lapse-tolerated-deficiency-command.v1', data: { ...common, deadline: due } };
    case 'renewal-deemed-granted':
      return { type: 'supervision.deem-renewal-granted-command.v1', data: { ...common, licenceId: opened.step, previousExpiry: due } };
  }
}

/**
 * The relay's mapping: the contract of one stored deadline event, from the
 * deadline's state as of that event: folded onto the state the stream's
 * previous event left, or read from the stream when that is not held (after a
 * restart). `giveWay` holds it back while the scheduler fires a wave.
 */
export function deadlineContractMapping(store: EventStore, states = new DeadlineFoldCache(), giveWay?: () => Promise<void> | undefined) {
  return async (stored: StoredEvent): Promise<IntegrationEvent | null> => {
    if (!stored.stream.startsWith(`${DEADLINE_CATEGORY}-`)) return null;
    // While the scheduler fires a wave, publishing waits (a moment at most): see Scheduler.whenQuiet.
    const wait = giveWay?.();
    if (wait !== undefined) await wait;
    const event = ownDeadlineCodec.decode(stored);
    // The relay delivers each stream's events in revision order, so the state before this event is usually the
    // one the previous event of the stream left: fold this one onto it instead of reading the stream again.
    const before = stored.revision === 0n ? deadlineDecider.initialState() : states.at(stored.stream, stored.revision - 1n);
    const state =
      before !== undefined
        ? deadlineDecider.evolve(before, event)
        : fold(deadlineDecider, (await store.readStream(stored.stream, { maxCount: Number(stored.revision) + 1 })).map((e) => ownDeadlineCodec.decode(e)));
    states.remember(stored.stream, stored.revision, state);
    return contractOf(event, state);
  };
}

export const RELAY_NAME = 'relay-supervision';
/** Supervision writes a third of all events: its relay gathers 50 ms of deadline commits per round when busy. */
const RELAY_LINGER_MS = 50;

/** Supervision's relay: its deadline streams to the supervision topic (contracts and outcome commands). */
export function createSupervisionRelay(store: EventStore, bus: MessageBus, log?: RelayLogger, topicFor?: (topic: string) => string, giveWay?: () => Promise<void> | undefined): Relay {
  return createRelay({
    store,
    bus,
    name: RELAY_NAME,
    map: deadlineContractMapping(store, new DeadlineFoldCache(), giveWay),
    filter: { categories: [DEADLINE_CATEGORY] },
    batchSize: 500,
    lingerMs: RELAY_LINGER_MS,
    ...(log ? { log } : {}),
    ...(topicFor ? { topicFor } : {}),
  });
}
