/**
 * The event store on PostgreSQL SQL, shared by the server adapter (`pg`) and
 * the embedded one (PGlite). The SQL is kept small and legible, after Message
 * DB; the gap-free tailing follows emmett-postgresql (ADR 0002).
 *
 * Fast append (ADR 0004): the store caches each stream's head (revision, hash) as it writes
 * and reads streams. An append whose stream head is cached is planned and hashed here, at
 * once, and queued; concurrent appends are coalesced (group commit) into one transaction
 * that runs one statement (`govsvc_append_planned`, the set-based `sql/append-group.ts` for
 * a group of distinct streams, ADR 0006, or `sql/append-one.ts` for a lone event, its
 * addendum 3): one fsync for the whole group,
 * each caller still getting its own result. The function re-checks every head under the
 * stream locks; an append whose head moved, whose ids are stored, whose stream lock is held
 * elsewhere, or whose stream is not cached, takes the locked path below, which decides with
 * what the database holds.
 *
 * Locked path, in one READ COMMITTED transaction:
 *   1. `pg_advisory_xact_lock(hashtextextended(stream, 0))` serializes writers of one stream.
 *      It is taken before the transaction writes anything, so before it has a
 *      transaction id: the next writer of the stream gets a larger id, and the
 *      subscription order (transaction_id, global_position) keeps each stream's order.
 *   2. One statement (a fresh snapshot, taken after the lock) reads the stream head
 *      and any event already stored under the batch's ids.
 *   3. `planAppend` decides: idempotent no-op, refusal, or the rows with their hashes.
 *   4. One INSERT … SELECT FROM jsonb_to_recordset writes the batch.
 *
 * Either path, once committed, hands the categories written to the wake notifier, which wakes this
 * store's subscriptions in-process and NOTIFYs the other stores that follow one of them, from outside
 * the append's transaction (wake-notifier.ts and wake-interest.ts say why).
 */
import { randomUUID } from 'node:crypto';
import { ConcurrencyError, UnavailableError } from '@govsvc/errors/errors';
import { checkExpectedRevision, describeExpected, planAppend, type ExistingEvent, type PlannedEvent, type StreamHead } from '../append-plan.ts';
import { runCatchUp, wakeHintOf, type CatchUpSource, type WakeHint } from '../catch-up.ts';
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
import { categoryOf } from '../port.ts';
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
import { APPEND_SET } from './append-group.ts';
import { APPEND_ONE } from './append-one.ts';
import { errorInfo, type SqlDriver } from './executor.ts';
import { ensureSchema } from './schema.ts';
import { createWakeInterest, grew, INTEREST_CHANGED, unionOf, type FollowedCategories } from './wake-interest.ts';
import { createWakeNotifier } from './wake-notifier.ts';
import { RowEvent } from './row-event.ts';

export interface SqlEventStoreOptions {
  /** Poll interval of subscriptions when no NOTIFY arrives (default 500 ms). */
  readonly pollIntervalMs?: number;
  /** Skip `ensureSchema` (when migrations are run separately). */
  readonly skipSchema?: boolean;
  /** Close the driver with the store (default true). */
  readonly ownsDriver?: boolean;
  /**
   * Group commit: how many coalesced append transactions may be in flight at once (default 2:
   * fewer, larger groups did best here with 8 writers; keep it below the pool size). Appends arriving meanwhile wait and go together in the next one.
   */
  readonly appendConcurrency?: number;
  /**
   * Most appends coalesced into one transaction (default 64). A commit's WAL is what every other
   * writer committing meanwhile waits behind for its own flush: capped, a storm of appends here
   * (supervision's breaches) costs a citizen's submission elsewhere a few milliseconds, not ten
   * (ADR 0004, note of 2026-11-27).
   */
  readonly maxAppendsPerCommit?: number;
  /** Stream heads remembered for the fast append path (default 10,000; least recently used dropped). */
  readonly streamHeadCacheSize?: number;
  /** How stale this store's view of the other stores' wake-up interest may be (default 1,000 ms; wake-interest.ts). */
  readonly wakeInterestRefreshMs?: number;
}

/** The SQL event store plus what the audit tools and tests need beyond the port. */
export interface SqlEventStore extends EventStore {
  readonly driver: SqlDriver;
  /** How appends went since the store opened: coalesced groups, appends written in them, appends on the locked path. */
  appendStats(): AppendStats;
  /** Raw rows in global order from `after`, for `verifyAll` over what the database really holds. */
  readRows(after: bigint, limit: number): Promise<EventRow[]>;
}

export interface AppendStats {
  readonly groups: number;
  readonly fast: number;
  readonly locked: number;
  /** Refused by one read of the committed head (the cached head had already said so). */
  readonly refused: number;
  /** Held while this store was writing their stream (a statement in flight, or the locked path), then planned again. */
  readonly held: number;
}

/** An `events` row as the SQL returns it (bigints as text, so both drivers agree). */
export interface EventRow {
  readonly global_position: string;
  /** Only in the catch-up subscription's reads. */
  readonly transaction_id?: string;
  readonly stream_name: string;
  readonly stream_revision: string;
  readonly event_id: string;
  readonly type: string;
  readonly schema_version: number;
  readonly data: unknown;
  /** JSON text (parsed when first read); an object where a driver already parsed it. */
  readonly metadata: StoredEventMetadata | string;
  /** Epoch milliseconds (float8: a number, or its text where a driver returns text). */
  readonly recorded_at: number | string | Date;
}

