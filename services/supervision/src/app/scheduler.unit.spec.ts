/**
 * The scheduler's pass (issue 7, breach storm): appends handed to the store together, not one per read;
 * a stream written between the read and the append is decided again on what it holds; the states
 * fired are remembered in the fold cache the index projection shares, so projecting them reads nothing.
 */
import { describe, expect, it } from 'vitest';
import { loadSchedules } from '@govsvc/calendar/data-files';
import { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { fold } from '@govsvc/eventstore/decider';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import { ControlledClock } from '@govsvc/runtime/clock';
import { deadlineDecider } from '../domain/deadline-decider.ts';
import { deadlineStream } from '../domain/kinds.ts';
import { DEADLINE_CATEGORY, ownDeadlineCodec } from './codecs.ts';
import { createMemoryDeadlineIndex, entryOf } from './deadline-index.ts';
import { DeadlineFoldCache, executeDeadline, projectBatch, rebuildDeadlineIndex } from './deadlines.ts';
import { givingWayTo, Scheduler } from './scheduler.ts';
import { openAcceptanceDeadlines } from './test-deadlines.ts';

const calendar = WorkingCalendar.fromSchedules(await loadSchedules());

/**
 * Records stream reads and appends, runs `afterRead` once a stream has been read, and makes each append take
 * `appendMs` (a group commit's round trip): `mostInFlight` is how many appends were ever waiting at once.
 */
function watchedStore(store: EventStore, afterRead: (stream: string) => Promise<void> = async () => {}, appendMs = 0) {
  const calls: string[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const watched: EventStore = Object.assign(Object.create(store) as EventStore, {
    readStream: async (...args: Parameters<EventStore['readStream']>) => {
      calls.push(`read ${args[0]}`);
      const events = await store.readStream(...args);
      await afterRead(args[0]);
      return events;
    },
    // The pass's batched read: each stream's hook runs after the read, as for readStream.
    readStreams: async (streams: readonly string[]) => {
      for (const stream of streams) calls.push(`read ${stream}`);
      const read = await store.readStreams!(streams);
      for (const stream of streams) await afterRead(stream);
      return read;
    },
    appendToStream: async (...args: Parameters<EventStore['appendToStream']>) => {
      calls.push(`append ${args[0]}`);
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      try {
        if (appendMs > 0) await new Promise((resolve) => setTimeout(resolve, appendMs));
        return await store.appendToStream(...args);
      } finally {
        inFlight -= 1;
      }
    },
  });
  return { watched, calls, mostInFlight: () => mostInFlight };
}

async function setUp(cases: number) {
  const clock = new ControlledClock('2025-03-03T08:00:00+08:00');
  const store = createInMemoryEventStore({ now: () => clock.now() });
  const ids = await openAcceptanceDeadlines(store, cases, calendar);
  const index = createMemoryDeadlineIndex();
  await rebuildDeadlineIndex(store, index);
  clock.set('2025-03-05T00:00:00+08:00'); // every deadline (due 2025-03-04) is breached
  return { clock, store, ids, index };
}

const breachesOf = async (store: EventStore, deadlineId: string) => (await store.readStream(deadlineStream(deadlineId))).filter((e) => e.type === 'DeadlineBreached').length;

describe('scheduler pass', () => {
  it('hands each append to the store without waiting for it before the next read, fires each deadline once, and a second pass fires nothing', async () => {
    const { clock, store, ids, index } = await setUp(40);
    const stale = createMemoryDeadlineIndex(); // as the index stood before the pass: a crash before its write
    await rebuildDeadlineIndex(store, stale);
    const { watched, calls, mostInFlight } = watchedStore(store, undefined, 30);
    const fired: string[] = [];
    // One read at a time: appends that each waited before the next read would never be in flight together.
    const scheduler = new Scheduler({ store: watched, index, clock, calendar: () => calendar, concurrency: 1, onFired: (events) => fired.push(...events.map((e) => e.type)) });

    expect(await scheduler.runOnce()).toBe(40);
    expect(mostInFlight()).toBeGreaterThanOrEqual(20); // the store can pack them into one group commit
    expect(calls.filter((c) => c.startsWith('append '))).toHaveLength(40);
    for (const id of ids) expect(await breachesOf(store, id)).toBe(1);
    expect(fired.filter((t) => t === 'DeadlineBreached')).toHaveLength(40);
    for (const id of ids) expect((await index.get(id))?.card).toBe('yellow');
    expect(await scheduler.runOnce()).toBe(0);

    // The same pass again over the stale index: each stream read shows the firing recorded, nothing is appended.
    calls.length = 0;
    expect(await new Scheduler({ store: watched, index: stale, clock, calendar: () => calendar }).runOnce()).toBe(40);
    expect(calls.filter((c) => c.startsWith('append '))).toEqual([]);
    for (const id of ids) expect(await breachesOf(store, id)).toBe(1);
    expect((await stale.get(ids[0]!))?.card).toBe('yellow'); // and the stale entries are corrected
  });

  it('a stream closed between the pass reading it and appending: the append is refused, and decided again on the closed stream nothing fires', async () => {
    const { clock, store, ids, index } = await setUp(5);
    const closing = deadlineStream(ids[2]!);
    let closed = false;
    const { watched } = watchedStore(store, async (stream) => {
      if (stream !== closing || closed) return;
      closed = true;
      await executeDeadline(store, ids[2]!, { type: 'CloseDeadline', at: '2025-03-04T23:00:00+08:00', resolution: 'cancelled', cause: 'intake.case-not-accepted.v1' }, { seed: 'close', correlationId: 'close' });
    });
    const errors: unknown[] = [];
    const scheduler = new Scheduler({ store: watched, index, clock, calendar: () => calendar, onError: (error) => errors.push(error) });

    await scheduler.runOnce();
    expect(errors).toEqual([]);
    expect(closed).toBe(true);
    expect(await breachesOf(store, ids[2]!)).toBe(0);
    expect(await index.get(ids[2]!)).toBeNull(); // closed: out of the index
    for (const id of [ids[0]!, ids[1]!, ids[3]!, ids[4]!]) expect(await breachesOf(store, id)).toBe(1);
  });

  it('remembers the states it fired in the shared fold cache: projecting the firings reads no stream, and indexes what a whole fold gives', async () => {
    const { clock, store, ids } = await setUp(30);
    const index = createMemoryDeadlineIndex();
    await rebuildDeadlineIndex(store, index);
    const cache = new DeadlineFoldCache(100); // empty: the openings long forgotten, as in a storm
    await new Scheduler({ store, index, clock, calendar: () => calendar, cache }).runOnce();

    const firings = (await store.readAll({ filter: { categories: [DEADLINE_CATEGORY] } })).filter((e) => e.revision > 0n);
    expect(firings.length).toBeGreaterThanOrEqual(30);
    let reads = 0;
    const counting: EventStore = Object.assign(Object.create(store) as EventStore, {
      readStream: (...args: Parameters<EventStore['readStream']>) => {
        reads += 1;
        return store.readStream(...args);
      },
    });
    const projected = createMemoryDeadlineIndex();
    await projectBatch(counting, projected, firings, cache);
    expect(reads).toBe(0);
    for (const id of ids) {
      const events = await store.readStream(deadlineStream(id));
      const whole = fold(deadlineDecider, events.map((e) => ownDeadlineCodec.decode(e)));
      expect(await projected.get(id)).toEqual(entryOf(whole, Number(events[events.length - 1]!.revision)));
    }
  });

  it('behind a backlog bigger than a pass, fires what fell due within the fresh window first, and still drains the backlog oldest first (R-ACC-2 acceptance deadlines warned and breached on time during a storm; issue 7)', async () => {
    const { clock, store, ids: backlog, index } = await setUp(30); // warned from 2025-03-04 00:00, breached from 03-05 00:00
    const fresh = await openAcceptanceDeadlines(store, 2, calendar, 'BJ-F', '2025-03-04'); // due 2025-03-05: warned from its 00:00
    await rebuildDeadlineIndex(store, index);
    clock.set('2025-03-05T00:00:00.500+08:00'); // the backlog's warnings have waited a day; the fresh two's half a second
    const fired: string[] = [];
    const scheduler = new Scheduler({ store, index, clock, calendar: () => calendar, batchSize: 10, onFired: (events) => fired.push(...events.map((e) => e.data.deadlineId)) });

    await scheduler.runOnce();
    expect(fresh.every((id) => fired.includes(id))).toBe(true); // in the first pass, ahead of 30 due a day earlier
    expect(new Set(fired).size).toBe(10); // the rest of the pass: the backlog's oldest
    expect(fired.filter((id) => backlog.includes(id)).sort()).toEqual(backlog.slice().sort().slice(0, 8));
    for (let pass = 0; pass < 10 && (await index.due(clock.now().getTime(), 1)).length > 0; pass++) await scheduler.runOnce();
    for (const id of backlog) expect(await breachesOf(store, id)).toBe(1);
    expect(fired.filter((id) => fresh.includes(id))).toHaveLength(2); // warned once each, not yet breached

    // Off (freshShare 0): strictly earliest first, the fresh ones behind the whole backlog.
    const again = await setUp(30);
    const late = await openAcceptanceDeadlines(again.store, 2, calendar, 'BJ-F', '2025-03-04');
    await rebuildDeadlineIndex(again.store, again.index);
    again.clock.set('2025-03-05T00:00:00.500+08:00');
    const order: string[] = [];
    await new Scheduler({ store: again.store, index: again.index, clock: again.clock, calendar: () => calendar, batchSize: 10, freshShare: 0, onFired: (events) => order.push(...events.map((e) => e.data.deadlineId)) }).runOnce();
    expect(order).toHaveLength(10);
    expect(order.some((id) => late.includes(id))).toBe(false);
  });

  it('whenQuiet: nothing to wait for when idle; while a wave is fired it waits for the pass that takes less than it could', async () => {
    const { clock, store, index } = await setUp(25);
    const scheduler = new Scheduler({ store, index, clock: new ControlledClock('2025-03-03T08:00:00+08:00'), calendar: () => calendar, batchSize: 10 });
    expect(await scheduler.runOnce()).toBe(0); // nothing due on its clock yet
    expect(scheduler.whenQuiet(60_000)).toBeUndefined();

    const firing = new Scheduler({ store, index, clock, calendar: () => calendar, batchSize: 10 });
    const released: string[] = [];
    expect(await firing.runOnce()).toBe(10); // a full pass: more may be due
    const waiting = firing.whenQuiet(60_000);
    expect(waiting).toBeDefined();
    void waiting!.then(() => released.push('released'));
    expect(await firing.runOnce()).toBe(10);
    await Promise.resolve();
    expect(released).toEqual([]);
    expect(await firing.runOnce()).toBe(5); // the wave's last pass
    await waiting;
    expect(released).toEqual(['released']);
    expect(firing.whenQuiet(60_000)).toBeUndefined();
  });

  it('whenQuiet gives up after its longest wait; givingWayTo then lets the waiting work pass for its grace', async () => {
    let calls = 0;
    const busy = { whenQuiet: (ms: number) => ((calls += 1), new Promise<void>((resolve) => setTimeout(resolve, ms))) };
    const gate = givingWayTo(busy, { maxWaitMs: 20, graceMs: 60_000 });
    const started = Date.now();
    await gate();
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(gate()).toBeUndefined(); // within the grace: no wait, not even a look
    expect(calls).toBe(1);
    expect(givingWayTo({ whenQuiet: () => undefined })()).toBeUndefined();
  });
});

describe('scheduler loop', () => {
  /** An empty index that counts the loop's reads; `nextDue` waits for `hold` when one is set. */
  function countingIndex() {
    const index = createMemoryDeadlineIndex();
    const reads = { due: 0, nextDue: 0 };
    let hold: Promise<void> | null = null;
    const counted = Object.assign(Object.create(index) as typeof index, {
      due: (...args: Parameters<typeof index.due>) => ((reads.due += 1), index.due(...args)),
      nextDue: async () => {
        reads.nextDue += 1;
        if (hold) await hold;
        return index.nextDue();
      },
    });
    return { index: counted, reads, holdNextDue: (until: Promise<void> | null) => (hold = until) };
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

  it('a poke that announces a deadline firing after the loop would wake anyway wakes nothing; one firing sooner, or one that does not say, runs a pass (R-ACC-2, R-REV-1 deadlines watched)', async () => {
    const clock = new ControlledClock('2025-03-03T08:00:00+08:00');
    const { index, reads } = countingIndex();
    const scheduler = new Scheduler({ store: createInMemoryEventStore({ now: () => clock.now() }), index, clock, calendar: () => calendar, idleMs: 5_000 });
    scheduler.start();
    await settle();
    expect(reads).toEqual({ due: 1, nextDue: 1 }); // asleep until the idle limit, 5 s on its clock

    const now = clock.now().getTime();
    scheduler.poke(now + 24 * 3600_000); // opened, due tomorrow
    scheduler.poke(null); // nothing left to fire
    scheduler.poke(now + 5_000); // fires just when the loop wakes anyway
    await settle();
    expect(reads).toEqual({ due: 1, nextDue: 1 });

    scheduler.poke(now + 1_000);
    await settle();
    expect(reads).toEqual({ due: 2, nextDue: 2 });

    scheduler.poke(); // a rebuild: could be anything
    await settle();
    expect(reads).toEqual({ due: 3, nextDue: 3 });
    await scheduler.stop();
  });

  it('a poke while the loop is awake (its next-due read under way) is looked at before it sleeps: a write that read missed is not left for the idle limit', async () => {
    const clock = new ControlledClock('2025-03-03T08:00:00+08:00');
    const { index, reads, holdNextDue } = countingIndex();
    let release!: () => void;
    holdNextDue(new Promise<void>((resolve) => (release = resolve)));
    const scheduler = new Scheduler({ store: createInMemoryEventStore({ now: () => clock.now() }), index, clock, calendar: () => calendar, idleMs: 5_000 });
    scheduler.start();
    await settle();
    expect(reads).toEqual({ due: 1, nextDue: 1 }); // held in the next-due read

    scheduler.poke(clock.now().getTime() + 24 * 3600_000); // later than the loop's sleep: changes nothing
    holdNextDue(null);
    release();
    await settle();
    expect(reads).toEqual({ due: 1, nextDue: 1 });

    let again!: () => void;
    holdNextDue(new Promise<void>((resolve) => (again = resolve)));
    scheduler.poke(); // wakes it into its second pass, held again in its next-due read
    await settle();
    expect(reads).toEqual({ due: 2, nextDue: 2 });
    scheduler.poke(clock.now().getTime() + 1_000); // due before the loop would wake
    holdNextDue(null);
    again();
    await settle();
    expect(reads).toEqual({ due: 3, nextDue: 3 });
    await scheduler.stop();
  });
});
