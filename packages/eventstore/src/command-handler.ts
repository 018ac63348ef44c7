/**
 * The command handler of Emmett's shape: read the stream, fold it into state,
 * decide, append with the revision that was read as the expected revision.
 * Two commands racing on one stream: both read revision n, the first append
 * wins, the second gets ConcurrencyError (the HTTP layer answers 412, the
 * caller re-reads and retries). No retry loop here on purpose: whether a
 * retried decision is still what the user meant is the caller's call.
 *
 * With a fold cache, a command is first decided on the state kept from this
 * process's last read or append, without reading: the append expects the kept
 * revision, so it is written only if the stream has not moved since, and then
 * the decision was made on the stream as the store holds it. Anything else (the
 * append refused, found stored already, no events decided, the decider
 * refusing) proves nothing about the stream now, so the command is handled
 * again as above, on a fresh read, once. One megacity day sent 29,000 such tail
 * reads from supervision alone, nearly all finding nothing new: each a round trip
 * that put two processes to work on a machine of two cores (ADR 0009).
 */
import { ConcurrencyError, ValidationError } from '@govsvc/errors/errors';
import { checkExpectedRevision } from './append-plan.ts';
import { EventIdConflictError } from './errors.ts';
import type { Decider } from './decider.ts';
import { passthroughCodec, toNewEvents, type DomainEvent, type EventCodec } from './event-codec.ts';
import { newEventId } from './event-ids.ts';
import type { EventMetadataInput, EventStore, ExpectedRevision, StoredEvent } from './port.ts';
import type { FoldedStream, StreamFoldCache } from './stream-fold-cache.ts';

export interface HandleCommandOptions<State, Event extends DomainEvent> {
  /** Metadata for every produced event, or per event. */
  readonly metadata: EventMetadataInput | ((event: Event, index: number) => EventMetadataInput);
  /**
   * Ids of the produced events, by index. Deterministic ids (`deterministicEventIds(commandId)`)
   * make the command idempotent: when the stream already holds the id of event 0, the command
   * was handled before and nothing is decided or appended again. Default: random ids.
   */
  readonly eventIds?: readonly string[] | ((index: number) => string);
  /** The revision the caller based the command on (e.g. an HTTP If-Match); checked against the read. */
  readonly expectedRevision?: ExpectedRevision;
  /** Encodes decided events and decodes (parses, upcasts) stored ones. Default: passthrough, version 1 (or the cache's). */
  readonly codec?: EventCodec<Event>;
  /**
   * Keeps the stream's folded state between commands, so the read before deciding asks the store
   * only for events appended since (`stream-fold-cache.ts`). Every decision is still made on the
   * stream as the store holds it. One cache per decider and codec.
   */
  readonly cache?: StreamFoldCache<State, Event>;
  /**
   * With a cache: the caller expects the stream not to exist yet (a deadline being opened). When the
   * cache holds nothing for it, the command is decided on the initial state and appended with
   * `no_stream`, without reading first. Written, the guess was right and the decision was made on
   * the stream as stored; refused (the stream exists), found stored already or its ids taken, it is
   * handled again on a fresh read, as any decision on kept state. A wrong guess costs more than the
   * read it saves, so only for streams that are new nearly always.
   */
  readonly probablyNew?: boolean;
  /**
   * With a cache: the `performance.now()` at which the caller's request arrived. A kept state
   * confirmed current since then (the same request already read or appended the stream) is read
   * from the cache, not the store (`StreamFoldCache.load`).
   */
  readonly freshSince?: number;
}

export interface CommandResult<State, Event> {
  /** State after the command (after the stored events on an idempotent repeat). */
  readonly state: State;
  /** Events this command produced: decided now, or found stored on an idempotent repeat. */
  readonly events: readonly Event[];
  /** Last revision of the stream after the command; null when the stream still does not exist. */
  readonly nextExpectedRevision: bigint | null;
  /** True when the command had been handled before (its events were found): nothing appended. */
  readonly alreadyAppended: boolean;
}

