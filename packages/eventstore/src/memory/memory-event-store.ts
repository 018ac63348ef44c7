/**
 * In-memory event store for decider, command-handler and API tests. Same
 * rules as the durable adapters (validation, idempotency, hash chain,
 * compare-and-set checkpoints, catch-up subscriptions) and the same contract
 * suite, so a test that passes here means what it means on PostgreSQL.
 *
 * An append's checks and writes run without an `await` in between: in one
 * JavaScript thread that makes every append atomic.
 */
import { ConcurrencyError } from '@govsvc/errors/errors';
import { planAppend, type ExistingEvent, type StreamHead } from '../append-plan.ts';
import { runCatchUp, type CatchUpSource } from '../catch-up.ts';
import { matchesFilter } from '../filter.ts';
import type {
  AppendOptions,
  AppendResult,
  CheckpointStore,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '../port.ts';
import {
  assertExpectedRevision,
  assertPosition,
  assertReadAllOptions,
  assertReadStreamOptions,
  assertStreamName,
  assertSubscriptionId,
  validateNewEvents,
} from '../validation.ts';

export interface InMemoryEventStoreOptions {
  /** The store's clock for `recordedAt` (tests pass a fixed one). */
  readonly now?: () => Date;
  /** Fallback poll interval of subscriptions; appends wake them at once anyway. */
  readonly pollIntervalMs?: number;
}

export interface InMemoryEventStore extends EventStore {
  /** Every stored event in global order (a snapshot), e.g. to feed `verifyAll` in tests. */
  allEvents(): readonly StoredEvent[];
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

export function createInMemoryEventStore(options: InMemoryEventStoreOptions = {}): InMemoryEventStore {
  const now = options.now ?? (() => new Date());
  const log: StoredEvent[] = []; // index i holds global position i + 1
  const streams = new Map<string, StoredEvent[]>();
  const byId = new Map<string, StoredEvent>();
  const checkpointValues = new Map<string, bigint>();
  const wakeListeners = new Set<() => void>();
  const subscriptions = new Set<Subscription>();
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new Error('event store is closed');
  };

  const checkpoints: CheckpointStore = {
    async read(subscriptionId) {
      assertSubscriptionId(subscriptionId);
      return checkpointValues.get(subscriptionId) ?? null;
    },
    async store(subscriptionId, expected, position) {
      assertSubscriptionId(subscriptionId);
      assertPosition(position, '/position');
      const current = checkpointValues.get(subscriptionId) ?? null;
      if (current !== expected) {
        throw new ConcurrencyError(`$checkpoint-${subscriptionId}`, String(expected ?? 'none'), String(current ?? 'none'));
      }
      checkpointValues.set(subscriptionId, position);
    },
  };

  const source: CatchUpSource<bigint> = {
    pollIntervalMs: options.pollIntervalMs ?? 1_000,
    async cursorAfter(after) {
      return after;
    },
    async fetch(cursor, filter, limit) {
      const events: StoredEvent[] = [];
      let index = Number(cursor); // first index after the cursor's position
      for (; index < log.length && events.length < limit; index++) {
        const event = log[index]!;
        if (matchesFilter(event, filter)) events.push(event);
      }
      return { events, next: BigInt(index), horizon: BigInt(log.length) };
    },
    async target() {
      return BigInt(log.length);
    },
    onWake(listener) {
      wakeListeners.add(listener);
      return () => wakeListeners.delete(listener);
    },
  };

  return {
    checkpoints,

    async appendToStream(stream: string, events: readonly NewEvent[], appendOptions: AppendOptions): Promise<AppendResult> {
      assertOpen();
      assertExpectedRevision(appendOptions.expectedRevision);
      const valid = validateNewEvents(stream, events);
      const existing = new Map<string, ExistingEvent>();
      for (const event of valid) {
        const stored = byId.get(event.id);
        if (stored) existing.set(event.id, stored);
      }
      const streamEvents = streams.get(stream);
      const last = streamEvents?.[streamEvents.length - 1];
      const head: StreamHead | null = last ? { revision: last.revision, hash: last.metadata.hash } : null;
      const plan = planAppend(stream, valid, appendOptions.expectedRevision, head, existing);
      if (plan.kind === 'already-appended') return plan.result;

      const recordedAt = now();
      const target = streamEvents ?? [];
      for (const event of plan.events) {
        const stored: StoredEvent = deepFreeze({
          id: event.id,
          type: event.type,
          schemaVersion: event.schemaVersion,
          stream,
          revision: event.revision,
          globalPosition: BigInt(log.length + 1),
          recordedAt: new Date(recordedAt.getTime()),
          data: event.data,
          metadata: event.metadata,
        });
        log.push(stored);
        target.push(stored);
        byId.set(stored.id, stored);
      }
      streams.set(stream, target);
      for (const listener of wakeListeners) listener();
      const lastWritten = target[target.length - 1]!;
      return { nextExpectedRevision: lastWritten.revision, lastGlobalPosition: lastWritten.globalPosition, alreadyAppended: false };
    },

    async readStreams(names: readonly string[]): Promise<Map<string, StoredEvent[]>> {
      assertOpen();
      for (const stream of names) assertStreamName(stream);
      return new Map(names.map((stream) => [stream, [...(streams.get(stream) ?? [])]]));
    },

    async readStream(stream: string, readOptions: ReadStreamOptions = {}): Promise<StoredEvent[]> {
      assertOpen();
      assertStreamName(stream);
      assertReadStreamOptions(readOptions);
      const events = streams.get(stream) ?? [];
      const max = readOptions.maxCount ?? Number.MAX_SAFE_INTEGER;
      if (readOptions.direction === 'backwards') {
        const from = readOptions.fromRevision ?? BigInt(events.length - 1);
        return events.filter((e) => e.revision <= from).reverse().slice(0, max);
      }
      const from = readOptions.fromRevision ?? 0n;
      return events.filter((e) => e.revision >= from).slice(0, max);
    },

    async readAll(readOptions: ReadAllOptions = {}): Promise<StoredEvent[]> {
      assertOpen();
      assertReadAllOptions(readOptions);
      const max = readOptions.maxCount ?? Number.MAX_SAFE_INTEGER;
      const out: StoredEvent[] = [];
      for (let index = Number(readOptions.after ?? 0n); index < log.length && out.length < max; index++) {
        const event = log[index]!;
        if (matchesFilter(event, readOptions.filter)) out.push(event);
      }
      return out;
    },

    subscribeToAll(subscribeOptions: SubscribeOptions, handler: SubscriptionHandler): Subscription {
      assertOpen();
      const subscription = runCatchUp(source, checkpoints, subscribeOptions, handler);
      subscriptions.add(subscription);
      void subscription.finished.catch(() => undefined).then(() => subscriptions.delete(subscription));
      return subscription;
    },

    async streamRevision(stream: string): Promise<bigint | null> {
      assertOpen();
      assertStreamName(stream);
      const events = streams.get(stream);
      return events && events.length > 0 ? events[events.length - 1]!.revision : null;
    },

    async headPosition(): Promise<bigint> {
      assertOpen();
      return BigInt(log.length);
    },

    allEvents() {
      return [...log];
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.stop()));
    },
  };
}
