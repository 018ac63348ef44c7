/**
 * The event store port: the single source of truth and the audit trail.
 * Shaped after Emmett / EventStoreDB: streams named `category-id`, appends
 * with an expected revision, idempotent by event id, reads by stream and
 * across all streams, catch-up subscriptions with stored checkpoints.
 *
 * Every adapter (memory, PostgreSQL, embedded PGlite, EventStoreDB) passes the
 * same contract suite (`describeEventStoreContract`).
 */

/** Who caused an event. */
export interface Actor {
  readonly id: string;
  readonly role: string;
  readonly department?: string;
}

/** Metadata the caller supplies with each event. */
export interface EventMetadataInput {
  readonly caseId?: string;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly actor: Actor;
  /** Guide version the case is bound to, where relevant (R-CAT-14). */
  readonly guideVersion?: string;
  readonly [extra: string]: unknown;
}

/** Metadata as stored: the caller's plus the hash chain the store computes. */
export interface StoredEventMetadata extends EventMetadataInput {
  /** Hash of the previous event in this stream (`null` for revision 0). */
  readonly prevHash: string | null;
  /** SHA-256 over the canonical serialization of this event (see audit/hash-chain.ts). */
  readonly hash: string;
}

/** An event to append. `id` is a UUID chosen by the caller: re-appending it is a no-op. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  readonly id: string;
  readonly type: Type;
  /** Schema version of `data` (upcasters lift old versions on read). */
  readonly schemaVersion: number;
  readonly data: Data;
  readonly metadata: EventMetadataInput;
}

export interface StoredEvent<Type extends string = string, Data = unknown> {
  readonly id: string;
  readonly type: Type;
  readonly schemaVersion: number;
  readonly stream: string;
  /** 0-based position inside the stream, gapless. */
  readonly revision: bigint;
  /** Position in the global order; increasing, may have gaps, never reorders for readers. */
  readonly globalPosition: bigint;
  /** When the store recorded it (the store's clock). */
  readonly recordedAt: Date;
  readonly data: Data;
  readonly metadata: StoredEventMetadata;
}

/**
 * What the caller believes about the stream before appending:
 * `'any'` skips the check, `'no_stream'` requires it not to exist,
 * `'exists'` requires at least one event, a bigint requires that exact last revision.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'exists' | bigint;

export interface AppendOptions {
  readonly expectedRevision: ExpectedRevision;
}

export interface AppendResult {
  /**
   * Revision of the last event of the stream after the append. For an idempotent
   * retry: the revision of the batch's last event, as the original append returned it.
   */
  readonly nextExpectedRevision: bigint;
  /** Global position of the last appended event (for a retry: where it was stored). */
  readonly lastGlobalPosition: bigint;
  /**
   * True when every event was already stored (idempotent retry): nothing written.
   * A retry is the same ids, same content, in the same stream at the position the
   * expected revision leads to; an id stored in any other way is refused with
   * `EventIdConflictError` (`./errors.ts`).
   */
  readonly alreadyAppended: boolean;
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive start revision (default: start or end depending on direction). */
  readonly fromRevision?: bigint;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: read events with globalPosition > after (default: from the beginning). */
  readonly after?: bigint;
  readonly maxCount?: number;
  readonly filter?: EventFilter;
}

/** Server-side filters for readAll / subscribeToAll. */
export interface EventFilter {
  /** Stream categories (the part before the first `-`). */
  readonly categories?: readonly string[];
  readonly eventTypes?: readonly string[];
}

