/**
 * The only module that imports `@eventstore/db-client`. It narrows the client
 * to the five operations the adapter needs, in our own types, so the move to
 * `@kurrent/kurrentdb-client` (where `expectedRevision` became `streamState`)
 * rewrites this file and nothing else.
 */
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  type JSONType,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { UnavailableError } from '@govsvc/errors/errors';

/** A recorded event as the adapter sees it. `position` is the `$all` commit position when the server reports one. */
export interface EsdbRecordedEvent {
  readonly stream: string;
  readonly id: string;
  readonly revision: bigint;
  readonly type: string;
  readonly created: Date;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position: bigint | null;
}

export interface EsdbEventData {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
}

export type EsdbAppendOutcome =
  | { readonly ok: true; readonly nextRevision: bigint; readonly position: bigint | null }
  | { readonly ok: false; readonly actual: bigint | 'no_stream' };

export type EsdbReadFrom = 'start' | 'end' | bigint;

export interface EsdbReadOptions {
  readonly direction: 'forwards' | 'backwards';
  /** A stream revision (readStream) or a `$all` commit position (readAll). */
  readonly from: EsdbReadFrom;
  readonly maxCount: number;
}

/** The narrow client the EventStoreDB adapter is written against (the fake in the specs implements it too). */
export interface EsdbClient {
  /** Appends with an exact expected state: the stream's last revision, or `'no_stream'`. */
  append(stream: string, events: readonly EsdbEventData[], expected: bigint | 'no_stream'): Promise<EsdbAppendOutcome>;
  /** Empty when the stream does not exist. */
  readStream(stream: string, options: EsdbReadOptions): Promise<EsdbRecordedEvent[]>;
  /** `$all`, system events included (the adapter filters). From a position: inclusive. */
  readAll(options: EsdbReadOptions): Promise<EsdbRecordedEvent[]>;
  /** Calls `onEvent` for each new non-system event (a live wake-up hint); resolves to the stop function. */
  watchAll(onEvent: () => void): Promise<() => Promise<void>>;
  /** Keeps at most `maxCount` events in the stream (older ones are scavenged). */
  setMaxCount(stream: string, maxCount: number): Promise<void>;
  close(): Promise<void>;
}

const MAX_U64 = 18446744073709551615n; // servers that do not know a position report u64::MAX

function toRecorded(resolved: ResolvedEvent): EsdbRecordedEvent | null {
  const event = resolved.event;
  if (!event) return null; // an unresolved link
  const commit = event.position?.commit ?? resolved.commitPosition;
  return {
    stream: event.streamId,
    id: event.id,
    revision: event.revision,
    type: event.type,
    created: event.created,
    data: event.isJson ? event.data : null,
    metadata: event.metadata,
    position: commit === undefined || commit === MAX_U64 ? null : commit,
  };
}

/** gRPC "unavailable" / deadline errors become our UnavailableError; the rest pass through. */
function translate(error: unknown): unknown {
  const type = (error as { type?: string } | null)?.type;
  if (type === 'unavailable' || type === 'deadline-exceeded' || type === 'not-leader') {
    return new UnavailableError(`EventStoreDB unavailable: ${(error as Error).message}`, 2, { type });
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

async function collect(read: AsyncIterable<ResolvedEvent>): Promise<EsdbRecordedEvent[]> {
  const out: EsdbRecordedEvent[] = [];
  for await (const resolved of read) {
    const recorded = toRecorded(resolved);
    if (recorded) out.push(recorded);
  }
  return out;
}

export function createEsdbClient(connectionString: string): EsdbClient {
  const client = EventStoreDBClient.connectionString(connectionString);
  return {
    append: (stream, events, expected) =>
      guarded(async () => {
        try {
          const result = await client.appendToStream(
            stream,
            events.map((e) =>
              // JSON payloads of any JSON type; the client's type only lists objects, arrays and strings.
              jsonEvent({ id: e.id, type: e.type, data: e.data as JSONType, metadata: e.metadata as JSONType }),
            ),
            { expectedRevision: expected === 'no_stream' ? NO_STREAM : expected },
          );
          const commit = result.position?.commit;
          return { ok: true as const, nextRevision: result.nextExpectedRevision, position: commit === undefined ? null : commit };
        } catch (error) {
          if (error instanceof WrongExpectedVersionError) {
            const actual = error.actualVersion;
            return { ok: false as const, actual: typeof actual === 'bigint' ? actual : ('no_stream' as const) };
          }
          throw error;
        }
      }),

    readStream: (stream, options) =>
      guarded(async () => {
        try {
          return await collect(
            client.readStream(stream, {
              direction: options.direction === 'backwards' ? BACKWARDS : FORWARDS,
              fromRevision: options.from === 'start' ? START : options.from === 'end' ? END : options.from,
              maxCount: options.maxCount,
            }),
          );
        } catch (error) {
          if (error instanceof StreamNotFoundError) return [];
          throw error;
        }
      }),

    readAll: (options) =>
      guarded(() =>
        collect(
          client.readAll({
            direction: options.direction === 'backwards' ? BACKWARDS : FORWARDS,
            fromPosition:
              options.from === 'start' ? START : options.from === 'end' ? END : { commit: options.from, prepare: options.from },
            maxCount: options.maxCount,
          }),
        ),
      ),

    watchAll: (onEvent) =>
      guarded(async () => {
        const subscription = client.subscribeToAll({ fromPosition: END, filter: excludeSystemEvents() });
        subscription.on('data', () => onEvent());
        // A dropped subscription only costs latency: the adapter polls anyway.
        subscription.on('error', () => undefined);
        return async () => {
          await subscription.unsubscribe().catch(() => undefined);
        };
      }),

    setMaxCount: (stream, maxCount) =>
      guarded(async () => {
        await client.setStreamMetadata(stream, { maxCount });
      }),

    close: () => client.dispose(),
  };
}
