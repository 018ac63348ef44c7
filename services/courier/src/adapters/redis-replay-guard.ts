/**
 * The webhook replay guard shared by every courier instance: a delivery id is
 * claimed with Redis `SET key 1 NX PX ttl`, atomic across instances, expiring
 * once a replay could no longer pass the time window anyway. The only module
 * that imports ioredis.
 */
import { Redis } from 'ioredis';
import { UnavailableError } from '@govsvc/errors/errors';
import type { ReplayGuard } from '../app/webhook-signature.ts';

export interface RedisReplayGuard extends ReplayGuard {
  close(): Promise<void>;
  ping(): Promise<void>;
}

export function createRedisReplayGuard(options: { readonly url: string; readonly keyPrefix?: string }): RedisReplayGuard {
  const redis = new Redis(options.url, { maxRetriesPerRequest: 2, lazyConnect: false });
  const prefix = options.keyPrefix ?? 'govsvc:courier:webhook:';
  return {
    async firstSeen(carrier, deliveryId, _now, ttlMs) {
      try {
        const claimed = await redis.set(`${prefix}${carrier}:${deliveryId}`, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
        return claimed === 'OK';
      } catch (error) {
        // Unknown whether it is a replay: the carrier gets 503 and sends again later.
        throw new UnavailableError(`replay guard unavailable: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    async release(carrier, deliveryId) {
      try {
        await redis.del(`${prefix}${carrier}:${deliveryId}`);
      } catch (error) {
        throw new UnavailableError(`replay guard unavailable: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      await redis.quit();
    },
  };
}
