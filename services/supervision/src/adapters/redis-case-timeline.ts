/** The case → positions projection in Redis: one sorted set per case, scored (and named) by global position. */
import { Redis } from 'ioredis';
import type { CaseTimeline } from '../app/case-timeline.ts';
import { onRedis } from '@govsvc/service-kit/redis-errors';
import { redisIntegrityMarker } from '@govsvc/service-kit/redis-integrity';

export function createRedisCaseTimeline(options: { url: string; prefix: string }): CaseTimeline {
  const redis = new Redis(options.url, { maxRetriesPerRequest: 2 });
  redis.on('error', () => undefined);
  const key = (caseId: string) => `${options.prefix}case:${caseId}`;
  return {
    // Under `case:` so that clear() removes it with the timeline; no case id starts with `~`.
    integrity: redisIntegrityMarker(redis, `${options.prefix}case:~built`),
    isEmpty: () => onRedis('case timeline', async () => {
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${options.prefix}case:*`, 'COUNT', 1000);
        if (batch.some((k) => !k.endsWith(':~built'))) return false;
        cursor = next;
      } while (cursor !== '0');
      return true;
    }),
    // Redis away: UnavailableError, which the timeline's catch-up subscription waits out instead of ending (finding 12).
    add: (entries) => onRedis('case timeline', async () => {
      if (entries.length === 0) return;
      const pipeline = redis.pipeline();
      for (const { caseId, position } of entries) pipeline.zadd(key(caseId), Number(position), position.toString());
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    }),
    positions: (caseId) => onRedis('case timeline', async () => (await redis.zrange(key(caseId), 0, -1)).map((p) => BigInt(p))),
    clear: () => onRedis('case timeline', async () => {
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${options.prefix}case:*`, 'COUNT', 1000);
        cursor = next;
        if (batch.length > 0) await redis.unlink(...batch);
      } while (cursor !== '0');
    }),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
