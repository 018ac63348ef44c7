/**
 * The event store on EventStoreDB, written against the narrow `EsdbClient`
 * (esdb-client.ts), so this file never sees the vendor API.
 *
 * - Every append is sent with an exact expected revision, whatever the caller
 *   asked: the adapter reads the stream head, checks the caller's expectation
 *   itself, computes the hash chain from that head, and appends expecting
 *   exactly that head. A writer that slipped in between makes the server refuse,
 *   and the adapter re-plans: 'any' and 'exists' appends succeed on the new head,
 *   exact ones then fail with ConcurrencyError. EventStoreDB deduplicates event
 *   ids reliably only with an exact expected revision, and our hash chain needs
 *   the real predecessor, so this is the only correct way.
 * - Event metadata on the server: `{ $correlationId, $causationId, schemaVersion,
 *   govsvc: <our stored metadata with prevHash/hash> }`; the `$`-keys keep
 *   EventStoreDB's own `$by_correlation_id` projection working.
 * - `globalPosition` is the `$all` commit position (as in emmett-esdb). `$all` is
 *   in commit order, so tailing by position is gap-free here: no horizon needed.
 * - Checkpoints live in `$checkpoint-<subscriptionId>` streams (the service user
 *   needs write access to them), compare-and-set through the expected revision,
 *   keeping the last 10 events.
 * - Limits: an event id is unique per stream, not across streams (the server
 *   has no global id index). Retries with 'any'/'exists' are recognized within
 *   the stream's last 100 events; an id reused elsewhere in that window is refused.
 */
import { randomUUID } from 'node:crypto';
import { ConcurrencyError, ValidationError } from '@govsvc/errors/errors';
import { describeExpected, planAppend, type ExistingEvent, type StreamHead } from '../append-plan.ts';
import { runCatchUp, type CatchUpSource } from '../catch-up.ts';
import { matchesFilter } from '../filter.ts';
import type {
  AppendOptions,
  AppendResult,
  CheckpointStore,
  EventFilter,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  StoredEventMetadata,
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
  type ValidEvent,
} from '../validation.ts';
import { createEsdbClient, type EsdbClient, type EsdbRecordedEvent } from './esdb-client.ts';

export interface EventStoreDbEventStoreOptions {
  /** Fallback poll interval of subscriptions (a live server subscription wakes them sooner). */
  readonly pollIntervalMs?: number;
  /** How many times an append re-plans after losing a race to another writer (default 5). */
  readonly appendAttempts?: number;
}

interface ServerMetadata {
  readonly $correlationId?: string;
  readonly $causationId?: string;
  readonly schemaVersion: number;
  readonly govsvc: StoredEventMetadata;
}

const RETRY_WINDOW = 100;
const PAGE = 500;
const CHECKPOINT_PREFIX = '$checkpoint-';

const isOurs = (metadata: unknown): metadata is ServerMetadata =>
  typeof metadata === 'object' && metadata !== null && 'govsvc' in metadata && typeof (metadata as ServerMetadata).schemaVersion === 'number';

const isSystem = (recorded: EsdbRecordedEvent) => recorded.stream.startsWith('$') || recorded.type.startsWith('$');

function toStored(recorded: EsdbRecordedEvent): StoredEvent {
  if (!isOurs(recorded.metadata)) {
    throw new ValidationError(`${recorded.stream}@${recorded.revision} (${recorded.id}) was not written by this event store`, [
      { path: '/metadata', reason: 'missing schemaVersion / govsvc metadata' },
    ]);
  }
  return {
    id: recorded.id,
    type: recorded.type,
    schemaVersion: recorded.metadata.schemaVersion,
    stream: recorded.stream,
    revision: recorded.revision,
    // Servers that do not report positions on stream reads: -1n means "unknown" (ADR 0002 / README).
    globalPosition: recorded.position ?? -1n,
    recordedAt: recorded.created,
    data: recorded.data,
    metadata: recorded.metadata.govsvc,
  };
}

