/**
 * The integrity marker of a projection kept in Redis (see `ProjectionIntegrity`):
 * one key, `building:<token>` while a rebuild runs and `intact` once it
 * completed, so a wipe (FLUSHALL, failover to an empty replica) shows as the
 * key's absence. The key lives under the projection's own prefix, so the
 * projection's `clear()` removes it too.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ProjectionIntegrity } from './projection-integrity.ts';
import { onRedis } from './redis-errors.ts';

const COMPLETE = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], 'intact') return 1 end return 0";

export function redisIntegrityMarker(redis: Redis, key: string): ProjectionIntegrity {
  return {
    intact: () => onRedis('integrity marker', async () => (await redis.get(key)) === 'intact'),
    begin: () =>
      onRedis('integrity marker', async () => {
        const token = `building:${randomUUID()}`;
        await redis.set(key, token);
        return token;
      }),
    // Compare-and-set: a wipe between begin and here removed the token, and the rebuild must run again.
    complete: (token) => onRedis('integrity marker', async () => ((await redis.eval(COMPLETE, 1, key, token)) as number) === 1),
  };
}
