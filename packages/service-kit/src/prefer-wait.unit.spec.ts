import { describe, expect, it } from 'vitest';
import { NotFoundError } from '@govsvc/errors/errors';
import { ChangeSignals } from './change-signals.ts';
import { awaitFound, MAX_PREFERRED_WAIT_MS, preferredWaitMs } from './prefer-wait.ts';

describe('preferredWaitMs (RFC 7240 §4.3)', () => {
  it('reads wait from one or several headers, among other preferences, quoted or with parameters', () => {
    expect(preferredWaitMs('wait=5')).toBe(5_000);
    expect(preferredWaitMs('respond-async, wait=3')).toBe(3_000);
    expect(preferredWaitMs(['return=minimal', 'WAIT="7"'])).toBe(7_000);
    expect(preferredWaitMs('wait=2; foo=bar')).toBe(2_000);
    expect(preferredWaitMs('wait=0')).toBe(0);
  });

  it('caps what the server honours', () => {
    expect(preferredWaitMs('wait=3600')).toBe(MAX_PREFERRED_WAIT_MS);
    expect(preferredWaitMs('wait=9', 4_000)).toBe(4_000);
  });

  it('ignores what is absent or malformed: the request answers at once', () => {
    for (const header of [undefined, '', 'return=minimal', 'wait', 'wait=', 'wait=-1', 'wait=1.5', 'wait=abc', 'wait=1=2', 'wait=99999999999']) {
      expect(preferredWaitMs(header), String(header)).toBeNull();
    }
  });
});

describe('awaitFound', () => {
  const notYet = () => new NotFoundError('not yet');

  it('answers at once when the resource is there, and leaves no watch behind', async () => {
    const signals = new ChangeSignals();
    await expect(awaitFound(async () => 'case', { key: 'k', waitMs: 5_000, signals })).resolves.toBe('case');
    expect(signals.watching).toBe(0);
  });

  it('reads again on a change of its key, not on another key, long before its recheck', async () => {
    const signals = new ChangeSignals();
    let exists = false;
    let reads = 0;
    const started = performance.now();
    const found = awaitFound(
      async () => {
        reads++;
        if (!exists) throw notYet();
        return 'opened';
      },
      { key: 'review-1', waitMs: 10_000, signals, recheckMs: 5_000 },
    );
    await new Promise((r) => setTimeout(r, 30));
    signals.notify('review-2');
    await new Promise((r) => setTimeout(r, 30));
    expect(reads).toBe(1);
    exists = true;
    signals.notify('review-1');
    await expect(found).resolves.toBe('opened');
    expect(reads).toBe(2);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(signals.watching).toBe(0);
  });

  it('a change made while the read is under way is not missed', async () => {
    const signals = new ChangeSignals();
    let reads = 0;
    const found = awaitFound(
      async () => {
        reads++;
        if (reads === 1) {
          // The writer appends and notifies while this read is still on its way back.
          signals.notify('k');
          throw notYet();
        }
        return 'there';
      },
      { key: 'k', waitMs: 10_000, signals, recheckMs: 10_000 },
    );
    await expect(found).resolves.toBe('there');
  });

  it('rechecks on its own for writes it is not told of (another instance), then gives up with the 404 at the deadline', async () => {
    const signals = new ChangeSignals();
    let reads = 0;
    const started = performance.now();
    const error = await awaitFound(
      async () => {
        reads++;
        throw notYet();
      },
      { key: 'k', waitMs: 250, signals, recheckMs: 50 },
    ).catch((e: unknown) => e);
    const took = performance.now() - started;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(took).toBeGreaterThanOrEqual(240);
    expect(reads).toBeGreaterThanOrEqual(4);
    expect(signals.watching).toBe(0);
  });

  it('other errors are thrown at once', async () => {
    const signals = new ChangeSignals();
    await expect(awaitFound(async () => Promise.reject(new Error('store down')), { key: 'k', waitMs: 5_000, signals })).rejects.toThrow('store down');
    expect(signals.watching).toBe(0);
  });

  it('a request gone (its signal aborted) stops waiting', async () => {
    const signals = new ChangeSignals();
    const controller = new AbortController();
    const started = performance.now();
    const waiting = awaitFound(async () => Promise.reject(notYet()), { key: 'k', waitMs: 10_000, signals, signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await expect(waiting).rejects.toBeInstanceOf(NotFoundError);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(signals.watching).toBe(0);
  });

  it('closing the signals (the server shutting down) answers the waiting requests now, and later ones at once', async () => {
    const signals = new ChangeSignals();
    const started = performance.now();
    const waiting = awaitFound(async () => Promise.reject(notYet()), { key: 'k', waitMs: 10_000, signals });
    setTimeout(() => signals.close(), 30);
    await expect(waiting).rejects.toBeInstanceOf(NotFoundError);
    let reads = 0;
    await expect(awaitFound(async () => (reads++, Promise.reject(notYet())), { key: 'k', waitMs: 10_000, signals })).rejects.toBeInstanceOf(NotFoundError);
    expect(reads).toBe(1);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('past its bound of watches, a request answers as without the preference', async () => {
    const signals = new ChangeSignals({ maxWatches: 1 });
    const first = awaitFound(async () => Promise.reject(notYet()), { key: 'a', waitMs: 10_000, signals });
    const started = performance.now();
    await expect(awaitFound(async () => Promise.reject(notYet()), { key: 'b', waitMs: 10_000, signals })).rejects.toBeInstanceOf(NotFoundError);
    expect(performance.now() - started).toBeLessThan(500);
    signals.close();
    await expect(first).rejects.toBeInstanceOf(NotFoundError);
  });
});