const idAt = (ids: HandleCommandOptions<unknown, DomainEvent>['eventIds'], index: number): string | undefined =>
  ids === undefined ? undefined : typeof ids === 'function' ? ids(index) : ids[index];

export async function handleCommand<State, Command, Event extends DomainEvent>(
  store: EventStore,
  stream: string,
  decider: Decider<State, Command, Event>,
  command: Command,
  options: HandleCommandOptions<State, Event>,
): Promise<CommandResult<State, Event>> {
  const cache = options.cache;
  if (cache && cache.decider !== decider) throw new Error(`handleCommand: the cache for ${stream} was made for another decider`);
  if (cache && options.codec && cache.codec !== options.codec) throw new Error(`handleCommand: the cache for ${stream} decodes with another codec`);
  const codec = cache?.codec ?? options.codec ?? passthroughCodec<Event>();
  // A caller's expected revision pins what the user saw: that is checked against a read, never against the kept state.
  if (cache && options.expectedRevision === undefined) {
    const onKept = await decideOnKeptState(store, stream, decider, command, options, cache, codec);
    if (onKept) return onKept;
  }
  const read: FoldedStream<State> & { readonly history?: readonly StoredEvent[] } = cache ? await cache.load(store, stream, { freshSince: options.freshSince }) : await readFolded(store, stream, decider, codec);
  const { state, revision: readRevision } = read;
  if (options.expectedRevision !== undefined) {
    checkExpectedRevision(stream, options.expectedRevision, readRevision === null ? null : { revision: readRevision, hash: read.hash ?? '' });
  }

  const repeat = findEarlierHandling(read.ids, options.eventIds);
  if (repeat) {
    const stored = read.history ? read.history.slice(repeat.from, repeat.from + repeat.count) : await store.readStream(stream, { fromRevision: BigInt(repeat.from), maxCount: repeat.count });
    return { state, events: stored.map((e) => codec.decode(e)), nextExpectedRevision: readRevision, alreadyAppended: true };
  }

  const events = decider.decide(command, state);
  if (events.length === 0) return { state, events, nextExpectedRevision: readRevision, alreadyAppended: false };

  const ids = idsFor(events, options.eventIds);
  const issuedAt = performance.now();
  let result;
  try {
    result = await store.appendToStream(stream, toNewEvents(events, codec, ids, options.metadata), {
      expectedRevision: readRevision === null ? 'no_stream' : readRevision,
    });
  } catch (error) {
    cache?.forget(stream); // whatever happened, the next load reads the stream as the store has it
    throw error;
  }
  const after = foldedAfter(decider, read, events, ids, result.nextExpectedRevision);
  if (cache) {
    // An idempotent retry found the events stored already: the store's stream is right, not necessarily our fold of it.
    if (result.alreadyAppended) cache.forget(stream);
    else cache.remember(stream, after, issuedAt);
  }
  return { state: after.state, events, nextExpectedRevision: result.nextExpectedRevision, alreadyAppended: result.alreadyAppended };
}

/**
 * The command decided on the kept state and appended at the kept revision; null when that proves
 * nothing about the stream as it is now and the command must be handled on a fresh read.
 */
