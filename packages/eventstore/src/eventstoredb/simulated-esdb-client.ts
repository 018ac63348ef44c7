/**
 * For tests only: an in-process stand-in for EventStoreDB behind the narrow
 * `EsdbClient` interface, so the contract suite exercises the adapter's own
 * logic (exact expected revisions and re-planning, the hash chain, `$all`
 * scanning past system events, checkpoint streams) on machines without a
 * server. It models what the adapter relies on, strictly:
 *
 * - appends check the exact expected revision and are atomic;
 * - `$all` positions are byte-offset-like (increasing, with gaps) and reading
 *   from a position that is not a record's position is refused, as a real log
 *   would (the adapter must only resume from positions it was given);
 * - system events (`$stats-…`) are interleaved in `$all`;
 * - every call yields to the event loop, so concurrent callers interleave.
 *
 * It proves nothing about the real server or the vendor client: that is the
 * job of `eventstoredb-event-store.contract.int.spec.ts` when a server is reachable.
 */
import type { EsdbAppendOutcome, EsdbClient, EsdbEventData, EsdbReadOptions, EsdbRecordedEvent } from './esdb-client.ts';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createSimulatedEsdbClient(): EsdbClient & { readonly log: readonly EsdbRecordedEvent[] } {
  const log: EsdbRecordedEvent[] = [];
  const streams = new Map<string, EsdbRecordedEvent[]>();
  const maxCounts = new Map<string, number>();
  const watchers = new Set<() => void>();
  let nextPosition = 1_024n;
  let appends = 0;

  const write = (stream: string, event: EsdbEventData): EsdbRecordedEvent => {
    const events = streams.get(stream) ?? [];
    const recorded: EsdbRecordedEvent = {
      stream,
      id: event.id,
      revision: BigInt(events.length),
      type: event.type,
      created: new Date(),
      data: structuredClone(event.data),
      metadata: structuredClone(event.metadata),
      position: nextPosition,
    };
    nextPosition += 100n + BigInt(JSON.stringify(event.data ?? null).length);
    events.push(recorded);
    streams.set(stream, events);
    log.push(recorded);
    return recorded;
  };

  const visible = (stream: string) => {
    const events = streams.get(stream) ?? [];
    const max = maxCounts.get(stream);
    return max === undefined ? events : events.slice(Math.max(0, events.length - max));
  };

  const slice = <T extends EsdbRecordedEvent>(items: readonly T[], options: EsdbReadOptions, key: (e: T) => bigint): T[] => {
    const ordered = options.direction === 'backwards' ? [...items].reverse() : [...items];
    const from = options.from;
    const start =
      from === 'start' || from === 'end'
        ? 0
        : ordered.findIndex((e) => (options.direction === 'backwards' ? key(e) <= from : key(e) >= from));
    if (start < 0) return [];
    return ordered.slice(start, start + options.maxCount);
  };

  return {
    log,

    async append(stream, events, expected): Promise<EsdbAppendOutcome> {
      await tick();
      const current = streams.get(stream);
      const actual = current && current.length > 0 ? BigInt(current.length - 1) : ('no_stream' as const);
      if (actual !== expected) return { ok: false, actual };
      let last: EsdbRecordedEvent | undefined;
      for (const event of events) last = write(stream, event);
      if (++appends % 3 === 0) write('$stats-127.0.0.1:2113', { id: crypto.randomUUID(), type: '$statsCollected', data: {}, metadata: {} });
      if (!stream.startsWith('$')) for (const watcher of watchers) watcher();
      return { ok: true, nextRevision: last!.revision, position: last!.position };
    },

    async readStream(stream, options) {
      await tick();
      return slice(visible(stream), options, (e) => e.revision);
    },

    async readAll(options) {
      await tick();
      if (typeof options.from === 'bigint' && !log.some((e) => e.position === options.from)) {
        throw new Error(`simulated EventStoreDB: ${options.from} is not the position of a record`);
      }
      return slice(log, options, (e) => e.position!);
    },

    async watchAll(onEvent) {
      watchers.add(onEvent);
      return async () => {
        watchers.delete(onEvent);
      };
    },

    async setMaxCount(stream, maxCount) {
      maxCounts.set(stream, maxCount);
    },

    async close() {
      watchers.clear();
    },
  };
}