export async function createEventStoreDbEventStore(
  connectionStringOrClient: string | EsdbClient,
  options: EventStoreDbEventStoreOptions = {},
): Promise<EventStore> {
  const client = typeof connectionStringOrClient === 'string' ? createEsdbClient(connectionStringOrClient) : connectionStringOrClient;
  const attempts = options.appendAttempts ?? 5;
  const wakeListeners = new Set<() => void>();
  const subscriptions = new Set<Subscription>();
  let stopWatching: Promise<(() => Promise<void>) | null> | null = null;
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new Error('event store is closed');
  };

  const lastOf = async (stream: string) => (await client.readStream(stream, { direction: 'backwards', from: 'end', maxCount: 1 }))[0] ?? null;

  /**
   * Stored events carrying any of the batch's ids: where an exact retry would be
   * (the position the expected revision leads to) and the stream's tail, so an id
   * reused at another position is refused rather than written twice.
   */
  const storedWithIds = async (stream: string, events: readonly ValidEvent[], expected: AppendOptions['expectedRevision']) => {
    const ids = new Set(events.map((e) => e.id));
    const reads = [client.readStream(stream, { direction: 'backwards', from: 'end', maxCount: RETRY_WINDOW })];
    if (typeof expected === 'bigint') reads.push(client.readStream(stream, { direction: 'forwards', from: expected + 1n, maxCount: events.length }));
    if (expected === 'no_stream') reads.push(client.readStream(stream, { direction: 'forwards', from: 'start', maxCount: events.length }));
    const found = (await Promise.all(reads)).flat().filter((r) => ids.has(r.id));
    return new Map<string, ExistingEvent>(found.map((r) => [r.id, toStored(r)]));
  };

  const appendOnce = async (stream: string, events: readonly ValidEvent[], appendOptions: AppendOptions) => {
    const last = await lastOf(stream);
    const head: StreamHead | null = last ? { revision: last.revision, hash: toStored(last).metadata.hash } : null;
    const existing = await storedWithIds(stream, events, appendOptions.expectedRevision);
    const plan = planAppend(stream, events, appendOptions.expectedRevision, head, existing);
    if (plan.kind === 'already-appended') return plan.result;
    const outcome = await client.append(
      stream,
      plan.events.map((e) => ({
        id: e.id,
        type: e.type,
        data: e.data,
        metadata: {
          $correlationId: e.metadata.correlationId,
          ...(e.metadata.causationId ? { $causationId: e.metadata.causationId } : {}),
          schemaVersion: e.schemaVersion,
          govsvc: e.metadata,
        } satisfies ServerMetadata,
      })),
      head ? head.revision : 'no_stream',
    );
    if (!outcome.ok) return { lostRaceTo: outcome.actual };
    return { nextExpectedRevision: outcome.nextRevision, lastGlobalPosition: outcome.position ?? -1n, alreadyAppended: false } satisfies AppendResult;
  };

  /**
   * Reads `$all` after position `after` (exclusive; 0n = from the start), our events only,
   * until `limit` matches or the end of the log. Returns the position scanned up to.
   */
  const scanAll = async (after: bigint, filter: EventFilter | undefined, limit: number) => {
    const events: StoredEvent[] = [];
    let cursor = after;
    for (;;) {
      // Reads from a position include it: drop what is not strictly after the cursor.
      const page = await client.readAll({ direction: 'forwards', from: cursor === 0n ? 'start' : cursor, maxCount: PAGE });
      const fresh = page.filter((r) => r.position !== null && (cursor === 0n || r.position > cursor));
      if (fresh.length === 0) return { events, cursor, reachedEnd: true };
      for (const recorded of fresh) {
        cursor = recorded.position!;
        if (isSystem(recorded) || !isOurs(recorded.metadata)) continue;
        const event = toStored(recorded);
        if (!matchesFilter(event, filter)) continue;
        events.push(event);
        if (events.length >= limit) return { events, cursor, reachedEnd: false };
      }
      if (page.length < PAGE) return { events, cursor, reachedEnd: true };
    }
  };

  const checkpointStream = (subscriptionId: string) => `${CHECKPOINT_PREFIX}${subscriptionId}`;
  const readCheckpoint = async (subscriptionId: string) => {
    const last = await lastOf(checkpointStream(subscriptionId));
    return last ? { revision: last.revision, position: BigInt((last.data as { position: string }).position) } : null;
  };

  const checkpoints: CheckpointStore = {
    async read(subscriptionId) {
      assertSubscriptionId(subscriptionId);
      return (await readCheckpoint(subscriptionId))?.position ?? null;
    },
    async store(subscriptionId, expected, position) {
      assertSubscriptionId(subscriptionId);
      assertPosition(position, '/position');
      const stream = checkpointStream(subscriptionId);
      const current = await readCheckpoint(subscriptionId);
      const refuse = (actual: bigint | null) =>
        new ConcurrencyError(stream, String(expected ?? 'none'), String(actual ?? 'none'));
      if ((current?.position ?? null) !== expected) throw refuse(current?.position ?? null);
      const outcome = await client.append(
        stream,
        [{ id: randomUUID(), type: 'CheckpointStored', data: { position: position.toString() }, metadata: {} }],
        current ? current.revision : 'no_stream',
      );
      if (!outcome.ok) throw refuse((await readCheckpoint(subscriptionId))?.position ?? null);
      // Only the last value matters: let the server scavenge the rest. Best effort.
      if (!current) await client.setMaxCount(stream, 10).catch(() => undefined);
    },
  };

  const source: CatchUpSource<bigint> = {
    pollIntervalMs: options.pollIntervalMs ?? 500,
    async cursorAfter(after) {
      return after;
    },
    async fetch(cursor, filter, limit) {
      const { events, cursor: next, reachedEnd } = await scanAll(cursor, filter, limit);
      // Drained (reached the end of $all): everything up to `next` was seen.
      return { events, next, horizon: reachedEnd ? next : -1n };
    },
    async target() {
      const [last] = await client.readAll({ direction: 'backwards', from: 'end', maxCount: 1 });
      return last?.position ?? 0n;
    },
    onWake(listener) {
      wakeListeners.add(listener);
      stopWatching ??= client
        .watchAll(() => {
          for (const wake of wakeListeners) wake();
        })
        .catch(() => null); // polling still works without the live hint
      return () => wakeListeners.delete(listener);
    },
  };

  return {
    checkpoints,

    async appendToStream(stream: string, events: readonly NewEvent[], appendOptions: AppendOptions): Promise<AppendResult> {
      assertOpen();
      assertExpectedRevision(appendOptions.expectedRevision);
      const valid = validateNewEvents(stream, events);
      let actual: bigint | 'no_stream' = 'no_stream';
      for (let attempt = 0; attempt < attempts; attempt++) {
        const result = await appendOnce(stream, valid, appendOptions);
        if (!('lostRaceTo' in result)) return result;
        actual = result.lostRaceTo;
      }
      throw new ConcurrencyError(stream, describeExpected(appendOptions.expectedRevision), `still moving after ${attempts} attempts (last ${actual})`);
    },

    async readStream(stream: string, readOptions: ReadStreamOptions = {}): Promise<StoredEvent[]> {
      assertOpen();
      assertStreamName(stream);
      assertReadStreamOptions(readOptions);
      const backwards = readOptions.direction === 'backwards';
      const recorded = await client.readStream(stream, {
        direction: backwards ? 'backwards' : 'forwards',
        from: readOptions.fromRevision ?? (backwards ? 'end' : 'start'),
        maxCount: readOptions.maxCount ?? Number.MAX_SAFE_INTEGER,
      });
      return recorded.map(toStored);
    },

    async readAll(readOptions: ReadAllOptions = {}): Promise<StoredEvent[]> {
      assertOpen();
      assertReadAllOptions(readOptions);
      return (await scanAll(readOptions.after ?? 0n, readOptions.filter, readOptions.maxCount ?? Number.MAX_SAFE_INTEGER)).events;
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
      return (await lastOf(stream))?.revision ?? null;
    },

    async headPosition(): Promise<bigint> {
      assertOpen();
      // The last event of ours in $all, skipping system and checkpoint events.
      let from: 'end' | bigint = 'end';
      for (;;) {
        const page = await client.readAll({ direction: 'backwards', from, maxCount: PAGE });
        const older: EsdbRecordedEvent[] = from === 'end' ? page : page.filter((r) => r.position !== null && r.position < (from as bigint));
        const ours = older.find((r) => !isSystem(r) && isOurs(r.metadata));
        if (ours) return ours.position ?? 0n;
        const oldest: EsdbRecordedEvent | undefined = older[older.length - 1];
        if (page.length < PAGE || oldest?.position == null) return 0n;
        from = oldest.position;
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.stop()));
      const stop = await stopWatching;
      await stop?.().catch(() => undefined);
      await client.close();
    },
  };
}
