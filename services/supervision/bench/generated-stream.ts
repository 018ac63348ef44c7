/**
 * The scheduling scenario's event stream generated as it is read (`BENCH_GENERATED=1`): the events the
 * set-up would have appended (one `DeadlineOpened` per deadline stream, at global positions 1…count),
 * built page by page when `readAll` asks, so issue 7's 10,000,000-deadline scheduling run does not need
 * ten million events held in the in-memory store first (a million took 56 s and most of a 12 GB heap).
 * What is measured is unchanged: the projection reads the stream through the store's port, folds and
 * writes the Redis index. Only `readAll` is served; anything else is refused, so a scenario that needs a
 * real store cannot run on this one unnoticed.
 */
import type { EventStore, StoredEvent } from '@govsvc/eventstore/port';

/**
 * A unique, well-formed event id from a position, without hashing: the projection never reads ids, and a
 * hash per event would be charged to its figure here (the store-filling set-up computed them untimed).
 */
export const positionalEventId = (i: number): string => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

/**
 * `storedEventAt(position)` builds the event at a global position (1…count) as the store would hand it back. Build it as
 * one object literal: spreading a template into it (`{ id, ...encoded, data }`) cost 4–10 µs an event here (V8 leaves the
 * clone's fast path), which made generating 10,000,000 events take longer than indexing them (2026-11-28).
 */
export function generatedEventStream(count: number, storedEventAt: (position: number) => StoredEvent): EventStore {
  const refused = (what: string) => () => {
    throw new Error(`the generated event stream serves readAll only, not ${what}`);
  };
  return {
    async readAll(options = {}) {
      const first = Number(options.after ?? 0n) + 1;
      const last = Math.min(count, first + (options.maxCount ?? count) - 1);
      const page: StoredEvent[] = [];
      const categories = options.filter?.categories;
      for (let position = first; position <= last; position++) {
        const event = storedEventAt(position);
        if (categories && !categories.some((c) => event.stream.startsWith(`${c}-`))) continue;
        page.push(event);
      }
      return page;
    },
    appendToStream: refused('appendToStream'),
    readStream: refused('readStream'),
    subscribeToAll: refused('subscribeToAll'),
    checkpoints: { read: refused('checkpoints'), store: refused('checkpoints') },
    streamRevision: refused('streamRevision'),
    async headPosition() {
      return BigInt(count);
    },
    async close() {},
  };
}
