import { describe, expect, it } from 'vitest';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { passthroughCodec, type DomainEvent } from '@govsvc/eventstore/event-codec';
import type { EventStore } from '@govsvc/eventstore/port';
import { StreamFoldCache } from '@govsvc/eventstore/stream-fold-cache';
import { CaseStates } from './case-states.ts';

const append = (store: EventStore, caseId: string, n: number) =>
  store.appendToStream(`case-${caseId}`, [{ id: crypto.randomUUID(), type: 'Noted', schemaVersion: 1, data: { n }, metadata: { correlationId: 'c', actor: { id: 'x', role: 'clerk' } } }], { expectedRevision: 'any' });

/** A store that counts the events its stream reads returned. */
function counting(store: EventStore) {
  const counts = { reads: 0, events: 0 };
  const wrapped: EventStore = Object.assign(Object.create(store) as EventStore, {
    readStream: async (...args: Parameters<EventStore['readStream']>) => {
      const events = await store.readStream(...args);
      counts.reads++;
      counts.events += events.length;
      return events;
    },
  });
  return { wrapped, counts };
}

const fold = (state: number[], event: DomainEvent) => [...state, (event.data as { n: number }).n];
const folds = (maxStreams?: number) => new StreamFoldCache<number[], DomainEvent>({ initialState: () => [], evolve: fold }, passthroughCodec(), { ...(maxStreams ? { maxStreams } : {}) });

describe('case states for reads', () => {
  it('reads only the events after the cached revision, and sees what another writer appended', async () => {
    const store = createInMemoryEventStore();
    const { wrapped, counts } = counting(store);
    const states = new CaseStates<number[]>(wrapped, (id) => `case-${id}`, folds());
    await append(store, 'a', 1);
    await append(store, 'a', 2);
    expect(await states.current('a')).toEqual({ state: [1, 2], revision: 1n });
    expect(await states.current('a')).toEqual({ state: [1, 2], revision: 1n });
    expect(counts.events).toBe(2); // the second read fetched nothing
    await append(store, 'a', 3); // as another intake instance would
    expect(await states.current('a')).toEqual({ state: [1, 2, 3], revision: 2n });
    expect(counts.events).toBe(3);
    expect(await states.current('unknown')).toBeNull();
  });

  it('100 reads of one case at once cost at most two store reads', async () => {
    const store = createInMemoryEventStore();
    const { wrapped, counts } = counting(store);
    const states = new CaseStates<number[]>(wrapped, (id) => `case-${id}`, folds());
    await append(store, 'a', 1);
    const all = await Promise.all(Array.from({ length: 100 }, () => states.current('a')));
    expect(all.every((s) => s?.revision === 0n)).toBe(true);
    expect(counts.reads).toBeLessThanOrEqual(2);
  });

  it('keeps at most `capacity` cases, dropping the least recently read', async () => {
    const store = createInMemoryEventStore();
    const { wrapped, counts } = counting(store);
    const states = new CaseStates<number[]>(wrapped, (id) => `case-${id}`, folds(2));
    for (const id of ['a', 'b', 'c']) await append(store, id, 1);
    await states.current('a');
    await states.current('b');
    await states.current('a');
    await states.current('c'); // drops b
    const before = counts.events;
    await states.current('a');
    expect(counts.events).toBe(before); // a still cached
    await states.current('b');
    expect(counts.events).toBe(before + 1); // b read whole again
  });
});