// Bigints and xid8 as text so both drivers return the same thing. The metadata comes as text, parsed
// only when read (RowEvent); the time as epoch milliseconds, which costs a float parse instead of
// the driver's timestamp parser. Both were a third of a full replay's time (issue 3). Beware:
// these aliases shadow the columns in ORDER BY, so every ORDER BY names `e.<column>`.
const COLUMNS = `e.global_position::text AS global_position, e.stream_name,
  e.stream_revision::text AS stream_revision, e.event_id::text AS event_id, e.type, e.schema_version, e.data,
  e.metadata::text AS metadata, (extract(epoch FROM e.recorded_at) * 1000)::float8 AS recorded_at`;
// The catch-up subscription's cursor is (transaction id, position); other reads do not need the id.
const COLUMNS_WITH_XID = `${COLUMNS}, e.transaction_id::text AS transaction_id`;

// The category is the part of the stream name before the first dash (`categoryOf` in the port).
const FILTER = (categories: string, types: string) =>
  `(${categories}::text[] IS NULL OR split_part(e.stream_name, '-', 1) = ANY(${categories}::text[]))
   AND (${types}::text[] IS NULL OR e.type = ANY(${types}::text[]))`;

export function rowToEvent(row: EventRow): StoredEvent {
  return new RowEvent(
    row.event_id,
    row.type,
    Number(row.schema_version),
    row.stream_name,
    BigInt(row.stream_revision),
    BigInt(row.global_position),
    row.recorded_at instanceof Date ? row.recorded_at : new Date(Number(row.recorded_at)),
    row.data,
    row.metadata,
  );
}

/** A stream's head as an `events` row gives it (its hash is in the metadata, parsed by the event). */
function streamHeadOf(row: EventRow): StreamHead {
  const event = rowToEvent(row);
  return { revision: event.revision, hash: event.metadata.hash };
}

const filterParams = (filter: EventFilter | undefined): [string[] | null, string[] | null] => [
  filter?.categories ? [...filter.categories] : null,
  filter?.eventTypes ? [...filter.eventTypes] : null,
];

/** Connection-level failures become UnavailableError (503, retry later); everything else passes through. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03', '53300']);
function translate(error: unknown): unknown {
  const { code } = errorInfo(error);
  if (code && (CONNECTION_CODES.has(code) || code.startsWith('08'))) {
    return new UnavailableError(`event store database unavailable: ${(error as Error).message}`, 2, { code });
  }
  if (error instanceof Error && /Connection terminated|connection error|timeout exceeded when trying to connect/i.test(error.message)) {
    return new UnavailableError(`event store database unavailable: ${error.message}`, 2);
  }
  return error;
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translate(error);
  }
}

/** A concurrent copy of this append inserted the same event id first: re-plan once, it is then a retry. */
class EventIdRace extends Error {}

/** An append waiting for the group commit, planned against the cached head of its stream. */
interface QueuedAppend {
  readonly stream: string;
  readonly events: readonly ValidEvent[];
  readonly options: AppendOptions;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

interface PlannedAppend {
  readonly queued: QueuedAppend;
  readonly headRevision: bigint;
  readonly headHash: string | null;
  readonly events: readonly PlannedEvent[];
}

/**
 * The heads the store last saw or wrote, least recently used dropped first. Only a hint: the
 * database re-checks every head under the stream lock, so a stale entry costs a retry on the
 * locked path, never a wrong chain. `null` = the stream had no events.
 */
class StreamHeadCache {
  private readonly heads = new Map<string, StreamHead | null>();
  constructor(private readonly capacity: number) {}
  get(stream: string): StreamHead | null | undefined {
    const head = this.heads.get(stream);
    if (head !== undefined) {
      this.heads.delete(stream);
      this.heads.set(stream, head);
    }
    return head;
  }
  set(stream: string, head: StreamHead | null): void {
    this.heads.delete(stream);
    this.heads.set(stream, head);
    if (this.heads.size > this.capacity) this.heads.delete(this.heads.keys().next().value as string);
  }
  forget(stream: string): void {
    this.heads.delete(stream);
  }
}

// The stream's head and any event already stored under the batch's ids, in one snapshot.
const HEAD_AND_IDS = `(SELECT 'head' AS kind, ${COLUMNS} FROM events e WHERE e.stream_name = $1 ORDER BY e.stream_revision DESC LIMIT 1)
  UNION ALL
  (SELECT 'existing' AS kind, ${COLUMNS} FROM events e WHERE e.event_id = ANY($2::uuid[]))`;

const APPEND_PLANNED = `SELECT idx, status, last_position, last_revision FROM govsvc_append_planned($1::jsonb)`;

/** Groups at least this large take the set-based statement (ADR 0006); a lone event takes append-one.ts, a lone append of several events the function. */
const SET_BASED_MIN = 2;

/** What a group statement answers per append. */
interface GroupOutcome {
  readonly idx: number;
  readonly status: 'written' | 'stale' | 'existing' | 'busy';
  readonly last_position: string | null;
  readonly last_revision: string | null;
}

/** Cursor of a subscription: the (transaction id, global position) pair of ADR 0002. */
interface CommitCursor {
  readonly xid: string;
  readonly position: bigint;
}

/**
 * The JSON array of `events` rows the append statements read with jsonb_to_recordset. Data and
 * metadata are pasted in as canonical text where validation made it (ADR 0006); the stored
 * metadata is the caller's plus the chain fields (jsonb keeps its own key order anyway).
 */
export function rowsJson(events: readonly PlannedEvent[]): string {
  let out = '[';
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    out +=
      `${i === 0 ? '' : ','}{"stream_revision":"${e.revision}","event_id":${JSON.stringify(e.id)},"type":${JSON.stringify(e.type)},` +
      `"schema_version":${e.schemaVersion},"data":${dataText(e)},"metadata":${metadataText(e)}}`;
  }
  return `${out}]`;
}

