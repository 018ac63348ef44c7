/**
 * The case → global positions projection: every event of every service whose
 * metadata names the case, kept from a catch-up subscription on the whole
 * store. The history and state-at-time read a case's events through it
 * instead of scanning the log. A projection like the deadline index: it is
 * rebuilt from the store.
 */
import type { EventStore, StoredEvent, Subscription } from '@govsvc/eventstore/port';
import { rebuildMarked, type ProjectionIntegrity } from '@govsvc/service-kit/projection-integrity';
import { within } from '@govsvc/service-kit/within';

export interface CaseTimeline {
  /** Present where the timeline can be wiped independently of the event store (Redis). */
  readonly integrity?: ProjectionIntegrity;
  /** Whether it holds any case (at start, a timeline with cases but no marker predates the marker: adopted). */
  isEmpty(): Promise<boolean>;
  add(entries: readonly { caseId: string; position: bigint }[]): Promise<void>;
  /** Global positions of the case's events, ascending. */
  positions(caseId: string): Promise<bigint[]>;
  clear(): Promise<void>;
  close(): Promise<void>;
}

export function createMemoryCaseTimeline(): CaseTimeline {
  const byCase = new Map<string, Set<bigint>>();
  return {
    async add(entries) {
      for (const { caseId, position } of entries) {
        const set = byCase.get(caseId) ?? new Set();
        set.add(position);
        byCase.set(caseId, set);
      }
    },
    async positions(caseId) {
      return [...(byCase.get(caseId) ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    },
    async isEmpty() {
      return byCase.size === 0;
    },
    async clear() {
      byCase.clear();
    },
    async close() {},
  };
}

const entriesOf = (events: readonly StoredEvent[]) =>
  events.flatMap((e) => (typeof e.metadata.caseId === 'string' && e.metadata.caseId !== '' ? [{ caseId: e.metadata.caseId, position: e.globalPosition }] : []));

export const CASE_TIMELINE_SUBSCRIPTION = 'supervision-case-timeline';

/**
 * How long the timeline lets events gather after it has caught up. It follows every event of every
 * service, so without it each commit in the cluster costs supervision a read and a checkpoint write
 * (issue 8's megacity day: most of supervision's statements). `caughtUp()` does not wait for it.
 */
export const CASE_TIMELINE_LINGER_MS = 200;

/**
 * The timeline follows every category, so if it asked for wake-up hints, every commit of every other
 * service would send a NOTIFY that each listening process reads (issue 8's megacity day: about 6,000 a
 * day, nearly all of them). It does not ask: it reads on the store's poll interval and its own writes,
 * and a supervisor's read of a case first waits for it to catch up (`TIMELINE_FRESHNESS_WAIT_MS`).
 */
export function subscribeCaseTimeline(store: EventStore, timeline: CaseTimeline, lingerMs = CASE_TIMELINE_LINGER_MS): Subscription {
  return store.subscribeToAll({ subscriptionId: CASE_TIMELINE_SUBSCRIPTION, batchSize: 1000, lingerMs, wakeFromOtherProcesses: false }, (events) =>
    timeline.add(entriesOf(events)),
  );
}

/**
 * How long a read of a case (history, state at an instant, verification, the console's case page) waits
 * for the timeline to hold everything committed before the read began. Usually one tail read; the bound
 * is for a timeline far behind (rebuilding, or resuming a backlog), which readiness reports, and whose
 * reads then answer with what it holds rather than hang.
 */
export const TIMELINE_FRESHNESS_WAIT_MS = 500;

/** Resolves when the subscription has caught up to the moment of the call, or after `withinMs`, whichever is first; never rejects. */
export async function caughtUpWithin(subscription: Subscription | undefined, withinMs: number): Promise<void> {
  if (!subscription) return;
  // Ended: readiness says so; the read answers with what is held.
  await within(subscription.caughtUp().catch(() => undefined), withinMs);
}

export async function rebuildCaseTimeline(store: EventStore, timeline: CaseTimeline, pageSize = 5_000): Promise<{ events: number }> {
  return rebuildMarked(timeline, async () => {
    let after = 0n;
    let count = 0;
    for (;;) {
      const page = await store.readAll({ after, maxCount: pageSize });
      if (page.length === 0) break;
      await timeline.add(entriesOf(page));
      count += page.length;
      after = page[page.length - 1]!.globalPosition;
    }
    return { events: count };
  });
}

/**
 * Reads of one case's events in flight at once. Each event is its own read (the port reads by stream or
 * from a global position, and a case's events are scattered through the log); one after another, a
 * case of fifty events kept a supervisor waiting fifty round trips.
 */
const EVENT_READS_IN_FLIGHT = 4;

/** The case's events in global order, through the timeline. */
export async function caseEvents(store: EventStore, timeline: CaseTimeline, caseId: string): Promise<StoredEvent[]> {
  const positions = await timeline.positions(caseId);
  const found: (StoredEvent | undefined)[] = new Array(positions.length);
  let next = 0;
  const reader = async () => {
    while (next < positions.length) {
      const i = next++;
      const position = positions[i]!;
      const [event] = await store.readAll({ after: position - 1n, maxCount: 1 });
      if (event && event.globalPosition === position) found[i] = event;
    }
  };
  await Promise.all(Array.from({ length: Math.min(EVENT_READS_IN_FLIGHT, positions.length) }, reader));
  return found.filter((event): event is StoredEvent => event !== undefined);
}