async function decideOnKeptState<State, Command, Event extends DomainEvent>(
  store: EventStore,
  stream: string,
  decider: Decider<State, Command, Event>,
  command: Command,
  options: HandleCommandOptions<State, Event>,
  cache: StreamFoldCache<State, Event>,
  codec: EventCodec<Event>,
): Promise<CommandResult<State, Event> | null> {
  const cached = cache.kept(stream);
  const guessNew = options.probablyNew === true && (cached?.revision ?? null) === null;
  const kept: FoldedStream<State> | undefined = guessNew ? { state: decider.initialState(), revision: null, hash: null, ids: [] } : cached;
  if (kept === undefined || (kept.revision === null && !guessNew)) return null;
  // A repeat is answered with its stored events, which the fresh path reads.
  if (findEarlierHandling(kept.ids, options.eventIds)) return null;
  let events: readonly Event[];
  try {
    events = decider.decide(command, kept.state);
  } catch {
    return null; // refused on a state that may be behind: the fresh read decides
  }
  // Nothing to append, so nothing would confirm that the kept state is current, unless what the state
  // holds already settles the command for good (Decider.settles). Guessed new, the state is the initial
  // one, which every state of the stream follows: settled there, the command is a no-op on any of them.
  if (events.length === 0) {
    return decider.settles?.(command, kept.state) === true ? { state: kept.state, events, nextExpectedRevision: kept.revision, alreadyAppended: false } : null;
  }
  let ids: string[];
  try {
    ids = idsFor(events, options.eventIds);
  } catch {
    return null; // more events than the caller gave ids for, on a state that may be behind: the fresh read decides
  }
  const issuedAt = performance.now();
  let result;
  try {
    result = await store.appendToStream(stream, toNewEvents(events, codec, ids, options.metadata), { expectedRevision: kept.revision ?? 'no_stream' });
  } catch (error) {
    cache.forget(stream);
    if (error instanceof ConcurrencyError) return null; // the stream moved since it was kept (or, guessed new, exists)
    // Guessed new, the ids may be an earlier run's, decided on what the stream held then: the fresh read finds that run.
    if (guessNew && error instanceof EventIdConflictError) return null;
    throw error;
  }
  if (result.alreadyAppended) {
    // Stored already, after the kept revision: the fresh path answers with what the stream holds.
    cache.forget(stream);
    return null;
  }
  const after = foldedAfter(decider, kept, events, ids, result.nextExpectedRevision);
  cache.remember(stream, after, issuedAt);
  return { state: after.state, events, nextExpectedRevision: result.nextExpectedRevision, alreadyAppended: false };
}

/** The stream folded on from `base` with the events just appended, as the cache keeps it. */
function foldedAfter<State, Event extends DomainEvent>(
  decider: Decider<State, never, Event>,
  base: FoldedStream<State>,
  events: readonly Event[],
  ids: readonly string[],
  revision: bigint,
): FoldedStream<State> {
  const state = events.reduce((s, e) => decider.evolve(s, e), base.state);
  // Stores keep ids lowercased (validation.ts), as the kept ids must be for findEarlierHandling to match them.
  return { state, revision, hash: null, ids: [...base.ids, ...ids.map((id) => id.toLowerCase())] };
}

/** The ids of the decided events: the caller's, or random ones when it gave none. */
function idsFor(events: readonly DomainEvent[], eventIds: HandleCommandOptions<unknown, DomainEvent>['eventIds']): string[] {
  const ids = events.map((_, index) => idAt(eventIds, index) ?? (eventIds === undefined ? newEventId() : undefined));
  const missing = ids.findIndex((id) => id === undefined);
  if (missing >= 0) {
    throw new ValidationError(`eventIds has no id for event ${missing} of ${events.length}`, [{ path: `/eventIds/${missing}`, reason: 'missing' }]);
  }
  return ids as string[];
}

/** The whole stream read, decoded and folded: what handleCommand does without a cache. */
async function readFolded<State, Event extends DomainEvent>(
  store: EventStore,
  stream: string,
  decider: Decider<State, never, Event>,
  codec: EventCodec<Event>,
): Promise<FoldedStream<State> & { readonly history: readonly StoredEvent[] }> {
  const history = await store.readStream(stream);
  const last = history[history.length - 1];
  const state = history.reduce((s, stored) => decider.evolve(s, codec.decode(stored)), decider.initialState());
  return { state, revision: last ? last.revision : null, hash: last ? last.metadata.hash : null, ids: history.map((e) => e.id), history };
}

/** Where an earlier run of this command stored its events: consecutive revisions carrying ids 0, 1, … */
function findEarlierHandling(ids: readonly string[], eventIds: HandleCommandOptions<unknown, DomainEvent>['eventIds']): { from: number; count: number } | null {
  const firstId = idAt(eventIds, 0)?.toLowerCase();
  if (firstId === undefined) return null;
  const from = ids.indexOf(firstId);
  if (from < 0) return null;
  let count = 0;
  while (from + count < ids.length && ids[from + count] === idAt(eventIds, count)?.toLowerCase()) count += 1;
  return { from, count };
}
