/**
 * Carrying out deadline commands against the event store, and keeping the
 * index of open deadlines in step with the streams.
 *
 * Idempotency, in two layers: event ids are deterministic (a redelivered
 * contract or a repeated firing from the same state produces the same ids,
 * which the store recognises), and every append names the revision it was
 * decided on (a racing writer gets ConcurrencyError, re-reads, and then finds
 * nothing left to decide, because the state remembers what fired).
 */
import { rebuildMarked } from '@govsvc/service-kit/projection-integrity';
import { ConcurrencyError } from '@govsvc/errors/errors';
import { handleCommand } from '@govsvc/eventstore/command-handler';
import { fold } from '@govsvc/eventstore/decider';
import { EventIdConflictError } from '@govsvc/eventstore/errors';
import { deterministicEventIds } from '@govsvc/eventstore/event-ids';
import type { EventMetadataInput, EventStore, StoredEvent, Subscription } from '@govsvc/eventstore/port';
import { sharedFoldCache } from '@govsvc/eventstore/stream-fold-cache';
import { deadlineDecider, type DeadlineCommand, type DeadlineState } from '../domain/deadline-decider.ts';
import type { DeadlineEvent } from '../domain/deadline-events.ts';
import { deadlineStream } from '../domain/kinds.ts';
import { DEADLINE_CATEGORY, SYSTEM_ACTOR, ownDeadlineCodec } from './codecs.ts';
import { entryOf, type DeadlineIndex, type IndexChange, type IndexEntry, type SummarySource } from './deadline-index.ts';

export interface ExecuteOptions {
  /** Seed of the event ids: the same seed (and the same state) always yields the same ids. */
  readonly seed: string;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly guideVersion?: string | null;
}

export interface ExecuteResult {
  readonly state: DeadlineState;
  /** Events this call appended (empty on a repeat). */
  readonly events: readonly DeadlineEvent[];
  /** The command's events, appended now or found from an earlier run of the same command. */
  readonly recorded: readonly DeadlineEvent[];
  readonly revision: bigint | null;
}

/** Runs one command on a deadline stream; on a lost race, re-reads once (the winner's events are then in the state). */
export async function executeDeadline(store: EventStore, deadlineId: string, command: DeadlineCommand, options: ExecuteOptions): Promise<ExecuteResult> {
  const attempt = () =>
    handleCommand(store, deadlineStream(deadlineId), deadlineDecider, command, {
      // The stream is read from where this process last saw it (a deadline is opened, warned, closed by one process).
      cache: sharedFoldCache(store, deadlineDecider, ownDeadlineCodec),
      // A deadline's id names its case, kind and step, and its stream starts with its opening: an open is
      // decided without reading the stream first (most megacity reads of supervision were these, finding nothing).
      probablyNew: command.type === 'OpenDeadline',
      eventIds: deterministicEventIds(options.seed),
      metadata: deadlineMetadata(options),
    });
  let result;
  try {
    result = await attempt();
  } catch (error) {
    if (!(error instanceof ConcurrencyError || error instanceof EventIdConflictError)) throw error;
    result = await attempt();
  }
  return { state: result.state, events: result.alreadyAppended ? [] : result.events, recorded: result.events, revision: result.nextExpectedRevision };
}

/** The metadata of every event a deadline command appends (the same whichever way it is appended). */
export function deadlineMetadata(options: ExecuteOptions): (event: DeadlineEvent) => EventMetadataInput {
  return (event) => ({
    caseId: event.data.caseId,
    correlationId: options.correlationId,
    ...(options.causationId ? { causationId: options.causationId } : {}),
    ...(options.guideVersion ? { guideVersion: options.guideVersion } : {}),
    actor: SYSTEM_ACTOR,
  });
}

/** The index write for a deadline's state at `revision`: its entry while open, its removal once closed. */
export function changeOf(state: DeadlineState, revision: bigint | null): IndexChange | null {
  if (revision === null || state.opened === null) return null;
  const entry = entryOf(state, Number(revision));
  return entry ? { upsert: entry } : { remove: { deadlineId: state.opened.deadlineId, revision: Number(revision) } };
}

/** Writes the index entry of a deadline's state at `revision` (or removes it once closed). */
export async function indexState(index: DeadlineIndex, state: DeadlineState, revision: bigint | null): Promise<IndexEntry | null> {
  if (revision === null || state.opened === null) return null;
  const entry = entryOf(state, Number(revision));
  if (entry) await index.upsert(entry);
  else await index.remove(state.opened.deadlineId, Number(revision));
  return entry;
}

export async function readDeadline(store: EventStore, deadlineId: string): Promise<{ state: DeadlineState; events: StoredEvent[]; decoded: DeadlineEvent[] }> {
  return foldDeadline(await store.readStream(deadlineStream(deadlineId)));
}

/** A deadline's stream, decoded and folded. */
export function foldDeadline(events: StoredEvent[]): { state: DeadlineState; events: StoredEvent[]; decoded: DeadlineEvent[] } {
  const decoded = events.map((e) => ownDeadlineCodec.decode(e));
  return { state: fold(deadlineDecider, decoded), events, decoded };
}

