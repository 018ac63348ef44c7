/**
 * The command handler of Emmett's shape: read the stream, fold it into state,
 * decide, append with the revision that was read as the expected revision.
 * Two commands racing on one stream: both read revision n, the first append
 * wins, the second gets ConcurrencyError (the HTTP layer answers 412, the
 * caller re-reads and retries). No retry loop here on purpose: whether a
 * retried decision is still what the user meant is the caller's call.
 */
import { ValidationError } from '@govsvc/errors/errors';
import { checkExpectedRevision } from './append-plan.ts';
import type { Decider } from './decider.ts';
import { passthroughCodec, toNewEvents, type DomainEvent, type EventCodec } from './event-codec.ts';
import { newEventId } from './event-ids.ts';
import type { EventMetadataInput, EventStore, ExpectedRevision, StoredEvent } from './port.ts';

export interface HandleCommandOptions<Event extends DomainEvent> {
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
  /** Encodes decided events and decodes (parses, upcasts) stored ones. Default: passthrough, version 1. */
  readonly codec?: EventCodec<Event>;
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

const idAt = (ids: HandleCommandOptions<DomainEvent>['eventIds'], index: number): string | undefined =>
  ids === undefined ? undefined : typeof ids === 'function' ? ids(index) : ids[index];

export async function handleCommand<State, Command, Event extends DomainEvent>(
  store: EventStore,
  stream: string,
  decider: Decider<State, Command, Event>,
  command: Command,
  options: HandleCommandOptions<Event>,
): Promise<CommandResult<State, Event>> {
  const codec = options.codec ?? passthroughCodec<Event>();
  const history = await store.readStream(stream);
  const last = history[history.length - 1];
  const readRevision = last ? last.revision : null;
  if (options.expectedRevision !== undefined) {
    checkExpectedRevision(stream, options.expectedRevision, last ? { revision: last.revision, hash: last.metadata.hash } : null);
  }

  const decoded = history.map((stored) => codec.decode(stored));
  const state = decoded.reduce((s, e) => decider.evolve(s, e), decider.initialState());

  const repeat = findEarlierHandling(history, options.eventIds);
  if (repeat) {
    return { state, events: repeat.map((stored) => codec.decode(stored)), nextExpectedRevision: readRevision, alreadyAppended: true };
  }

  const events = decider.decide(command, state);
  if (events.length === 0) return { state, events, nextExpectedRevision: readRevision, alreadyAppended: false };

  const ids = events.map((_, index) => idAt(options.eventIds, index) ?? (options.eventIds === undefined ? newEventId() : undefined));
  const missing = ids.findIndex((id) => id === undefined);
  if (missing >= 0) {
    throw new ValidationError(`eventIds has no id for event ${missing} of ${events.length}`, [{ path: `/eventIds/${missing}`, reason: 'missing' }]);
  }
  const result = await store.appendToStream(stream, toNewEvents(events, codec, ids as string[], options.metadata), {
    expectedRevision: readRevision === null ? 'no_stream' : readRevision,
  });
  return {
    state: events.reduce((s, e) => decider.evolve(s, e), state),
    events,
    nextExpectedRevision: result.nextExpectedRevision,
    alreadyAppended: result.alreadyAppended,
  };
}

/** The stored events of an earlier run of this command: consecutive events carrying ids 0, 1, … */
function findEarlierHandling(history: readonly StoredEvent[], eventIds: HandleCommandOptions<DomainEvent>['eventIds']): StoredEvent[] | null {
  const firstId = idAt(eventIds, 0)?.toLowerCase();
  if (firstId === undefined) return null;
  const start = history.findIndex((e) => e.id === firstId);
  if (start < 0) return null;
  const found: StoredEvent[] = [];
  for (let i = start; i < history.length && history[i]!.id === idAt(eventIds, found.length)?.toLowerCase(); i++) found.push(history[i]!);
  return found;
}
