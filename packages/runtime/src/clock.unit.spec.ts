import { describe, expect, it } from 'vitest';
import { ControlledClock, systemClock } from './clock.ts';

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
});
