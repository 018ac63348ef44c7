/**
 * Redis slot counters: the only module that imports ioredis. Per slot, a set
 * of confirmed bookings and a sorted set of holds scored by expiry; the check
 * and the increment run in one Lua script, so concurrent bookings from any
 * number of intake processes cannot pass the gate beyond capacity. Expiry uses
 * the Redis server's clock (TIME), so process clocks may disagree safely.
 * Keys carry a `{slotId}` hash tag: one slot's keys live on one cluster node.
 */
import { Redis } from 'ioredis';
import { UnavailableError } from '@govsvc/errors/errors';
import { redisIntegrityMarker } from '@govsvc/service-kit/redis-integrity';
import type { SlotCounter } from './slot-counter.ts';

const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const TRY_HOLD = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local admitted = 0
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  admitted = 1
elseif redis.call('SCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2]) < tonumber(ARGV[2]) then
  admitted = 1
end
if admitted == 1 then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIREAT', KEYS[2], ARGV[4])
end
return admitted`;

const CONFIRM = `redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1`;

const TAKEN = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
return redis.call('SCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2])`;

const RESET = `redis.call('DEL', KEYS[1], KEYS[2])
if #ARGV > 1 then
  redis.call('SADD', KEYS[1], unpack(ARGV, 2))
  redis.call('PEXPIREAT', KEYS[1], ARGV[1])
end
return 1`;

export interface RedisSlotCounterOptions {
  readonly url: string;
  /** Prefix of every key (tests isolate with `uniqueKeyPrefix`). */
  readonly keyPrefix?: string;
}

export function createRedisSlotCounter(options: RedisSlotCounterOptions): SlotCounter & { ping(): Promise<void> } {
  const redis = new Redis(options.url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  const prefix = options.keyPrefix ?? 'intake:';
  const keys = (slotId: string) => [`${prefix}slot:{${slotId}}:confirmed`, `${prefix}slot:{${slotId}}:holds`] as const;
  const run = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (error) {
      // The gate is down: the caller answers 503 and the applicant retries; nothing was booked.
      throw new UnavailableError(`slot counters unavailable (${what}): ${(error as Error).message}`);
    }
  };
  return {
    async tryHold(slotId, bookingId, capacity, holdTtlMs, expiresAt) {
      const [c, h] = keys(slotId);
      const admitted = await run('hold', () => redis.eval(TRY_HOLD, 2, c, h, bookingId, capacity, holdTtlMs, expiresAt.getTime()));
      return admitted === 1;
    },
    async confirm(slotId, bookingId, expiresAt) {
      const [c, h] = keys(slotId);
      await run('confirm', () => redis.eval(CONFIRM, 2, c, h, bookingId, expiresAt.getTime()));
    },
    async release(slotId, bookingId) {
      const [c, h] = keys(slotId);
      await run('release', () => redis.multi().zrem(h, bookingId).srem(c, bookingId).exec());
    },
    async taken(slotId) {
      const [c, h] = keys(slotId);
      return Number(await run('count', () => redis.eval(TAKEN, 2, c, h)));
    },
    async reset(slotId, confirmed, expiresAt) {
      const [c, h] = keys(slotId);
      await run('reset', () => redis.eval(RESET, 2, c, h, expiresAt.getTime(), ...confirmed));
    },
    // Outside any slot's hash tag on purpose: one key for the whole set of counters. The marker answers a down Redis with UnavailableError itself (service-kit's onRedis), as `run` does here.
    integrity: redisIntegrityMarker(redis, `${prefix}meta:counters-built`),
    async ping() {
      await redis.ping();
    },
    async close() {
      redis.disconnect();
    },
  };
}
