import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveComponent } from '@govsvc/testkit/infra';
import { uniqueKeyPrefix } from '@govsvc/testkit/redis';
import { createRedisRateLimitStore } from './rate-limit-redis.ts';
import { describeRateLimitStoreContract } from './rate-limit-store-contract.ts';

let url: string;
beforeAll(async () => {
  url = await resolveComponent('redis');
});

describeRateLimitStoreContract('Redis', async () => {
  const store = createRedisRateLimitStore({ url, keyPrefix: uniqueKeyPrefix('rl') });
  return { store, teardown: () => store.close() };
});

describe('Redis rate limit store', () => {
  let admin: Redis;
  beforeAll(() => {
    admin = new Redis(url);
  });
  afterAll(() => admin.quit());

  it('every key carries the prefix and an expiry, so nothing outlives its window', async () => {
    const prefix = uniqueKeyPrefix('rl-keys');
    const store = createRedisRateLimitStore({ url, keyPrefix: prefix });
    try {
      await store.hit('sub:alice', 30_000);
      await store.hit('ip:10.0.0.1', 30_000);
      const keys = (await admin.keys(`${prefix}*`)).sort();
      expect(keys).toEqual([`${prefix}ip:10.0.0.1`, `${prefix}sub:alice`]);
      for (const key of keys) {
        const ttl = await admin.pttl(key);
        expect(ttl).toBeGreaterThan(25_000);
      }
    } finally {
      await store.close();
    }
  });

  it('two instances share one budget (two clients counting one key)', async () => {
    const prefix = uniqueKeyPrefix('rl-shared');
    const [a, b] = [createRedisRateLimitStore({ url, keyPrefix: prefix }), createRedisRateLimitStore({ url, keyPrefix: prefix })];
    try {
      const counts = await Promise.all([...Array.from({ length: 20 }, () => a.hit('k', 10_000)), ...Array.from({ length: 20 }, () => b.hit('k', 10_000))]);
      expect(new Set(counts.map((s) => s.count)).size).toBe(40);
      expect((await a.peek('k')).count).toBe(40);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a key that lost its expiry (restored by hand) gets one back on the next hit', async () => {
    const prefix = uniqueKeyPrefix('rl-ttl');
    const store = createRedisRateLimitStore({ url, keyPrefix: prefix });
    try {
      await admin.set(`${prefix}k`, '5');
      const state = await store.hit('k', 10_000);
      expect(state.count).toBe(6);
      expect(await admin.pttl(`${prefix}k`)).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });

  it('Redis unreachable: hit and peek reject (the plugin then allows or refuses by policy)', async () => {
    const store = createRedisRateLimitStore({ url: 'redis://127.0.0.1:1', keyPrefix: 'x:', redisOptions: { retryStrategy: () => null } });
    try {
      await expect(store.hit('k', 1_000)).rejects.toThrow();
      await expect(store.peek('k')).rejects.toThrow();
    } finally {
      await store.close();
    }
  });
});
