import { describe, expect, it } from 'vitest';
import { ControlledClock, OffsetClock, systemClock } from './clock.ts';

describe('runtime: clocks', () => {
  it('a controlled clock wakes sleepers in due order only when advanced past their instant', async () => {
    const clock = new ControlledClock('2025-10-09T00:00:00+08:00');
    const woke: string[] = [];
    const later = clock.sleepUntil(new Date('2025-10-09T10:00:00+08:00')).then(() => woke.push('10h'));
    const sooner = clock.sleepUntil(new Date('2025-10-09T09:00:00+08:00')).then(() => woke.push('9h'));
    clock.advance(8 * 3600_000);
    await Promise.resolve();
    expect(woke).toEqual([]);
    clock.advance(3 * 3600_000);
    await Promise.all([later, sooner]);
    expect(woke).toEqual(['9h', '10h']);
    expect(clock.now().toISOString()).toBe('2025-10-09T03:00:00.000Z');
  });

  it('a backwards jump wakes nobody and an abort rejects the sleeper', async () => {
    const clock = new ControlledClock('2025-01-01T00:00:00Z');
    const controller = new AbortController();
    const sleeping = clock.sleepUntil(new Date('2025-01-02T00:00:00Z'), controller.signal);
    clock.set('2024-12-31T22:00:00Z');
    controller.abort(new Error('stopped'));
    await expect(sleeping).rejects.toThrow('stopped');
  });

  it('the system clock resolves a past instant at once', async () => {
    await expect(systemClock.sleepUntil(new Date(0))).resolves.toBeUndefined();
  });

  describe('OffsetClock (a wall-clock jump)', () => {
    it('follows the wall clock plus the offset, either way', () => {
      let wall = Date.parse('2026-11-26T09:00:00+08:00');
      const clock = new OffsetClock(() => wall);
      expect(clock.now().toISOString()).toBe('2026-11-26T01:00:00.000Z');
      clock.shift(2 * 3_600_000);
      wall += 1_000;
      expect(clock.now().toISOString()).toBe('2026-11-26T03:00:01.000Z');
      clock.shift(-4 * 3_600_000);
      expect(clock.now().toISOString()).toBe('2026-11-25T23:00:01.000Z');
      expect(clock.offset).toBe(-2 * 3_600_000);
    });

    it('wakes a sleeper when a forward jump passes its instant, and not on a backward one', async () => {
      const clock = new OffsetClock();
      let woke = false;
      const sleeping = clock.sleepUntil(new Date(Date.now() + 3_600_000)).then(() => (woke = true));
      clock.shift(-60_000);
      await new Promise((r) => setTimeout(r, 20));
      expect(woke).toBe(false);
      clock.shift(2 * 3_600_000);
      await sleeping;
      expect(woke).toBe(true);
    });

    it('rejects an aborted sleep', async () => {
      const clock = new OffsetClock();
      const abort = new AbortController();
      const sleeping = clock.sleepUntil(new Date(Date.now() + 60_000), abort.signal);
      abort.abort(new Error('stopped'));
      await expect(sleeping).rejects.toThrow('stopped');
    });
  });
});