export interface SubscribeOptions {
  /** Name of the stored checkpoint (one per subscriber). */
  readonly subscriptionId: string;
  readonly filter?: EventFilter;
  /** Where to start when no checkpoint exists: exclusive global position (default 0n = everything). */
  readonly startAfter?: bigint;
  /** Max events handed to `handler` per call. */
  readonly batchSize?: number;
  /**
   * Default true. False for a subscriber whose fold lives in memory and starts at `startAfter` on
   * every start (a read side, a directory): its checkpoint would never be read again, so neither
   * reading nor storing one is worth a statement per batch. The position is then kept in memory only.
   */
  readonly storeCheckpoints?: boolean;
  /**
   * After a read that found the log drained, wait at least this long before reading again, even
   * when a wake-up hint arrives meanwhile (default 0: read at once). For a subscriber that may lag
   * a little, such as a projection of every event in the store: each commit in the cluster wakes
   * it, and one read per commit costs a statement and a checkpoint write each. A `caughtUp()` call
   * cuts the wait short, so callers that need everything so far still get it at once.
   */
  readonly lingerMs?: number;
  /**
   * Default true: writers in other processes wake this subscription when they commit something it
   * follows. False: they are not asked to (the SQL store leaves it out of the interest it declares,
   * ADR 0002), so it reads on the store's poll interval, on its own process's writes, and at once on
   * `caughtUp()`. For a subscriber that may lag by a poll interval and follows every category, such
   * as supervision's case timeline: otherwise every commit anywhere in the cluster costs a NOTIFY,
   * which every listening process then reads. Adapters without cross-process hints ignore it.
   */
  readonly wakeFromOtherProcesses?: boolean;
  /**
   * Store the checkpoint at most once per this many milliseconds (default 100; 0: after every
   * batch). Under a trickle of commits a batch is one or two events, and a compare-and-set per batch
   * was a tenth of all statements in the megacity day. What was handled meanwhile is stored when the
   * interval has passed (with the next batch, or by a timer once the log is drained), on stop(), and
   * before a failing handler ends the subscription. A crash can therefore hand over up to this
   * long's batches again: at-least-once, as a crash between a handler and its checkpoint already
   * was. Ignored with `storeCheckpoints: false`.
   */
  readonly checkpointIntervalMs?: number;
}

export interface Subscription {
  /** Stops the subscription and waits for the running batch to finish. */
  stop(): Promise<void>;
  /**
   * Resolves once the subscription has processed everything committed before this call.
   * Rejects when the subscription ends first (stopped or failed).
   */
  caughtUp(): Promise<void>;
  /**
   * Settles when the subscription ends: resolves after `stop()`; rejects with the cause
   * when the handler throws or the checkpoint was moved by someone else (compare-and-set
   * refused). The checkpoint then still points at the last handled batch: subscribing
   * again resumes there. A store that is briefly unavailable is retried, not fatal.
   */
  readonly finished: Promise<void>;
}

/**
 * Called with events in global order. The checkpoint is stored (compare-and-set)
 * after the handler resolves, so a crash redelivers the batch: handlers must be idempotent.
 */
export type SubscriptionHandler = (events: readonly StoredEvent[]) => Promise<void>;

export interface CheckpointStore {
  read(subscriptionId: string): Promise<bigint | null>;
  /** Compare-and-set: fails with ConcurrencyError when the stored value is not `expected`. */
  store(subscriptionId: string, expected: bigint | null, position: bigint): Promise<void>;
}

export interface EventStore {
  appendToStream(stream: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /** Empty array when the stream does not exist. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /**
   * Several whole streams in one read (one statement on PostgreSQL), each forwards from revision 0:
   * what a caller deciding for many streams at once (supervision's breach storm) would otherwise
   * do with one round trip per stream. Every stream asked for is in the map, empty when it does
   * not exist. Optional: `readStreamsOf` falls back to one `readStream` each.
   */
  readStreams?(streams: readonly string[]): Promise<Map<string, StoredEvent[]>>;
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription;
  readonly checkpoints: CheckpointStore;
  /** Last revision of the stream, or null when it does not exist. */
  streamRevision(stream: string): Promise<bigint | null>;
  /** Highest global position visible to readers (0n when empty). */
  headPosition(): Promise<bigint>;
  close(): Promise<void>;
}

/** `application-42` → `application`. */
export const categoryOf = (stream: string): string => {
  const dash = stream.indexOf('-');
  return dash < 0 ? stream : stream.slice(0, dash);
};

/** `store.readStreams`, or one `readStream` per stream where an adapter has no batched read. */
export async function readStreamsOf(store: EventStore, streams: readonly string[]): Promise<Map<string, StoredEvent[]>> {
  if (store.readStreams) return store.readStreams(streams);
  const read = await Promise.all(streams.map((stream) => store.readStream(stream)));
  return new Map(streams.map((stream, i) => [stream, read[i]!]));
}
