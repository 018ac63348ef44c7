import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConcurrencyError, ValidationError } from '@govsvc/errors/errors';
import { runCatchUp, type CatchUpSource } from './catch-up.ts';
import type { CheckpointStore, StoredEvent } from './port.ts';

/** A log the test appends to by hand; every fetch is counted, and every append sends a wake-up hint as a store would. */
function fakeLog() {
  const events: StoredEvent[] = [];
  const listeners = new Set<() => void>();
  let fetches = 0;
  const source: CatchUpSource<bigint> = {
    pollIntervalMs: 1_000,
    cursorAfter: async (after) => after,
    async fetch(cursor, _filter, limit) {
      fetches += 1;
      const batch = events.filter((e) => e.globalPosition > cursor).slice(0, limit);
      return { events: batch, next: batch.at(-1)?.globalPosition ?? cursor, horizon: BigInt(events.length) };
    },
    target: async () => BigInt(events.length),
    onWake(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    source,
    fetches: () => fetches,
    append() {
      events.push({ globalPosition: BigInt(events.length + 1) } as StoredEvent);
      for (const listener of listeners) listener();
    },
  };
}

const noCheckpoints: CheckpointStore = { read: async () => null, store: async () => undefined };

describe('catch-up subscription linger (issue 8: the case timeline woken by every commit in the cluster)', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('without a linger, every hint after a drained read costs a read', async () => {
    const log = fakeLog();
    const seen: bigint[] = [];
    const subscription = runCatchUp(log.source, noCheckpoints, { subscriptionId: 'eager' }, async (events) => void seen.push(...events.map((e) => e.globalPosition)));
    await vi.advanceTimersByTimeAsync(1);
    const before = log.fetches();
    for (let i = 0; i < 5; i++) {
      log.append();
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(log.fetches() - before).toBe(5);
    expect(seen).toEqual([1n, 2n, 3n, 4n, 5n]);
    await subscription.stop();
  });

  it('with a linger, hints during it gather into one read when it ends, and nothing is missed', async () => {
    const log = fakeLog();
    const seen: bigint[] = [];
    const subscription = runCatchUp(log.source, noCheckpoints, { subscriptionId: 'lingering', lingerMs: 200 }, async (events) => void seen.push(...events.map((e) => e.globalPosition)));
    await vi.advanceTimersByTimeAsync(1); // the first read finds the log empty; the linger starts
    const before = log.fetches();
    for (let i = 0; i < 5; i++) {
      log.append();
      await vi.advanceTimersByTimeAsync(20);
    }
    expect(log.fetches() - before).toBe(0);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(110); // past the 200 ms
    expect(log.fetches() - before).toBe(1);
    expect(seen).toEqual([1n, 2n, 3n, 4n, 5n]);
    await subscription.stop();
  });

  it('caughtUp() cuts the linger short: a caller that needs everything so far does not wait for it', async () => {
    const log = fakeLog();
    const seen: bigint[] = [];
    const subscription = runCatchUp(log.source, noCheckpoints, { subscriptionId: 'asked', lingerMs: 10_000 }, async (events) => void seen.push(...events.map((e) => e.globalPosition)));
    await vi.advanceTimersByTimeAsync(1);
    log.append();
    log.append();
    let caughtUp = false;
    void subscription.caughtUp().then(() => (caughtUp = true));
    await vi.advanceTimersByTimeAsync(5);
    expect(caughtUp).toBe(true);
    expect(seen).toEqual([1n, 2n]);
    await subscription.stop();
  });

  it('stop() during a linger ends the subscription at once', async () => {
    const log = fakeLog();
    const subscription = runCatchUp(log.source, noCheckpoints, { subscriptionId: 'stopped', lingerMs: 60_000 }, async () => undefined);
    await vi.advanceTimersByTimeAsync(1);
    let stopped = false;
    void subscription.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(1);
    expect(stopped).toBe(true);
  });

  it.each([-1, 1.5, 60_001, Number.NaN])('refuses lingerMs %s with the field named', (lingerMs) => {
    const log = fakeLog();
    const subscribe = () => runCatchUp(log.source, noCheckpoints, { subscriptionId: 'bad', lingerMs }, async () => undefined);
    expect(subscribe).toThrow(ValidationError);
    expect(subscribe).toThrow(/lingerMs/);
  });
});

/** A checkpoint store that counts its writes and checks compare-and-set as the adapters do. */
function countingCheckpoints() {
  let stored: bigint | null = null;
  const writes: bigint[] = [];
  const store: CheckpointStore = {
    read: async () => stored,
    async store(id, expected, next) {
      if (expected !== stored) throw new ConcurrencyError(`$checkpoint-${id}`, String(expected ?? 'none'), String(stored ?? 'none'));
      stored = next;
      writes.push(next);
    },
  };
  return { store, writes, stored: () => stored };
}

describe('catch-up checkpoint interval (issue 8: a compare-and-set per one-event batch was a tenth of the statements of a megacity day)', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('stores at most once per interval, and stores the last position handled once the log is drained', async () => {
    const log = fakeLog();
    const checkpoints = countingCheckpoints();
    const seen: bigint[] = [];
    const subscription = runCatchUp(log.source, checkpoints.store, { subscriptionId: 'spaced', checkpointIntervalMs: 100 }, async (events) => void seen.push(...events.map((e) => e.globalPosition)));
    await vi.advanceTimersByTimeAsync(1);
    for (let i = 0; i < 5; i++) {
      log.append();
      await vi.advanceTimersByTimeAsync(5);
    }
    expect(seen).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(checkpoints.writes).toEqual([1n]); // the first at once, the others wait for the interval
    await vi.advanceTimersByTimeAsync(100);
    expect(checkpoints.writes).toEqual([1n, 5n]);
    const fetches = log.fetches();
    await vi.advanceTimersByTimeAsync(300);
    expect(log.fetches()).toBe(fetches); // the timed write read nothing more, and nothing is left to write
    expect(checkpoints.writes).toEqual([1n, 5n]);
    await subscription.stop();
  });

  it('with an interval of 0, stores after every batch', async () => {
    const log = fakeLog();
    const checkpoints = countingCheckpoints();
    const subscription = runCatchUp(log.source, checkpoints.store, { subscriptionId: 'eager', checkpointIntervalMs: 0 }, async () => undefined);
    await vi.advanceTimersByTimeAsync(1);
    for (let i = 0; i < 3; i++) {
      log.append();
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(checkpoints.writes).toEqual([1n, 2n, 3n]);
    await subscription.stop();
  });

  it('stop() stores what was handled, so a restart resumes after it', async () => {
    const log = fakeLog();
    const checkpoints = countingCheckpoints();
    const first = runCatchUp(log.source, checkpoints.store, { subscriptionId: 'resumed', checkpointIntervalMs: 60_000 }, async () => undefined);
    await vi.advanceTimersByTimeAsync(1);
    for (let i = 0; i < 3; i++) {
      log.append();
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(checkpoints.writes).toEqual([1n]);
    await first.stop();
    expect(checkpoints.stored()).toBe(3n);
    const seen: bigint[] = [];
    const second = runCatchUp(log.source, checkpoints.store, { subscriptionId: 'resumed' }, async (events) => void seen.push(...events.map((e) => e.globalPosition)));
    log.append();
    await vi.advanceTimersByTimeAsync(5);
    expect(seen).toEqual([4n]);
    await second.stop();
  });

  it('a failing handler ends the subscription after storing the batches handled before it', async () => {
    const log = fakeLog();
    const checkpoints = countingCheckpoints();
    const subscription = runCatchUp(log.source, checkpoints.store, { subscriptionId: 'failing', checkpointIntervalMs: 60_000 }, async (events) => {
      if (events.some((e) => e.globalPosition === 3n)) throw new Error('handler bug');
    });
    await vi.advanceTimersByTimeAsync(1);
    for (let i = 0; i < 3; i++) {
      log.append();
      await vi.advanceTimersByTimeAsync(1);
    }
    await expect(subscription.finished).rejects.toThrow('handler bug');
    expect(checkpoints.stored()).toBe(2n);
  });

  it('ends at the deferred write when another instance moved the checkpoint meanwhile', async () => {
    const log = fakeLog();
    const checkpoints = countingCheckpoints();
    const subscription = runCatchUp(log.source, checkpoints.store, { subscriptionId: 'taken', checkpointIntervalMs: 100 }, async () => undefined);
    await vi.advanceTimersByTimeAsync(1);
    log.append();
    await vi.advanceTimersByTimeAsync(1);
    log.append();
    await vi.advanceTimersByTimeAsync(1);
    await checkpoints.store.store('taken', 1n, 7n); // another instance, further on
    await vi.advanceTimersByTimeAsync(100);
    await expect(subscription.finished).rejects.toBeInstanceOf(ConcurrencyError);
    expect(checkpoints.stored()).toBe(7n);
  });

  it.each([-1, 2.5, 60_001])('refuses checkpointIntervalMs %s with the field named', (checkpointIntervalMs) => {
    const log = fakeLog();
    const subscribe = () => runCatchUp(log.source, noCheckpoints, { subscriptionId: 'bad', checkpointIntervalMs }, async () => undefined);
    expect(subscribe).toThrow(ValidationError);
    expect(subscribe).toThrow(/checkpointIntervalMs/);
  });
});