/** The stored metadata as JSON text: the caller's plus the chain fields. */
function metadataText(e: PlannedEvent): string {
  // The hash is lowercase hex, nothing to escape; prevHash came from the database, so it is escaped.
  const chain = `"prevHash":${e.prevHash === null ? 'null' : JSON.stringify(e.prevHash)},"hash":"${e.hash}"`;
  return e.metadataJson === undefined ? JSON.stringify(e.metadata) : e.metadataJson === '{}' ? `{${chain}}` : `{${chain},${e.metadataJson.slice(1)}`;
}

/** The data as JSON text ('null' for none). */
function dataText(e: PlannedEvent): string {
  return e.dataJson ?? JSON.stringify(e.data) ?? 'null';
}

/** The parameters of APPEND_ONE (append-one.ts) for a lone append of one event. */
function appendOneParams(p: PlannedAppend): unknown[] {
  const e = p.events[0]!;
  const head = p.headRevision < 0n ? null : `${p.headRevision} ${p.headHash ?? ''}`;
  return [p.queued.stream, head, e.revision.toString(), e.id, e.type, e.schemaVersion, dataText(e), metadataText(e)];
}

/** A group's appends as both group statements read them (written as text, see rowsJson). */
function groupJson(planned: readonly PlannedAppend[]): string {
  let out = '[';
  for (let i = 0; i < planned.length; i++) {
    const p = planned[i]!;
    // Event ids are validated lowercase UUIDs: nothing to escape.
    let ids = '[';
    for (let j = 0; j < p.events.length; j++) ids += `${j === 0 ? '' : ','}"${p.events[j]!.id}"`;
    out +=
      `${i === 0 ? '' : ','}{"i":${i},"stream":${JSON.stringify(p.queued.stream)},"headRevision":"${p.headRevision}",` +
      `"headHash":${p.headHash === null ? 'null' : JSON.stringify(p.headHash)},"ids":${ids}],"rows":${rowsJson(p.events)}}`;
  }
  return `${out}]`;
}

/** One more of `key` in a multiset kept as counts. */
function countIn(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** One fewer of `key`; a key whose count reaches zero leaves the map, so `has` means "at least one". */
function countOut(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left === 0) counts.delete(key);
  else counts.set(key, left);
}

