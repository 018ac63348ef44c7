import { describe, expect, it } from 'vitest';
import { loadSchedules } from '@govsvc/calendar/data-files';
import { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import type { EventStore, ReadStreamOptions } from '@govsvc/eventstore/port';
import { DeadlineFoldCache, executeDeadline } from './deadlines.ts';
import { deadlineContractMapping } from './relay.ts';
import { openAcceptanceDeadlines } from './test-deadlines.ts';

/** The memory store, counting readStream calls. */
function countingStore(): { store: EventStore; reads: () => number } {
  const inner = createInMemoryEventStore();
  let reads = 0;
  const store = new Proxy(inner, {
    get(target, key, receiver) {
      if (key === 'readStream') {
        return (stream: string, options?: ReadStreamOptions) => {
          reads += 1;
          return target.readStream(stream, options);
        };
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { store, reads: () => reads };
}

describe("supervision relay's mapping", () => {
  it('R-ACC-2: maps each deadline event from its state as of that event, folding onto the previous one instead of re-reading the stream', async () => {
    const { store, reads } = countingStore();
    const calendar = WorkingCalendar.fromSchedules(await loadSchedules());
    const ids = await openAcceptanceDeadlines(store, 3, calendar, 'BJ-R');
    // Opened → warned/breached → closed: several events per stream, each contract depending on the state before it.
    for (const deadlineId of ids) {
      await executeDeadline(store, deadlineId, { type: 'FireDue', now: '2025-03-05T00:00:00+08:00', calendar }, { seed: `fire:${deadlineId}`, correlationId: deadlineId });
      await executeDeadline(store, deadlineId, { type: 'CloseDeadline', at: '2025-03-06T09:00:00+08:00', resolution: 'met-or-late', cause: 'test' }, { seed: `close:${deadlineId}`, correlationId: deadlineId });
    }
    const events = await store.readAll();
    expect(events.length).toBeGreaterThanOrEqual(ids.length * 3);

    // The reference: no states held, every event mapped from its stream read afresh (the mapping as it was).
    const fresh = deadlineContractMapping(store, new DeadlineFoldCache(0));
    const expected = [];
    for (const event of events) expected.push(await fresh(event));

    const before = reads();
    const mapped = [];
    const held = deadlineContractMapping(store);
    for (const event of events) mapped.push(await held(event));
    expect(mapped).toEqual(expected);
    expect(mapped.filter((c) => c !== null).length).toBeGreaterThan(0);
    // In global order every event continues the state its stream's previous event left: no read at all.
    expect(reads() - before).toBe(0);

    // A relay restarted mid-stream (nothing held) reads the stream up to the event, once, then folds on.
    const restarted = deadlineContractMapping(store);
    const tail = events.filter((e) => e.stream === events[events.length - 1]!.stream).slice(-2);
    const readsBefore = reads();
    for (const event of tail) expect(await restarted(event)).toEqual(expected[events.indexOf(event)]);
    expect(reads() - readsBefore).toBe(1);
  });

  it('waits at the gate it is given before mapping (the scheduler firing a wave), and maps as before once let through', async () => {
    const { store, reads } = countingStore();
    const calendar = WorkingCalendar.fromSchedules(await loadSchedules());
    await openAcceptanceDeadlines(store, 1, calendar, 'BJ-G');
    const [opened] = await store.readAll();
    const readsBefore = reads();
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const mapping = deadlineContractMapping(store, new DeadlineFoldCache(), () => gate);
    let mapped: unknown;
    const pending = mapping(opened!).then((contract) => (mapped = contract));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(mapped).toBeUndefined();
    open();
    await pending;
    expect(mapped).toEqual(await deadlineContractMapping(store, new DeadlineFoldCache(0))(opened!));
    expect(reads() - readsBefore).toBe(0); // an opening starts its stream: nothing to read
  });
});
