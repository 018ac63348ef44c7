/**
 * A bounded cache of folded streams: each stream's state as of a revision, so the next read of
 * that stream asks the store only for what came after (`readStream(stream, { fromRevision })`)
 * and decodes and folds only that.
 *
 * Why not serve the cached state as it is: another process (a second instance, a consumer in
 * another service) may have appended since, and a command decided or a page answered on a state
 * that misses those events would be wrong. The tail read keeps every load as fresh as a full
 * read: it sees everything committed before it, in one round trip, but PostgreSQL returns no rows
 * in the common case instead of the whole stream, and Node parses, validates (zod) and folds
 * nothing it already did. The megacity day read each stream in full about four times per event
 * stored (`docs/benchmarks.md`).
 *
 * Streams are append-only and their revisions gapless, so `ids[r]` is the id of revision r: the
 * command handler's idempotency check (`findEarlierHandling`) runs on them without the events.
 *
 * States are shared between callers: the decider's `evolve` must return a new state rather than
 * change the one it is given (the decider's contract, `decider.ts`). The cache freezes every
 * state it keeps, so a decider that mutates fails loudly (first in its service's tests) instead
 * of corrupting a kept state.
 */
import type { Decider } from './decider.ts';
import type { DomainEvent, EventCodec } from './event-codec.ts';
import type { EventStore, StoredEvent } from './port.ts';

/** A stream folded up to `revision` (null: the stream did not exist when it was read). */
export interface FoldedStream<State> {
  readonly state: State;
  readonly revision: bigint | null;
  /** The hash of the event at `revision` (the chain's head), null for no stream. */
  readonly hash: string | null;
  /** Every event id of the stream, `ids[r]` at revision r. */
  readonly ids: readonly string[];
}

export interface StreamFoldCacheOptions {
  /** How many streams to keep (default 10,000; rounded up to an even number): those used longest ago are dropped first, half at a time. */
  readonly maxStreams?: number;
  /** Deep-freeze kept states (default true: only objects not frozen yet are walked, so a state that shares most of its predecessor costs little). */
  readonly freezeStates?: boolean;
}

export interface StreamFoldCacheStats {
  /** Loads answered by a tail read on top of a kept state. */
  readonly tailReads: number;
  /** Loads that read the whole stream (not kept, or dropped). */
  readonly fullReads: number;
  /** Loads answered without a read: the kept state was confirmed current after the caller's `freshSince`. */
  readonly servedFresh: number;
  /** Events decoded and folded by loads (a full read's, a tail's). */
  readonly eventsFolded: number;
  readonly streams: number;
}

export interface LoadOptions {
  /** `performance.now()` of this process: a kept state confirmed current at or after it is served without a read. */
  readonly freshSince?: number;
  /**
   * The caller needs the stream only up to this revision, which it knows is stored (the event that
   * woke it), and anything later wakes it again: a kept state at or past it is served without a read.
   */
  readonly atLeastRevision?: bigint;
}

type Folding<State, Event> = Pick<Decider<State, never, Event>, 'evolve' | 'initialState'>;

export class StreamFoldCache<State, Event extends DomainEvent> {
  // Two generations instead of a strict LRU: a Map that drops its oldest entry one at a time leaves a
  // trail of deleted slots that every `keys().next()` walks again (supervision measured a rebuild 7×
  // slower that way). When the young generation is full it becomes the old one and the old one is
  // dropped whole: O(1) per call, at most `maxStreams` kept, the ones used longest ago dropped first.
  #young = new Map<string, FoldedStream<State>>();
  #old = new Map<string, FoldedStream<State>>();
  readonly #maxStreams: number;
  readonly #freeze: boolean;
  #tailReads = 0;
  #fullReads = 0;
  #servedFresh = 0;
  /** When each kept state was last known to be the stream as stored (`performance.now()`); see `load`'s `freshSince`. */
  readonly #confirmedAt = new WeakMap<FoldedStream<State>, number>();
  #eventsFolded = 0;

