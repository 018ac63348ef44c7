/**
 * Projecting deadline events into the index (issue 7): a batch that continues a stream is folded onto
 * the state the fold cache holds, a stream it no longer holds is read again, and either way the index
 * gets the entry a fold of the whole stream gives.
 */
import { describe, expect, it } from 'vitest';
import { loadSchedules } from '@govsvc/calendar/data-files';
import { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import type { EventStore, StoredEvent } from '@govsvc/eventstore/port';
import { ControlledClock } from '@govsvc/runtime/clock';
import { deadlineDecider } from '../domain/deadline-decider.ts';
import { deadlineStream } from '../domain/kinds.ts';
import { DEADLINE_CATEGORY, ownDeadlineCodec } from './codecs.ts';
import { createMemoryDeadlineIndex, entryOf } from './deadline-index.ts';
import { DeadlineFoldCache, executeDeadline, projectBatch, rebuildDeadlineIndex } from './deadlines.ts';
import { openAcceptanceDeadlines } from './test-deadlines.ts';
import { fold } from '@govsvc/eventstore/decider';

const clock = new ControlledClock('2025-03-03T08:00:00+08:00');

/** Counts whole-stream reads: the cost the cache saves. */
function countingStore(store: EventStore): EventStore & { streamReads: () => number } {
  let reads = 0;
  return Object.assign(Object.create(store) as EventStore, {
    readStream: (...args: Parameters<EventStore['readStream']>) => {
      reads += 1;
      return store.readStream(...args);
    },
    streamReads: () => reads,
  });
}

async function openAndBreach(store: EventStore, cases: number): Promise<string[]> {
  const calendar = WorkingCalendar.fromSchedules(await loadSchedules());
  const ids = await openAcceptanceDeadlines(store, cases, calendar, 'BJ-F');
  // Every opening first, then every firing: each stream's second event is in a later page than its first.
  for (const deadlineId of ids) {
    await executeDeadline(store, deadlineId, { type: 'FireDue', now: '2025-03-05T00:00:00+08:00', calendar }, { seed: `fire:${deadlineId}`, correlationId: deadlineId });
  }
  return ids;
}

const allDeadlineEvents = (store: EventStore): Promise<StoredEvent[]> => store.readAll({ filter: { categories: [DEADLINE_CATEGORY] } });

describe('opening deadlines', () => {
  it('R-ACC-2: opens an acceptance deadline without reading its stream, and a redelivered opening still appends nothing', async () => {
    const store = countingStore(createInMemoryEventStore({ now: () => clock.now() }));
    const calendar = WorkingCalendar.fromSchedules(await loadSchedules());
    const [deadlineId] = await openAcceptanceDeadlines(store, 3, calendar, 'BJ-O');
    expect(store.streamReads()).toBe(0);
    // The same opening again (a redelivered contract): decided again on a read, found handled, nothing new.
    await openAcceptanceDeadlines(store, 1, calendar, 'BJ-O');
    expect((await store.readStream(deadlineStream(deadlineId!))).map((e) => e.type)).toEqual(['DeadlineOpened']);
  });
});

describe('deadline projection with the fold cache', () => {
  it('folds a continued stream onto the cached state without reading it again, with the same entries as a whole fold', async () => {
    const inner = createInMemoryEventStore({ now: () => clock.now() });
    const ids = await openAndBreach(inner, 6);
    const store = countingStore(inner);
    const events = await allDeadlineEvents(store);
    expect(events.length).toBeGreaterThan(ids.length); // the firing added events after the openings

    const cache = new DeadlineFoldCache();
    const index = createMemoryDeadlineIndex();
    for (let i = 0; i < events.length; i += ids.length) await projectBatch(store, index, events.slice(i, i + ids.length), cache);
    expect(store.streamReads()).toBe(0);

    for (const deadlineId of ids) {
      const stream = (await inner.readStream(deadlineStream(deadlineId))).map((e) => ownDeadlineCodec.decode(e));
      const whole = fold(deadlineDecider, stream);
      expect(await index.get(deadlineId)).toEqual(entryOf(whole, stream.length - 1));
    }
  });

  it('reads a stream again when the cache no longer holds it (bounded: oldest forgotten first), or holds it at another revision', async () => {
    const inner = createInMemoryEventStore({ now: () => clock.now() });
    const ids = await openAndBreach(inner, 5);
    const store = countingStore(inner);
    const events = await allDeadlineEvents(store);
    const cache = new DeadlineFoldCache(2);
    const index = createMemoryDeadlineIndex();
    const openings = events.filter((e) => e.revision === 0n);
    await projectBatch(store, index, openings, cache);
    expect(cache.size).toBe(2);
    await projectBatch(store, index, events.filter((e) => e.revision > 0n), cache);
    expect(store.streamReads()).toBe(ids.length - 2); // the two last remembered continued from the cache
    expect(cache.at(deadlineStream(ids[0]!), 0n)).toBeUndefined();

    const reference = createMemoryDeadlineIndex();
    await rebuildDeadlineIndex(inner, reference, 3);
    expect(await index.all()).toEqual(await reference.all());
  });

  it('a rebuild in small pages (streams split across pages, writes overlapping reads) gives the index a whole fold gives', async () => {
    const store = createInMemoryEventStore({ now: () => clock.now() });
    await openAndBreach(store, 7);
    const small = createMemoryDeadlineIndex();
    const large = createMemoryDeadlineIndex();
    await rebuildDeadlineIndex(store, small, 2);
    await rebuildDeadlineIndex(store, large, 10_000);
    expect(await small.all()).toEqual(await large.all());
    expect((await small.all()).length).toBe(7);
  });

  it('a batch that skips a revision, or ends before the state the cache holds, reads the stream; one the cache already covers in part does not', async () => {
    const inner = createInMemoryEventStore({ now: () => clock.now() });
    const ids = await openAndBreach(inner, 3);
    const calendar = WorkingCalendar.fromSchedules(await loadSchedules());
    // The follow-up lapses too: a third event (escalation) on every stream.
    for (const deadlineId of ids) {
      await executeDeadline(inner, deadlineId, { type: 'FireDue', now: '2025-03-20T00:00:00+08:00', calendar }, { seed: `late:${deadlineId}`, correlationId: deadlineId });
    }
    const [gap, ahead, within] = await Promise.all(ids.map(async (id) => inner.readStream(deadlineStream(id))));
    for (const stream of [gap!, ahead!, within!]) expect(stream.length).toBeGreaterThanOrEqual(3);
    const wholeAt = (events: readonly StoredEvent[], revision: number) => entryOf(fold(deadlineDecider, events.slice(0, revision + 1).map((e) => ownDeadlineCodec.decode(e))), revision);
    const stateAt = (events: readonly StoredEvent[], revision: number) => fold(deadlineDecider, events.slice(0, revision + 1).map((e) => ownDeadlineCodec.decode(e)));

    const store = countingStore(inner);
    const cache = new DeadlineFoldCache();
    // `ahead`: the scheduler remembered its state at revision 2, but the batch ends at revision 1.
    cache.remember(ahead![0]!.stream, 2n, stateAt(ahead!, 2));
    // `within`: remembered at revision 1, and the batch holds revisions 1 and 2: only revision 2 is folded onto it.
    cache.remember(within![0]!.stream, 1n, stateAt(within!, 1));
    const index = createMemoryDeadlineIndex();
    await projectBatch(store, index, [gap![0]!, ahead![1]!, within![1]!, gap![2]!, within![2]!], cache);

    expect(store.streamReads()).toBe(2); // `gap` (revision 1 missing) and `ahead`
    expect(await index.get(ids[0]!)).toEqual(wholeAt(gap!, 2));
    expect(await index.get(ids[1]!)).toEqual(wholeAt(ahead!, 1));
    expect(await index.get(ids[2]!)).toEqual(wholeAt(within!, 2));
  });

  it('the cache never holds more than its capacity, and holds the states written last', () => {
    const cache = new DeadlineFoldCache(100);
    const state = deadlineDecider.initialState();
    for (let i = 0; i < 1_000; i++) {
      cache.remember(`deadline-${i}`, 0n, state);
      expect(cache.size).toBeLessThanOrEqual(100);
    }
    for (let i = 950; i < 1_000; i++) expect(cache.at(`deadline-${i}`, 0n)).toBe(state);
    expect(cache.at('deadline-0', 0n)).toBeUndefined();
    expect(cache.at('deadline-999', 1n)).toBeUndefined(); // held at another revision: not this state
  });
});
