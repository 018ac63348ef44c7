/**
 * A case's history for supervisors: every event of every service about the
 * case, in global order, with who did it, when, under which guide version;
 * and the case as it was at any instant, folded from the events recorded up
 * to then. The fold is generic: it knows the lifecycle facts every service
 * records (submission, acceptance outcomes, signatures, decision, licence)
 * by their event types and supervision's own deadline events exactly.
 */
import { fold } from '@govsvc/eventstore/decider';
import type { EventStore, StoredEvent } from '@govsvc/eventstore/port';
import { cardOf, deadlineDecider, type DeadlineState } from '../domain/deadline-decider.ts';
import type { DeadlineEvent } from '../domain/deadline-events.ts';
import { DEADLINE_RULES } from '../domain/kinds.ts';
import { DEADLINE_CATEGORY, deadlineCodec } from './codecs.ts';
import { caseEvents, type CaseTimeline } from './case-timeline.ts';

export interface TimelineEntry {
  readonly position: string;
  readonly stream: string;
  readonly revision: string;
  readonly type: string;
  readonly recordedAt: string;
  readonly actor: { id: string; role: string; department?: string };
  readonly guideVersion: string | null;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly summary: string;
  readonly data: unknown;
}

const DEADLINE_SUMMARY: Record<DeadlineEvent['type'], (d: Record<string, unknown>) => string> = {
  DeadlineOpened: (d) => `时限开始：${DEADLINE_RULES[d['kind'] as keyof typeof DEADLINE_RULES]?.label ?? String(d['kind'])}，届满 ${String(d['due'])}`,
  DeadlineSuspended: (d) => `中止计时（${String(d['reason'])}）自 ${String(d['from'])}`,
  DeadlineResumed: (d) => `恢复计时，至 ${String(d['until'])} 止中止；届满改为 ${String(d['due'])}`,
  DeadlineExtended: (d) => `延长 ${String(d['units'])} 日：${String(d['reason'])}；届满 ${String(d['oldDue'])} → ${String(d['due'])}`,
  DeadlineRecomputed: (d) => `因节假日安排重新计算：${String(d['oldDue'])} → ${String(d['due'])}`,
  DeadlineWarned: (d) => `预警：剩余 ${String(d['remainingUnits'])} 日，届满 ${String(d['due'])}`,
  DeadlineBreached: (d) => `黄牌：已超过届满日 ${String(d['due'])}，督办期限 ${String(d['followUpDue'])}`,
  DeadlineEscalated: (d) => `红牌：督办期限 ${String(d['followUpDue'])} 已过`,
  AutomaticOutcomeRequested: (d) => `自动结果：${String(d['outcome'])}`,
  DeadlineClosed: (d) => `时限结束：${String(d['resolution'])}`,
};

function summaryOf(event: StoredEvent): string {
  const describe = DEADLINE_SUMMARY[event.type as DeadlineEvent['type']];
  if (describe && event.stream.startsWith(`${DEADLINE_CATEGORY}-`)) return describe(event.data as Record<string, unknown>);
  return event.type;
}

export function entryOfEvent(event: StoredEvent): TimelineEntry {
  const m = event.metadata;
  return {
    position: event.globalPosition.toString(),
    stream: event.stream,
    revision: event.revision.toString(),
    type: event.type,
    recordedAt: event.recordedAt.toISOString(),
    actor: { id: m.actor.id, role: m.actor.role, ...(m.actor.department ? { department: m.actor.department } : {}) },
    guideVersion: m.guideVersion ?? null,
    correlationId: m.correlationId,
    causationId: m.causationId ?? null,
    summary: summaryOf(event),
    data: event.data,
  };
}

export async function caseHistory(store: EventStore, timeline: CaseTimeline, caseId: string): Promise<TimelineEntry[]> {
  return (await caseEvents(store, timeline, caseId)).map(entryOfEvent);
}

export interface CaseView {
  readonly caseId: string;
  readonly at: string;
  readonly eventsApplied: number;
  readonly lastEvent: { type: string; recordedAt: string; stream: string } | null;
  readonly status: string;
  readonly outcome: string | null;
  readonly itemCode: string | null;
  readonly guideVersion: string | null;
  readonly signatures: readonly { role: string; signer: string; signedAt: string }[];
  readonly documents: readonly { documentId: string; kind: string; stream: string }[];
  readonly deadlines: readonly {
    deadlineId: string;
    kind: string;
    label: string;
    status: DeadlineState['status'];
    due: string | null;
    card: string | null;
    resolution: string | null;
  }[];
  /** Every stream of the case and the last event it had at that instant. */
  readonly streams: Readonly<Record<string, string>>;
}