/**
 * The index's source of console summaries it does not keep (deadlines without a card): each
 * deadline's stream folded up to the revision the index holds, so the answer is the entry the
 * projection computed at that revision, whatever the stream has gained since.
 */
export function summariesFromStore(store: EventStore): SummarySource {
  return (items) =>
    Promise.all(
      items.map(async ({ deadlineId, revision }) => {
        const events = (await store.readStream(deadlineStream(deadlineId))).filter((e) => e.revision <= BigInt(revision));
        const state = fold(deadlineDecider, events.map((e) => ownDeadlineCodec.decode(e)));
        return state.opened === null || events.length === 0 ? null : entryOf(state, revision);
      }),
    );
}

const deadlineIdOfStream = (stream: string): string => stream.slice(DEADLINE_CATEGORY.length + 1);

/**
 * Deadline states folded so far, by stream, as of a revision: a batch whose events continue a stream
 * folds them onto the held state instead of reading the stream again. Events are immutable and the
 * decider's states too, so a state held at revision r stays the state at r. Bounded: the states written
 * longest ago are forgotten first, and a forgotten stream is read from the store as before.
 */
export class DeadlineFoldCache {
  // Two generations instead of an LRU: a Map that evicts its oldest entry one at a time leaves a trail of deleted
  // slots that every `keys().next()` walks again (measured: a 300,000-deadline rebuild 7× slower). When the young
  // generation is full it becomes the old one and the old one is dropped whole: O(1) per call, at most `capacity` held.
  private young = new Map<string, { readonly revision: bigint; readonly state: DeadlineState }>();
  private old = new Map<string, { readonly revision: bigint; readonly state: DeadlineState }>();
  /** About 700 bytes a state (measured, its decoded events included): 20,000 ≈ 14 MB. */
  constructor(private readonly capacity = 20_000) {}
  /** The state after `revision`, if held. */
  at(stream: string, revision: bigint): DeadlineState | undefined {
    const held = this.young.get(stream) ?? this.old.get(stream);
    return held !== undefined && held.revision === revision ? held.state : undefined;
  }
  /** The newest state held and its revision, if any. */
  latest(stream: string): { readonly revision: bigint; readonly state: DeadlineState } | undefined {
    return this.young.get(stream) ?? this.old.get(stream);
  }
  remember(stream: string, revision: bigint, state: DeadlineState): void {
    if (this.capacity <= 0) return;
    // The scheduler and the projection both remember: a projection catching up must not put an older state back.
    const held = this.young.get(stream) ?? this.old.get(stream);
    if (held !== undefined && held.revision > revision) return;
    if (this.young.size >= Math.ceil(this.capacity / 2)) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(stream, { revision, state });
  }
  get size(): number {
    let size = this.young.size;
    for (const stream of this.old.keys()) if (!this.young.has(stream)) size += 1;
    return size;
  }
}

/** Streams read again at the same time when a batch cannot continue their folds (PostgreSQL serves them from its pool). */
const HISTORY_READS_IN_FLIGHT = 16;

/**
 * Applies a batch of deadline events (global order) to the index: each
 * touched stream is folded as of its last event in the batch: from the batch
 * alone when it starts the stream, onto the cached state when it continues
 * one, else from the stream read whole from the store.
 */
export async function projectBatch(store: EventStore, index: DeadlineIndex, batch: readonly StoredEvent[], cache?: DeadlineFoldCache): Promise<void> {
  // One round trip for the whole batch.
  await index.applyMany(await changesOf(store, batch, cache));
}

/** A stream touched by a batch, as the batch is read: its fold so far, or undefined when the stream must be read whole. */
interface TouchedStream {
  state: DeadlineState | undefined;
  /** Events up to this revision are already in `state` (it came from the cache). */
  heldUpTo: number;
  /** The revision a contiguous next event of the stream would have. */
  next: number;
  last: bigint;
}

/**
 * The index writes for a batch of deadline events: each touched stream's entry as of its last event in the batch.
 * One pass over the batch in global order, folding each event onto its stream's state as it comes (a rebuild reads
 * every deadline event through here: grouping the batch by stream first cost about a tenth of its fold time).
 */