  constructor(
    /** The decider whose state is kept: `handleCommand` refuses a cache made for another one. */
    readonly decider: Folding<State, Event>,
    readonly codec: EventCodec<Event>,
    options: StreamFoldCacheOptions = {},
  ) {
    this.#maxStreams = options.maxStreams ?? 10_000;
    if (!Number.isInteger(this.#maxStreams) || this.#maxStreams < 1) throw new RangeError(`maxStreams must be a positive integer, got ${options.maxStreams}`);
    this.#freeze = options.freezeStates ?? true;
  }

  /**
   * The stream as the store holds it now: the kept state plus whatever was appended since.
   *
   * With `freshSince` (a `performance.now()` of this process, typically when a request arrived),
   * a kept state already confirmed current at or after that instant, by a read or an append of
   * this process, is returned without asking the store: it holds everything committed before the
   * caller asked. One request that loads its case several times (to check access, to decide, to
   * answer) then reads it once instead of five times in a row. With `atLeastRevision`, a kept state
   * at or past that revision is returned as it is: for a caller woken by a stored event, which
   * needs the stream up to that event and is woken again by any later one.
   */
  async load(store: EventStore, stream: string, options: LoadOptions = {}): Promise<FoldedStream<State>> {
    const kept = this.#get(stream);
    const freshEnough =
      kept !== undefined &&
      ((options.freshSince !== undefined && (this.#confirmedAt.get(kept) ?? -Infinity) >= options.freshSince) ||
        (options.atLeastRevision !== undefined && kept.revision !== null && kept.revision >= options.atLeastRevision));
    if (freshEnough) {
      this.#servedFresh += 1;
      this.#set(stream, kept);
      return kept;
    }
    // Everything committed before this instant is in what the read returns (its snapshot is taken later).
    const readAt = performance.now();
    if (kept === undefined || kept.revision === null) {
      // A kept "no stream" is not worth a special read: the full read of an empty stream is the same query.
      this.#fullReads += 1;
      const folded = this.#fold(this.#empty(), await store.readStream(stream));
      this.#keep(stream, folded, readAt);
      return folded;
    }
    this.#tailReads += 1;
    const tail = await store.readStream(stream, { fromRevision: kept.revision + 1n });
    if (tail.length === 0) {
      this.#confirm(kept, readAt);
      this.#set(stream, kept);
      return kept;
    }
    if (tail[0]!.revision !== kept.revision + 1n) {
      // Revisions are gapless (the store's promise), so this is a store swapped or rewritten under the cache: start over.
      this.forget(stream);
      return this.load(store, stream);
    }
    const folded = this.#fold(kept, tail);
    this.#keep(stream, folded, readAt);
    return folded;
  }

  /**
   * The stream as kept, without asking the store (undefined when not kept). It may be behind the
   * store: only a decision that a conditional append then confirms may rest on it (`handleCommand`).
   */
  kept(stream: string): FoldedStream<State> | undefined {
    const kept = this.#get(stream);
    if (kept !== undefined) this.#set(stream, kept);
    return kept;
  }

  /**
   * After an append this process made: the state it decided, at the revision the store answered.
   * `issuedAt`: the `performance.now()` before the append was sent. The append expected the kept
   * revision, so the state holds everything committed before it (a later `load` with `freshSince`
   * at or before it may be served this state).
   */
  remember(stream: string, folded: FoldedStream<State>, issuedAt?: number): void {
    this.#keep(stream, folded, issuedAt);
  }

  forget(stream: string): void {
    this.#young.delete(stream);
    this.#old.delete(stream);
  }

  stats(): StreamFoldCacheStats {
    let streams = this.#young.size;
    for (const stream of this.#old.keys()) if (!this.#young.has(stream)) streams += 1;
    return { tailReads: this.#tailReads, fullReads: this.#fullReads, servedFresh: this.#servedFresh, eventsFolded: this.#eventsFolded, streams };
  }

  /** Only ever later: two loads finishing out of order must not make a state look older than it was seen to be. */
  #confirm(folded: FoldedStream<State>, at: number): void {
    if ((this.#confirmedAt.get(folded) ?? -Infinity) < at) this.#confirmedAt.set(folded, at);
  }

  #empty(): FoldedStream<State> {
    return { state: this.decider.initialState(), revision: null, hash: null, ids: [] };
  }

  #fold(from: FoldedStream<State>, events: readonly StoredEvent[]): FoldedStream<State> {
    let state = from.state;
    let revision = from.revision;
    const ids = [...from.ids];
    for (const stored of events) {
      if (stored.revision !== (revision === null ? 0n : revision + 1n)) {
        throw new Error(`stream ${stored.stream}: revision ${stored.revision} does not follow ${revision ?? 'no stream'}`);
      }
      state = this.decider.evolve(state, this.codec.decode(stored));
      revision = stored.revision;
      ids.push(stored.id);
    }
    this.#eventsFolded += events.length;
    const last = events[events.length - 1];
    return { state, revision, hash: last ? last.metadata.hash : from.hash, ids };
  }

  #get(stream: string): FoldedStream<State> | undefined {
    return this.#young.get(stream) ?? this.#old.get(stream);
  }

  #keep(stream: string, folded: FoldedStream<State>, confirmedAt?: number): void {
    const kept = this.#get(stream);
    // Two loads of one stream may finish out of order: never replace a later revision with an earlier one.
    if (kept !== undefined && kept.revision !== null && (folded.revision === null || folded.revision < kept.revision)) return;
    if (this.#freeze) deepFreeze(folded.state);
    if (confirmedAt !== undefined) this.#confirm(folded, confirmedAt);
    this.#set(stream, folded);
  }

  /** Into the young generation (a stream used again moves there from the old one). */
  #set(stream: string, folded: FoldedStream<State>): void {
    if (!this.#young.has(stream) && this.#young.size >= Math.ceil(this.#maxStreams / 2)) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(stream, folded);
  }
}

function deepFreeze(value: unknown): void {
  // Typed arrays with elements cannot be frozen (and no decider state holds one today).
  if (value === null || typeof value !== 'object' || Object.isFrozen(value) || ArrayBuffer.isView(value)) return;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
}

const sharedCaches = new WeakMap<EventStore, Map<object, StreamFoldCache<unknown, DomainEvent>>>();

/**
 * The fold cache of this store and this decider, made on first use, so every caller in the
 * process shares one. Keyed by the store object too: a cache must never outlive, or be shared
 * across, the store it mirrors (tests open many stores with the same stream names).
 */
export function sharedFoldCache<State, Event extends DomainEvent>(
  store: EventStore,
  decider: Folding<State, Event>,
  codec: EventCodec<Event>,
  options: StreamFoldCacheOptions = {},
): StreamFoldCache<State, Event> {
  let byDecider = sharedCaches.get(store);
  if (!byDecider) {
    byDecider = new Map();
    sharedCaches.set(store, byDecider);
  }
  const existing = byDecider.get(decider) as StreamFoldCache<State, Event> | undefined;
  if (existing) {
    if (existing.codec !== codec) throw new Error('sharedFoldCache: this decider already has a cache with another codec');
    return existing;
  }
  const made = new StreamFoldCache(decider, codec, options);
  byDecider.set(decider, made as unknown as StreamFoldCache<unknown, DomainEvent>);
  return made;
}
