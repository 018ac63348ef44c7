/**
 * The scheduling scenario's event stream generated as it is read (`BENCH_GENERATED=1`): the events the
 * set-up would have appended (one `DeadlineOpened` per deadline stream, at global positions 1…count),
 * built page by page when `readAll` asks, so issue 7's 10,000,000-deadline scheduling run does not need
 * ten million events held in the in-memory store first (a million took 56 s and most of a 12 GB heap).
 * What is measured is unchanged: the projection reads the stream through the store's port, folds and
 * writes the Redis index. Only `readAll` is served; anything else is refused, so a scenario that needs a
 * real store cannot run on this one unnoticed.
 */
import type { EventStore, NewEvent, StoredEvent } from '@govsvc/eventstore/port';

/**
 * A unique, well-formed event id from a position, without hashing: the projection never reads ids, and a
 * hash per event would be charged to its figure here (the store-filling set-up computed them untimed).
 */
export const positionalEventId = (i: number): string => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

export function generatedEventStream(count: number, eventAt: (i: number) => { readonly stream: string; readonly event: NewEvent }, recordedAt: Date): EventStore {
  const refused = (what: string) => () => {
    throw new Error(`the generated event stream serves readAll only, not ${what}`);
  };
  return {
    async readAll(options = {}) {
      const first = Number(options.after ?? 0n) + 1;
      const last = Math.min(count, first + (options.maxCount ?? count) - 1);
      const page: StoredEvent[] = [];
      for (let position = first; position <= last; position++) {
        const { stream, event } = eventAt(position - 1);
        if (options.filter?.categories && !options.filter.categories.some((c) => stream.startsWith(`${c}-`))) continue;
        // Not hash-chained: only the index projection reads this stream, and it never checks the chain.
        page.push({ ...event, metadata: { ...event.metadata, prevHash: null, hash: '' }, stream, revision: 0n, globalPosition: BigInt(position), recordedAt });
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