async function changesOf(store: EventStore, batch: readonly StoredEvent[], cache?: DeadlineFoldCache): Promise<IndexChange[]> {
  const touched = new Map<string, TouchedStream>();
  for (const event of batch) {
    // Revisions as numbers: a stream's revisions stay far below 2^53, and bigint arithmetic allocates.
    const revision = Number(event.revision);
    let stream = touched.get(event.stream);
    if (stream === undefined) {
      // The batch starts the stream: fold from nothing. Else continue the state held at the revision before
      // this event or later (the scheduler remembers what it fires); else the stream is read whole below.
      const held = revision === 0 ? undefined : cache?.latest(event.stream);
      const heldAt = held === undefined ? -1 : Number(held.revision);
      const state = revision === 0 ? deadlineDecider.initialState() : heldAt >= revision - 1 ? held!.state : undefined;
      stream = { state, heldUpTo: revision === 0 ? -1 : heldAt, next: revision, last: event.revision };
      touched.set(event.stream, stream);
    }
    // A gap in the batch's events of a stream: read it whole.
    if (revision !== stream.next) stream.state = undefined;
    stream.next = revision + 1;
    stream.last = event.revision;
    if (stream.state !== undefined && revision > stream.heldUpTo) stream.state = deadlineDecider.evolve(stream.state, ownDeadlineCodec.decode(event));
  }
  const unread: [string, TouchedStream][] = [];
  for (const entry of touched) {
    // Held beyond the batch's last event: the entry must be the state at that event, which the stream gives.
    if (entry[1].state === undefined || entry[1].heldUpTo > Number(entry[1].last)) unread.push(entry);
  }
  for (let i = 0; i < unread.length; i += HISTORY_READS_IN_FLIGHT) {
    await Promise.all(
      unread.slice(i, i + HISTORY_READS_IN_FLIGHT).map(async ([name, stream]) => {
        const history = (await store.readStream(name)).filter((e) => e.revision <= stream.last);
        stream.state = fold(deadlineDecider, history.map((e) => ownDeadlineCodec.decode(e)));
      }),
    );
  }
  const changes: IndexChange[] = [];
  for (const [name, { state, last }] of touched) {
    if (state === undefined || state.opened === null) {
      throw new Error(`${name}: deadline events without DeadlineOpened (id ${deadlineIdOfStream(name)})`);
    }
    cache?.remember(name, last, state);
    const entry = entryOf(state, Number(last));
    changes.push(entry ? { upsert: entry } : { remove: { deadlineId: state.opened.deadlineId, revision: Number(last) } });
  }
  return changes;
}

export const DEADLINE_INDEX_SUBSCRIPTION = 'supervision-deadline-index';
/**
 * Every deadline commit wakes the index; in a busy day that was a tail read, a Redis round trip and a checkpoint per
 * commit or two. Gathered for 50 ms instead: a deadline opened already past due fires at most that much later (the
 * breach lag target is 1 s), and one after a quiet spell not later at all.
 */
const DEADLINE_INDEX_LINGER_MS = 50;

/**
 * Keeps the index in step with the deadline streams, resuming from its stored checkpoint. A deadline's later
 * events (warned, breached, closed) usually follow its opening within a working day or two: the cache lets
 * most of them be folded without reading the stream again; the scheduler, sharing it, remembers the states
 * it fired, so their projection reads nothing even when their openings are long forgotten (a storm).
 */
export function subscribeDeadlineIndex(store: EventStore, index: DeadlineIndex, cache = new DeadlineFoldCache()): Subscription {
  return store.subscribeToAll(
    { subscriptionId: DEADLINE_INDEX_SUBSCRIPTION, filter: { categories: [DEADLINE_CATEGORY] }, batchSize: 500, lingerMs: DEADLINE_INDEX_LINGER_MS },
    (events) => projectBatch(store, index, events, cache),
  );
}

/**
 * Rebuilds the index from the event store: forget everything, read every
 * deadline event from the start, project it. Firing reads the streams, not
 * the index, so a rebuilt index cannot make anything fire twice.
 */
export async function rebuildDeadlineIndex(store: EventStore, index: DeadlineIndex, pageSize = 5_000): Promise<{ events: number }> {
  return rebuildMarked(index, () => replayInto(store, index, pageSize));
}

// Tried and taken back (2026-11-27): holding back the writes of the last 100,000 deadlines touched, so that one
// touched again is written once. It halved the Redis writes of a rebuild whose deadlines' events lie close
// together (0.57x a bare readAll against 0.46x), but the held writes go out after the reads instead of beside
// them, which cost projecting 200,000 single-event deadlines about a fifth of its rate (docs/benchmarks.md).
async function replayInto(store: EventStore, index: DeadlineIndex, pageSize: number): Promise<{ events: number }> {
  let after = 0n;
  let count = 0;
  // The next page is read and folded while the previous one is written: a rebuild is then bounded by the
  // slower of the two, not their sum. One write in flight at most (memory stays one page), and writes are
  // issued in page order on the index's connection, so a later state never lands before an earlier one.
  let writing: Promise<unknown> = Promise.resolve();
  const cache = new DeadlineFoldCache(100_000); // transient, for the rebuild only (~70 MB at most)
  try {
    for (;;) {
      const page = await store.readAll({ after, maxCount: pageSize, filter: { categories: [DEADLINE_CATEGORY] } });
      if (page.length === 0) break;
      const changes = await changesOf(store, page, cache);
      await writing;
      writing = index.applyMany(changes);
      writing.catch(() => undefined); // handled: awaited before the next write or in `finally`; not an unhandled rejection meanwhile
      count += page.length;
      after = page[page.length - 1]!.globalPosition;
    }
  } finally {
    await writing;
  }
  return { events: count };
}
