import { resolveComponent } from '@govsvc/testkit/infra';
import { uniqueKeyPrefix } from '@govsvc/testkit/redis';
import { afterAll, describe, expect, it } from 'vitest';
import { createInMemoryReplayGuard } from '../app/webhook-signature.ts';
import { createRedisReplayGuard, type RedisReplayGuard } from './redis-replay-guard.ts';

const guards: RedisReplayGuard[] = [];
afterAll(async () => {
  for (const g of guards) await g.close();
});

describe('webhook replay guard (R-COURIER-1)', () => {
  it('R-COURIER-1: on the real Redis, two instances accept a delivery id once between them, and again after it expired', async () => {
    const url = await resolveComponent('redis');
    const keyPrefix = uniqueKeyPrefix('replay');
    const a = createRedisReplayGuard({ url, keyPrefix });
    const b = createRedisReplayGuard({ url, keyPrefix });
    guards.push(a, b);
    const now = new Date();
    const results = await Promise.all([a.firstSeen('local', 'd-1', now, 300), b.firstSeen('local', 'd-1', now, 300), a.firstSeen('local', 'd-1', now, 300)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await b.firstSeen('sf', 'd-1', now, 300)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await b.firstSeen('local', 'd-1', now, 300)).toBe(true);
  });

  it('the in-memory guard forgets on its clock', async () => {
    const guard = createInMemoryReplayGuard();
    const t0 = new Date('2025-01-01T00:00:00Z');
    expect(await guard.firstSeen('local', 'x', t0, 1_000)).toBe(true);
    expect(await guard.firstSeen('local', 'x', new Date(t0.getTime() + 999), 1_000)).toBe(false);
    expect(await guard.firstSeen('local', 'x', new Date(t0.getTime() + 1_000), 1_000)).toBe(true);
  });

  it('R-COURIER-1: a delivery whose processing failed is released, so the carrier’s retry is processed, not taken for a replay (real Redis and in memory)', async () => {
    const url = await resolveComponent('redis');
    const redisGuard = createRedisReplayGuard({ url, keyPrefix: uniqueKeyPrefix('replay-release') });
    guards.push(redisGuard);
    for (const guard of [redisGuard, createInMemoryReplayGuard()]) {
      const now = new Date();
      expect(await guard.firstSeen('local', 'd-failed', now, 60_000)).toBe(true);
      expect(await guard.firstSeen('local', 'd-failed', now, 60_000)).toBe(false);
      await guard.release('local', 'd-failed');
      expect(await guard.firstSeen('local', 'd-failed', now, 60_000)).toBe(true);
    }
  });
});
