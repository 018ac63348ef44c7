import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveComponent } from './infra.ts';
import { uniqueKeyPrefix } from './redis.ts';

describe('testkit: Redis through the testkit', () => {
  const clients: Redis[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
  });

  it('round-trips a value on the real server, isolated by key prefix', async () => {
    const url = await resolveComponent('redis');
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    clients.push(redis);
    await redis.connect();
    const a = uniqueKeyPrefix('redis-a');
    const b = uniqueKeyPrefix('redis-a');
    expect(a).not.toBe(b);
    await redis.set(`${a}k`, 'one', 'EX', 60);
    expect(await redis.get(`${a}k`)).toBe('one');
    expect(await redis.get(`${b}k`)).toBeNull();
    expect(await redis.ping()).toBe('PONG');
    await redis.del(`${a}k`);
  });
});