/** Lifecycle status by event type, as the services name their facts (STYLE.md: past-tense business language). */
const STATUS_BY_TYPE: Readonly<Record<string, string>> = {
  ApplicationSubmitted: 'submitted',
  SupplementRequested: 'awaiting-supplement',
  SupplementReceived: 'submitted',
  CaseAccepted: 'accepted',
  CaseNotAccepted: 'not-accepted',
  ToleratedDeficiencyLapsed: 'refusal-required',
  ReviewOpened: 'in-review',
  ClockSuspended: 'in-review-clock-suspended',
  ClockResumed: 'in-review',
  DecisionMade: 'decided',
  LicenceIssued: 'licence-issued',
  RenewalDeemedGranted: 'renewal-deemed-granted',
  ResultDelivered: 'result-delivered',
};

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The case as it was at `at`: only events the store recorded at or before that instant. */
export async function caseStateAt(store: EventStore, timeline: CaseTimeline, caseId: string, at: Date): Promise<CaseView> {
  const events = (await caseEvents(store, timeline, caseId)).filter((e) => e.recordedAt.getTime() <= at.getTime());
  let status = 'unknown';
  let outcome: string | null = null;
  let itemCode: string | null = null;
  let guideVersion: string | null = null;
  const signatures: { role: string; signer: string; signedAt: string }[] = [];
  const documents: { documentId: string; kind: string; stream: string }[] = [];
  const deadlineEvents = new Map<string, DeadlineEvent[]>();
  const streams: Record<string, string> = {};

  for (const event of events) {
    streams[event.stream] = event.type;
    const data = (event.data ?? {}) as Record<string, unknown>;
    guideVersion = event.metadata.guideVersion ?? str(data['guideVersion']) ?? guideVersion;
    itemCode = str(data['itemCode']) ?? itemCode;
    if (event.stream.startsWith(`${DEADLINE_CATEGORY}-`)) {
      const list = deadlineEvents.get(event.stream) ?? [];
      list.push(deadlineCodec.decode(event));
      deadlineEvents.set(event.stream, list);
      continue;
    }
    const next = STATUS_BY_TYPE[event.type];
    if (next) status = next;
    if (event.type === 'CaseNotAccepted') outcome = 'not-accepted';
    if (event.type === 'DecisionMade') outcome = str(data['outcome']) ?? outcome;
    if (event.type === 'RenewalDeemedGranted') outcome = 'renewal-deemed-granted';
    if (event.type === 'DecisionSigned') {
      const signer = data['signer'] as { staffId?: string } | undefined;
      signatures.push({ role: str(data['role']) ?? 'unknown', signer: signer?.staffId ?? str(data['signerId']) ?? 'unknown', signedAt: str(data['signedAt']) ?? event.recordedAt.toISOString() });
    }
    const document = data['document'] as { content?: { documentId?: string; kind?: string } } | undefined;
    if (document?.content?.documentId) documents.push({ documentId: document.content.documentId, kind: document.content.kind ?? 'document', stream: event.stream });
  }

  const deadlines = [...deadlineEvents.values()].map((list) => {
    const state = fold(deadlineDecider, list);
    const opened = state.opened!;
    return {
      deadlineId: opened.deadlineId,
      kind: opened.kind,
      label: DEADLINE_RULES[opened.kind].label,
      status: state.status,
      due: state.schedule?.due ?? null,
      card: state.status === 'open' ? cardOf(state) : state.escalated ? 'red' : state.breach ? 'yellow' : null,
      resolution: state.closed?.resolution ?? null,
    };
  });
  const last = events[events.length - 1];
  return {
    caseId,
    at: at.toISOString(),
    eventsApplied: events.length,
    lastEvent: last ? { type: last.type, recordedAt: last.recordedAt.toISOString(), stream: last.stream } : null,
    status,
    outcome,
    itemCode,
    guideVersion,
    signatures,
    documents,
    deadlines,
    streams,
  };
}