export async function createSqlEventStore(driver: SqlDriver, options: SqlEventStoreOptions = {}): Promise<SqlEventStore> {
  if (!options.skipSchema) await guarded(() => ensureSchema(driver));
  const [{ schema }] = (await guarded(() => driver.query<{ schema: string }>('SELECT current_schema() AS schema'))) as [{ schema: string }];
  // One channel per schema: isolated test schemas (and tenants) do not wake each other.
  const channel = `govsvc_events_${schema}`.slice(0, 63);
  const wakeListeners = new Set<(hint?: WakeHint) => void>();
  const subscriptions = new Set<Subscription>();
  let unlisten: (() => Promise<void>) | null = null;
  let listening: Promise<void> | null = null;
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new Error('event store is closed');
  };

  const wakeAll = (hint: WakeHint | undefined) => {
    for (const listener of wakeListeners) listener(hint);
  };
  // This store's hints carry its id, so it can skip its own: its subscriptions were woken in-process.
  const storeId = randomUUID();
  const ownTag = `@from:${storeId},`;
  const interestRefreshMs = options.wakeInterestRefreshMs ?? 1_000;
  const interest = createWakeInterest(driver, { channel, listenerId: storeId, refreshMs: interestRefreshMs });
  const onNotify = (payload: string) => {
    if (payload === INTEREST_CHANGED) return interest.invalidate();
    if (!payload.startsWith('@from:')) return wakeAll(wakeHintOf(payload)); // '' after a reconnect, or an older release's hint
    if (payload.startsWith(ownTag)) return;
    const comma = payload.indexOf(',');
    wakeAll(wakeHintOf(comma < 0 ? '' : payload.slice(comma + 1)));
  };
  const startListening = () => {
    listening ??= driver
      .listen(channel, onNotify)
      .then((stop) => {
        unlisten = stop;
        // A subscriber's first reads ran before LISTEN took effect: what committed in between sent
        // its hint to no one. One look now closes that window; later commits notify.
        wakeAll(undefined);
      })
      .catch(() => {
        // LISTEN is only a hint: without it subscriptions still poll.
        listening = null;
      });
    return listening;
  };

  // The statements that write events, until they commit or fail.
  const writesInFlight = new Set<Promise<unknown>>();
  const writing = <T>(write: Promise<T>): Promise<T> => {
    writesInFlight.add(write);
    void write.catch(() => undefined).finally(() => writesInFlight.delete(write));
    return write;
  };

  // Hints go out after the commits they announce. This store's own subscriptions are woken here,
  // once the writes already under way have ended too: a look while one is open finds its rows held
  // back below the horizon and has to look again. Other stores get a NOTIFY, on a connection that
  // need not flush its commits, and only if one of them follows a category written (wake-interest.ts).
  const notifier = createWakeNotifier(async (payload, categories) => {
    if (writesInFlight.size > 0) await Promise.allSettled([...writesInFlight]);
    wakeAll(wakeHintOf(payload));
    if (!(await interest.othersWant(categories))) return;
    await driver.query('SELECT pg_notify($1, $2)', [channel, ownTag + payload], { name: 'govsvc_notify', durability: 'relaxed' });
  });

  // What this store's subscriptions follow, declared for the writers in other processes.
  const followed = new Map<Subscription, FollowedCategories>();
  let declaredFollowed: FollowedCategories | undefined;
  const declareFollowed = () => {
    const next = unionOf(followed.values());
    const widened = grew(declaredFollowed, next);
    if (!widened && !grew(next, declaredFollowed)) return;
    declaredFollowed = next;
    void interest.declare(next);
    // A writer elsewhere may decide on a view from before the declaration for up to the refresh
    // interval and send nothing for what it commits then: one look after that window finds it.
    if (widened) setTimeout(() => !closed && wakeAll(undefined), interestRefreshMs + 100).unref();
  };

  const heads = new StreamHeadCache(options.streamHeadCacheSize ?? 10_000);

  // The locked path: lock, read the head and the ids, decide, write. Authoritative, four round trips.
  const lockedAppend = async (stream: string, events: readonly ValidEvent[], appendOptions: AppendOptions): Promise<AppendResult> =>
    driver.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [stream]);
      const rows = await tx.query<EventRow & { kind: 'head' | 'existing' }>(HEAD_AND_IDS, [stream, events.map((e) => e.id)], { name: 'govsvc_head_and_ids' });
      const headRow = rows.find((r) => r.kind === 'head');
      const head: StreamHead | null = headRow ? streamHeadOf(headRow) : null;
      const existing = new Map<string, ExistingEvent>(rows.filter((r) => r.kind === 'existing').map((r) => [r.event_id, rowToEvent(r)]));
      if (existing.size === 0) heads.set(stream, head);
      const plan = planAppend(stream, events, appendOptions.expectedRevision, head, existing);
      if (plan.kind === 'already-appended') return plan.result;

      let inserted: { global_position: string; stream_revision: string }[];
      try {
        inserted = await tx.query(
          `WITH inserted AS (
             INSERT INTO events (stream_name, stream_revision, event_id, type, schema_version, data, metadata)
             SELECT $1, r.stream_revision, r.event_id, r.type, r.schema_version, COALESCE(r.data, 'null'::jsonb), r.metadata
             FROM jsonb_to_recordset($2::jsonb)
               AS r(stream_revision bigint, event_id uuid, type text, schema_version integer, data jsonb, metadata jsonb)
             ORDER BY r.stream_revision
             RETURNING global_position, stream_revision
           )
           SELECT global_position::text AS global_position, stream_revision::text AS stream_revision
           FROM inserted ORDER BY inserted.global_position`,
          [stream, rowsJson(plan.events)],
        );
      } catch (error) {
        const { code, constraint } = errorInfo(error);
        if (code === '23505' && constraint === 'events_event_id_key') throw new EventIdRace();
        if (code === '23505' && constraint === 'events_stream_revision_key') {
          // Only a writer that bypassed the stream lock can get here.
          throw new ConcurrencyError(stream, describeExpected(appendOptions.expectedRevision), 'changed concurrently');
        }
        throw error;
      }
      // The batch's last event has the highest revision (and, inserted in revision order, the highest position).
      const last = inserted.reduce((a, b) => (BigInt(b.stream_revision) > BigInt(a.stream_revision) ? b : a));
      const lastPlanned = plan.events[plan.events.length - 1]!;
      heads.set(stream, { revision: lastPlanned.revision, hash: lastPlanned.hash });
      return { nextExpectedRevision: BigInt(last.stream_revision), lastGlobalPosition: BigInt(last.global_position), alreadyAppended: false };
    });

  const appendLocked = async (stream: string, events: readonly ValidEvent[], appendOptions: AppendOptions): Promise<AppendResult> => {
    let result: AppendResult;
    countIn(streamsInLockedPath, stream);
    try {
      try {
        result = await guarded(() => writing(lockedAppend(stream, events, appendOptions)));
      } catch (error) {
        if (!(error instanceof EventIdRace)) throw error;
        result = await guarded(() => writing(lockedAppend(stream, events, appendOptions)));
      }
    } finally {
      countOut(streamsInLockedPath, stream);
      releaseHeld([stream]);
    }
    if (!result.alreadyAppended) notifier.hint([categoryOf(stream)]);
    return result;
  };

  // Group commit. Up to `appendConcurrency` transactions are in flight; appends arriving while
  // all are busy queue up and leave together in the next free one. An idle store therefore
  // commits a lone append at once (no timer, no added latency), a busy one in groups.
  // A finished transaction frees its slot only on the next turn of the event loop (setImmediate),
  // after its callers' continuations ran: a caller that appends again as soon as its append
  // returns joins the others in the next group, instead of the first of them taking the freed
  // slot alone and the rest waiting a whole commit behind it (64 callers: groups of 1 and 63).
  //
  // A free slot takes its fair share of the appends outstanding (queued plus in the other slots'
  // groups), not the whole queue. Taking the whole queue let one slot settle into carrying almost
  // every caller while the other sent stragglers of one or two: PostgreSQL then ran the big
  // statement while Node waited, and Node answered and re-planned its 60 callers while
  // PostgreSQL waited (64 callers: groups of ~60 and ~1, 17,000 appends/s). Even shares keep one
  // group in PostgreSQL while Node handles the other (groups of 32: 23,000 appends/s).
  const queue: QueuedAppend[] = [];
  const pending = new Set<Promise<unknown>>();
  let inFlight = 0;
  let appendsInFlight = 0;
  const appendConcurrency = Math.max(1, options.appendConcurrency ?? 2);
  const maxPerCommit = Math.max(1, options.maxAppendsPerCommit ?? 64);
  const track = <T>(work: Promise<T>): Promise<T> => {
    pending.add(work);
    void work.catch(() => undefined).finally(() => pending.delete(work));
    return work;
  };
  const stats = { groups: 0, fast: 0, locked: 0, refused: 0, held: 0 };
  const viaLockedPath = (queued: QueuedAppend) => {
    stats.locked += 1;
    void track(appendLocked(queued.stream, queued.events, queued.options).then(queued.resolve, queued.reject));
  };

  // The cached head contradicts the expected revision: most likely a real conflict. One read of
  // the committed head (no lock, no transaction) settles it in one round trip: a stream's head
  // only moves forwards, so a committed head that contradicts the expectation refuses the append
  // at that instant (as the locked path would have, a moment later). Stored ids (a retry) or a
  // head that agrees after all: the locked path decides.
  const viaPrecheck = (queued: QueuedAppend) => {
    const { stream, events, options: appendOptions } = queued;
    const decide = async (): Promise<AppendResult> => {
      const rows = await guarded(() => driver.query<EventRow & { kind: 'head' | 'existing' }>(HEAD_AND_IDS, [stream, events.map((e) => e.id)], { name: 'govsvc_head_and_ids' }));
      if (rows.every((r) => r.kind === 'head')) {
        const headRow = rows[0];
        const head: StreamHead | null = headRow ? streamHeadOf(headRow) : null;
        heads.set(stream, head);
        try {
          checkExpectedRevision(stream, appendOptions.expectedRevision, head);
        } catch (error) {
          stats.refused += 1;
          throw error;
        }
      }
      stats.locked += 1;
      return appendLocked(stream, events, appendOptions);
    };
    void track(decide().then(queued.resolve, queued.reject));
  };

  // Streams of group statements in flight. The set-based statement has one snapshot, so a group
  // takes it only when its streams are distinct and none is in a statement in flight (ADR 0006).
  // Counted: two function groups in flight may share a stream (speculative chaining, ADR 0004).
  const streamsInStatement = new Map<string, number>();
  const enterStatement = (planned: readonly PlannedAppend[]) => {
    for (const p of planned) countIn(streamsInStatement, p.queued.stream);
  };
  const leaveStatement = (planned: readonly PlannedAppend[]) => {
    for (const p of planned) countOut(streamsInStatement, p.queued.stream);
  };
  const distinctAndIdle = (planned: readonly PlannedAppend[]): boolean => {
    const seen = new Set<string>();
    for (const p of planned) {
      if (seen.has(p.queued.stream) || streamsInStatement.has(p.queued.stream)) return false;
      seen.add(p.queued.stream);
    }
    return true;
  };

  // Appends held back while their stream is being written by this store, and planned again once that
  // write has settled. Two cases:
  // - The expected revision contradicts a head still being written by a statement in flight (or earlier
  //   in the same group): most likely the loser of a race with that append. Asked now, the database
  //   would still show the old head, which agrees, and the append would take the locked path (four
  //   round trips, and a wait on the stream lock until the other statement commits) only to be refused
  //   there. Planned again on the head that statement left: written, the precheck refuses it in one
  //   round trip; not written, the head is forgotten and the append goes on as any other.
  // - A locked-path append of the stream is under way: it holds the stream lock, so a group statement
  //   would find it busy and send the append down the locked path behind it. Planned again on the head
  //   the locked path learned, it takes the fast path.
  // An append is held once at most, and released when the first write of its stream that settles
  // does, even if others are in flight: a stream written without pause must not keep it waiting.
  const streamsInLockedPath = new Map<string, number>();
  const held = new Map<string, QueuedAppend[]>();
  const heldBefore = new WeakSet<QueuedAppend>();
  /** Holds the append unless it was held before (then the caller goes on with it). */
  const hold = (queued: QueuedAppend): boolean => {
    if (heldBefore.has(queued)) return false;
    heldBefore.add(queued);
    stats.held += 1;
    const waiting = held.get(queued.stream);
    if (waiting) waiting.push(queued);
    else held.set(queued.stream, [queued]);
    return true;
  };
  /** Puts the appends held on these streams, whose write just settled, back at the head of the queue, in their order. */
  const releaseHeld = (streams: Iterable<string>) => {
    const released: QueuedAppend[] = [];
    for (const stream of streams) {
      const waiting = held.get(stream);
      if (!waiting) continue;
      held.delete(stream);
      released.push(...waiting);
    }
    if (released.length === 0) return;
    queue.unshift(...released);
    pump();
  };

  /** The group's statement: the set-based and the lone-event ones have one snapshot, so only for distinct streams idle elsewhere. */
  const statementFor = (planned: readonly PlannedAppend[]): [text: string, params: unknown[], name: string] => {
    const oneSnapshotOk = distinctAndIdle(planned);
    if (oneSnapshotOk && planned.length === 1 && planned[0]!.events.length === 1) return [APPEND_ONE, appendOneParams(planned[0]!), 'govsvc_append_one'];
    if (oneSnapshotOk && planned.length >= SET_BASED_MIN) return [APPEND_SET, [groupJson(planned)], 'govsvc_append_set'];
    return [APPEND_PLANNED, [groupJson(planned)], 'govsvc_append_planned'];
  };

  const commitGroup = async (group: readonly QueuedAppend[]): Promise<void> => {
    const planned: PlannedAppend[] = [];
    try {
      await planAndCommit(group, planned);
    } catch (error) {
      // The pump refuses the whole group: none of it may stay held, to be written after its caller was told it failed.
      const members = new Set(group);
      for (const [stream, waiting] of held) {
        const kept = waiting.filter((queued) => !members.has(queued));
        if (kept.length > 0) held.set(stream, kept);
        else held.delete(stream);
      }
      throw error;
    } finally {
      releaseHeld(planned.map((p) => p.queued.stream));
    }
  };

  const planAndCommit = async (group: readonly QueuedAppend[], planned: PlannedAppend[]): Promise<void> => {
    const plannedStreams = new Set<string>();
    for (const queued of group) {
      if (streamsInLockedPath.has(queued.stream) && hold(queued)) continue;
      const cached = heads.get(queued.stream);
      const head = cached === undefined && queued.options.expectedRevision === 'no_stream' ? null : cached;
      if (head === undefined) {
        viaLockedPath(queued);
        continue;
      }
      let plan: ReturnType<typeof planAppend>;
      try {
        plan = planAppend(queued.stream, queued.events, queued.options.expectedRevision, head, new Map());
      } catch {
        if ((streamsInStatement.has(queued.stream) || plannedStreams.has(queued.stream)) && hold(queued)) continue;
        // The cached head may be behind: the database decides (most likely a conflict).
        viaPrecheck(queued);
        continue;
      }
      if (plan.kind !== 'write') {
        viaLockedPath(queued);
        continue;
      }
      planned.push({ queued, headRevision: head ? head.revision : -1n, headHash: head ? head.hash : null, events: plan.events });
      plannedStreams.add(queued.stream);
      // Speculative: the next append to this stream (in this group or another) chains on this one.
      const last = plan.events[plan.events.length - 1]!;
      heads.set(queued.stream, { revision: last.revision, hash: last.hash });
    }
    if (planned.length === 0) return;

    stats.groups += 1;
    let rows: GroupOutcome[];
    const [text, params, name] = statementFor(planned);
    enterStatement(planned);
    try {
      // One statement, its own transaction (autocommit): one round trip per group (ADR 0005, 0006).
      rows = await writing(driver.atomic<GroupOutcome>(text, params, { name }));
    } catch (error) {
      for (const p of planned) heads.forget(p.queued.stream);
      const translated = translate(error);
      if (translated instanceof UnavailableError) {
        for (const p of planned) p.queued.reject(translated);
        return;
      }
      // One append broke the statement (e.g. an id another transaction stored meanwhile), and
      // the whole transaction rolled back: each append again, on its own, on the locked path.
      for (const p of planned) viaLockedPath(p.queued);
      return;
    } finally {
      leaveStatement(planned);
    }
    const written = new Set<string>();
    for (const row of rows) {
      const p = planned[row.idx]!;
      if (row.status === 'written') {
        stats.fast += 1;
        written.add(categoryOf(p.queued.stream));
        p.queued.resolve({ nextExpectedRevision: BigInt(row.last_revision!), lastGlobalPosition: BigInt(row.last_position!), alreadyAppended: false });
      } else {
        heads.forget(p.queued.stream);
        viaLockedPath(p.queued);
      }
    }
    notifier.hint(written);
  };

  const pump = () => {
    while (inFlight < appendConcurrency && queue.length > 0) {
      const fairShare = Math.ceil((queue.length + appendsInFlight) / appendConcurrency);
      const group = queue.splice(0, Math.min(maxPerCommit, fairShare));
      inFlight += 1;
      appendsInFlight += group.length;
      void track(
        commitGroup(group)
          .catch((error: unknown) => {
            for (const queued of group) queued.reject(error);
          })
          // Settles after the slot is freed and the queue pumped, so close() still waits for what follows.
          .finally(
            () =>
              new Promise<void>((released) =>
                setImmediate(() => {
                  inFlight -= 1;
                  appendsInFlight -= group.length;
                  pump();
                  released();
                }),
              ),
          ),
      );
    }
  };

  const checkpoints: CheckpointStore = {
    async read(subscriptionId) {
      assertSubscriptionId(subscriptionId);
      const rows = await guarded(() =>
        driver.query<{ position: string }>('SELECT position::text AS position FROM subscription_checkpoints WHERE subscription_id = $1', [subscriptionId], {
          name: 'govsvc_checkpoint_read',
        }),
      );
      return rows[0] ? BigInt(rows[0].position) : null;
    },
    async store(subscriptionId, expected, position) {
      assertSubscriptionId(subscriptionId);
      assertPosition(position, '/position');
      if (expected !== null) assertPosition(expected, '/expected');
      const written = await guarded(() =>
        expected === null
          ? driver.query(
              `INSERT INTO subscription_checkpoints (subscription_id, position) VALUES ($1, $2)
               ON CONFLICT (subscription_id) DO NOTHING RETURNING 1 AS ok`,
              [subscriptionId, position.toString()],
              { name: 'govsvc_checkpoint_insert' },
            )
          : driver.query(
              `UPDATE subscription_checkpoints SET position = $3, updated_at = now()
               WHERE subscription_id = $1 AND position = $2 RETURNING 1 AS ok`,
              [subscriptionId, expected.toString(), position.toString()],
              // The subscriber is at least once: a checkpoint lost with a crash of the database
              // server repeats a few batches, so its commit need not wait for a flush.
              { name: 'govsvc_checkpoint_cas', durability: 'relaxed' },
            ),
      );
      if (written.length === 1) return;
      const current = await checkpoints.read(subscriptionId);
      throw new ConcurrencyError(`$checkpoint-${subscriptionId}`, String(expected ?? 'none'), String(current ?? 'none'));
    },
  };

  const source: CatchUpSource<CommitCursor> = {
    pollIntervalMs: options.pollIntervalMs ?? 500,
    async cursorAfter(after) {
      if (after === 0n) return { xid: '0', position: 0n };
      // The checkpoint is a global position; its transaction id is on the row (ADR 0002).
      const rows = await guarded(() =>
        driver.query<{ xid: string; position: string }>(
          `SELECT e.transaction_id::text AS xid, e.global_position::text AS position FROM events e
           WHERE e.global_position <= $1 ORDER BY e.global_position DESC LIMIT 1`,
          [after.toString()],
          { name: 'govsvc_cursor_after' },
        ),
      );
      return rows[0] ? { xid: rows[0].xid, position: BigInt(rows[0].position) } : { xid: '0', position: 0n };
    },
    async fetch(cursor, filter, limit) {
      const [categories, types] = filterParams(filter);
      // One statement: the horizon and the rows below it come from the same snapshot.
      const rows = await guarded(() =>
        driver.query<Partial<EventRow> & { horizon: string; held_back: boolean }>(
          // held_back: a row for this subscriber that the snapshot sees committed above the horizon
          // (and after the cursor). Written so that it is one probe of the commit-order index from the
          // higher of the two bounds: a single row comparison as the start key, and ORDER BY … LIMIT 1
          // (an EXISTS lost both: its generic plan was a sequential scan of the whole log, 3.7 ms a
          // read, measured in the megacity day). Materialized: it runs once per read, not per row.
          `WITH h AS MATERIALIZED (
             SELECT s.horizon,
                    (SELECT e.global_position FROM events e
                     WHERE (e.transaction_id, e.global_position) >
                           (GREATEST(s.horizon, $1::xid8), CASE WHEN $1::xid8 >= s.horizon THEN $2::bigint ELSE 0 END)
                       AND ${FILTER('$3', '$4')}
                     ORDER BY e.transaction_id, e.global_position
                     LIMIT 1) IS NOT NULL AS held_back
             FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS horizon) s
           )
           SELECT h.horizon::text AS horizon, h.held_back, batch.*
           FROM h
           LEFT JOIN LATERAL (
             SELECT ${COLUMNS_WITH_XID} FROM events e
             WHERE e.transaction_id < h.horizon
               AND (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
               AND ${FILTER('$3', '$4')}
             ORDER BY e.transaction_id, e.global_position
             LIMIT $5
           ) batch ON true`,
          [cursor.xid, cursor.position.toString(), categories, types, limit],
          // Named: planning this statement took four times as long as running it on an empty tail
          // (0.29 against 0.07 ms), and every subscription runs it on every wake-up.
          { name: 'govsvc_tail' },
        ),
      );
      const horizon = BigInt(rows[0]!.horizon);
      const found = rows.filter((r): r is EventRow & { horizon: string; held_back: boolean } => r.global_position !== null && r.global_position !== undefined);
      const events = found.map(rowToEvent);
      const last = found[found.length - 1];
      const after: CommitCursor = last ? { xid: last.transaction_id!, position: BigInt(last.global_position) } : cursor;
      // Drained: every row below the horizon was seen, and no transaction can still
      // commit one there, so the next read may start at the horizon itself. Only
      // forwards: an older transaction still open elsewhere in the cluster can keep
      // the horizon below the cursor (e.g. right after resuming from a checkpoint).
      const next = found.length < limit && horizon > BigInt(after.xid) ? { xid: horizon.toString(), position: 0n } : after;
      return { events, next, horizon, heldBack: rows[0]!.held_back === true };
    },
    async target() {
      // Every transaction that committed before now has an id below xmax.
      const [row] = await guarded(() => driver.query<{ xmax: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax', [], { name: 'govsvc_xmax' }));
      return BigInt(row!.xmax);
    },
    onWake(listener) {
      wakeListeners.add(listener);
      void startListening();
      return () => wakeListeners.delete(listener);
    },
  };

  return {
    driver,
    checkpoints,

    async appendToStream(stream: string, events: readonly NewEvent[], appendOptions: AppendOptions): Promise<AppendResult> {
      assertOpen();
      assertExpectedRevision(appendOptions.expectedRevision);
      const valid = validateNewEvents(stream, events);
      // A stream whose head the store does not know goes straight to the locked path (which learns it),
      // unless a locked-path append of it is under way: that one will learn it, and this one is held till then.
      if (heads.get(stream) === undefined && appendOptions.expectedRevision !== 'no_stream' && !streamsInLockedPath.has(stream)) {
        stats.locked += 1;
        return track(appendLocked(stream, valid, appendOptions));
      }
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ stream, events: valid, options: appendOptions, resolve, reject });
        pump();
      });
    },

    async readStream(stream: string, readOptions: ReadStreamOptions = {}): Promise<StoredEvent[]> {
      assertOpen();
      assertStreamName(stream);
      assertReadStreamOptions(readOptions);
      const backwards = readOptions.direction === 'backwards';
      const from = readOptions.fromRevision ?? (backwards ? null : 0n);
      // A tail read (a fold cache asking for what came after its state, ADR 0009) usually returns nothing, so
      // it would teach the store no head, and the next append of a stream whose head was evicted would take the
      // locked path. When the head is unknown, the read starts one revision earlier to learn it.
      const learnHead = !backwards && readOptions.maxCount === undefined && from! > 0n && heads.get(stream) === undefined;
      const queryFrom = learnHead ? from! - 1n : from;
      const rows = await guarded(() =>
        backwards
          ? driver.query<EventRow>(
              `SELECT ${COLUMNS} FROM events e WHERE e.stream_name = $1 AND ($2::bigint IS NULL OR e.stream_revision <= $2::bigint)
               ORDER BY e.stream_revision DESC LIMIT $3`,
              [stream, from === null ? null : from.toString(), readOptions.maxCount ?? null],
              { name: 'govsvc_read_stream_back' },
            )
          : driver.query<EventRow>(
              `SELECT ${COLUMNS} FROM events e WHERE e.stream_name = $1 AND e.stream_revision >= $2::bigint
               ORDER BY e.stream_revision LIMIT $3`,
              [stream, queryFrom!.toString(), readOptions.maxCount ?? null],
              { name: 'govsvc_read_stream' },
            ),
      );
      const events = rows.map(rowToEvent);
      if (learnHead && events[0]?.revision === from! - 1n) {
        const before = events.shift()!;
        if (events.length === 0) heads.set(stream, { revision: before.revision, hash: before.metadata.hash });
      }
      // A read to the end shows the head: the next append (a command handler's) can take the fast path.
      if (!backwards && readOptions.maxCount === undefined) {
        const last = events[events.length - 1];
        if (last) heads.set(stream, { revision: last.revision, hash: last.metadata.hash });
        else if (from === 0n) heads.set(stream, null);
      } else if (backwards && readOptions.fromRevision === undefined && events[0]) {
        heads.set(stream, { revision: events[0].revision, hash: events[0].metadata.hash });
      }
      return events;
    },

    async readStreams(streams: readonly string[]): Promise<Map<string, StoredEvent[]>> {
      assertOpen();
      for (const stream of streams) assertStreamName(stream);
      const read = new Map<string, StoredEvent[]>(streams.map((stream) => [stream, []]));
      if (streams.length === 0) return read;
      const rows = await guarded(() =>
        driver.query<EventRow>(
          `SELECT ${COLUMNS} FROM events e WHERE e.stream_name = ANY($1::text[]) ORDER BY e.stream_name, e.stream_revision`,
          [[...new Set(streams)]],
          { name: 'govsvc_read_streams' },
        ),
      );
      for (const row of rows) read.get(row.stream_name)!.push(rowToEvent(row));
      // Each stream was read to its end: the next append to it can take the fast path (as after readStream).
      for (const [stream, events] of read) {
        const last = events[events.length - 1];
        heads.set(stream, last ? { revision: last.revision, hash: last.metadata.hash } : null);
      }
      return read;
    },

    async readAll(readOptions: ReadAllOptions = {}): Promise<StoredEvent[]> {
      assertOpen();
      assertReadAllOptions(readOptions);
      const [categories, types] = filterParams(readOptions.filter);
      // Everything committed, in global-position order. Not a tail: paging with
      // `after` can miss a transaction that commits late; tailing is subscribeToAll's job.
      const rows = await guarded(() =>
        driver.query<EventRow>(
          `SELECT ${COLUMNS} FROM events e WHERE e.global_position > $1 AND ${FILTER('$2', '$3')}
           ORDER BY e.global_position LIMIT $4`,
          [(readOptions.after ?? 0n).toString(), categories, types, readOptions.maxCount ?? null],
          { name: 'govsvc_read_all' },
        ),
      );
      return rows.map(rowToEvent);
    },

    subscribeToAll(subscribeOptions: SubscribeOptions, handler: SubscriptionHandler): Subscription {
      assertOpen();
      const subscription = runCatchUp(source, checkpoints, subscribeOptions, handler);
      subscriptions.add(subscription);
      const categories = subscribeOptions.filter?.categories;
      if (subscribeOptions.wakeFromOtherProcesses !== false) {
        followed.set(subscription, categories === undefined ? 'all' : new Set(categories));
        declareFollowed();
      }
      void subscription.finished
        .catch(() => undefined)
        .then(() => {
          subscriptions.delete(subscription);
          if (followed.delete(subscription)) declareFollowed();
        });
      return subscription;
    },

    async streamRevision(stream: string): Promise<bigint | null> {
      assertOpen();
      assertStreamName(stream);
      const [row] = await guarded(() =>
        driver.query<{ revision: string | null }>('SELECT max(stream_revision)::text AS revision FROM events WHERE stream_name = $1', [stream]),
      );
      return row?.revision == null ? null : BigInt(row.revision);
    },

    async headPosition(): Promise<bigint> {
      assertOpen();
      const [row] = await guarded(() => driver.query<{ head: string }>('SELECT coalesce(max(global_position), 0)::text AS head FROM events'));
      return BigInt(row!.head);
    },

    appendStats: () => ({ ...stats }),

    async readRows(after: bigint, limit: number): Promise<EventRow[]> {
      assertOpen();
      return guarded(() =>
        driver.query<EventRow>(`SELECT ${COLUMNS} FROM events e WHERE e.global_position > $1 ORDER BY e.global_position LIMIT $2`, [
          after.toString(),
          limit,
        ]),
      );
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.stop()));
      // Appends already accepted finish (or fail) before the driver goes.
      while (pending.size > 0) await Promise.allSettled([...pending]);
      await notifier.flush();
      await interest.close();
      await listening;
      await (unlisten as (() => Promise<void>) | null)?.().catch(() => undefined);
      if (options.ownsDriver ?? true) await driver.close();
    },
  };
}

