/**
 * The deadline index in Redis (the only module here that imports ioredis for
 * it): a sorted set of deadline ids by the next instant something fires, a
 * set of open ids, a set of carded ids, and one small hash per deadline
 * (`rev`, and the console entry as JSON). Every key starts with `prefix`, so
 * several deployments or test files share one Redis. The revision check and
 * the writes run in one Lua script: atomic, whoever writes.
 */
import { Redis } from 'ioredis';
import { matches, type DeadlineIndex, type IndexEntry, type IndexFilter } from '../app/deadline-index.ts';

// A removed deadline keeps its revision this long, so a late write of an older revision cannot resurrect it.
const TOMBSTONE_SECONDS = 7 * 24 * 3600;

const UPSERT = `
local held = tonumber(redis.call('HGET', KEYS[1], 'rev') or '-1')
if tonumber(ARGV[2]) <= held then return 0 end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'e', ARGV[3])
redis.call('PERSIST', KEYS[1])
redis.call('SADD', KEYS[3], ARGV[1])
if ARGV[4] == '' then redis.call('ZREM', KEYS[2], ARGV[1]) else redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1]) end
if ARGV[5] == '' then redis.call('SREM', KEYS[4], ARGV[1]) else redis.call('SADD', KEYS[4], ARGV[1]) end
return 1`;

const REMOVE = `
local held = tonumber(redis.call('HGET', KEYS[1], 'rev') or '-1')
if tonumber(ARGV[2]) <= held then return 0 end
redis.call('HSET', KEYS[1], 'rev', ARGV[2])
redis.call('HDEL', KEYS[1], 'e')
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
return 1`;

type ScriptRedis = Redis & {
  deadlineUpsert(hash: string, due: string, open: string, carded: string, id: string, rev: number, json: string, nextAt: string, card: string): Promise<number>;
  deadlineRemove(hash: string, due: string, open: string, carded: string, id: string, rev: number, ttl: number): Promise<number>;
};

export interface RedisDeadlineIndexOptions {
  readonly url: string;
  /** Prefix of every key (e.g. `govsvc:supervision:`; tests use the testkit's uniqueKeyPrefix). */
  readonly prefix: string;
}

export interface RedisDeadlineIndex extends DeadlineIndex {
  /** Round-trip check for readiness. */
  ping(): Promise<void>;
}

export function createRedisDeadlineIndex(options: RedisDeadlineIndexOptions): RedisDeadlineIndex {
  const redis = new Redis(options.url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false }) as ScriptRedis;
  redis.on('error', () => undefined); // surfaced by the failing command (and readiness), not as an unhandled event
  redis.defineCommand('deadlineUpsert', { numberOfKeys: 4, lua: UPSERT });
  redis.defineCommand('deadlineRemove', { numberOfKeys: 4, lua: REMOVE });
  const p = options.prefix;
  const keys = { due: `${p}due`, open: `${p}open`, carded: `${p}carded`, hash: (id: string) => `${p}d:${id}` };

  const entriesOf = async (ids: readonly string[]): Promise<IndexEntry[]> => {
    const out: IndexEntry[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const pipeline = redis.pipeline();
      for (const id of ids.slice(i, i + 500)) pipeline.hget(keys.hash(id), 'e');
      const results = (await pipeline.exec()) ?? [];
      for (const [error, value] of results) {
        if (error) throw error;
        if (typeof value === 'string') out.push(JSON.parse(value) as IndexEntry);
      }
    }
    return out;
  };

  const members = async (key: string): Promise<string[]> => {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.sscan(key, cursor, 'COUNT', 1000);
      cursor = next;
      out.push(...batch);
    } while (cursor !== '0');
    return out;
  };

  const upsertArgs = (entry: IndexEntry) =>
    [
      keys.hash(entry.deadlineId),
      keys.due,
      keys.open,
      keys.carded,
      entry.deadlineId,
      entry.revision,
      JSON.stringify(entry),
      entry.nextAt === null ? '' : String(entry.nextAt),
      entry.card ?? '',
    ] as const;

  return {
    async upsert(entry) {
      return (await redis.deadlineUpsert(...upsertArgs(entry))) === 1;
    },
    async applyMany(changes) {
      const out: boolean[] = [];
      // Pipelined in chunks: one round trip per chunk, each script still atomic on its own.
      for (let i = 0; i < changes.length; i += 1000) {
        const pipeline = redis.pipeline() as ReturnType<Redis['pipeline']> & {
          deadlineUpsert(...args: ReturnType<typeof upsertArgs>): unknown;
          deadlineRemove(hash: string, due: string, open: string, carded: string, id: string, rev: number, ttl: number): unknown;
        };
        for (const change of changes.slice(i, i + 1000)) {
          if ('upsert' in change) pipeline.deadlineUpsert(...upsertArgs(change.upsert));
          else pipeline.deadlineRemove(keys.hash(change.remove.deadlineId), keys.due, keys.open, keys.carded, change.remove.deadlineId, change.remove.revision, TOMBSTONE_SECONDS);
        }
        for (const [error, written] of (await pipeline.exec()) ?? []) {
          if (error) throw error;
          out.push(written === 1);
        }
      }
      return out;
    },
    async remove(deadlineId, revision) {
      return (await redis.deadlineRemove(keys.hash(deadlineId), keys.due, keys.open, keys.carded, deadlineId, revision, TOMBSTONE_SECONDS)) === 1;
    },
    async due(now, limit) {
      return redis.zrangebyscore(keys.due, '-inf', now, 'LIMIT', 0, limit);
    },
    async nextDue() {
      const [, score] = await redis.zrange(keys.due, 0, 0, 'WITHSCORES');
      return score === undefined ? null : Number(score);
    },
    async get(deadlineId) {
      const value = await redis.hget(keys.hash(deadlineId), 'e');
      return value === null ? null : (JSON.parse(value) as IndexEntry);
    },
    async carded(filter?: IndexFilter) {
      return (await entriesOf(await members(keys.carded))).filter((e) => e.card !== null && matches(e, filter));
    },
    async all() {
      return entriesOf(await members(keys.open));
    },
    async countOpen() {
      return redis.scard(keys.open);
    },
    async clear() {
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${p}*`, 'COUNT', 1000);
        cursor = next;
        if (batch.length > 0) await redis.unlink(...batch);
      } while (cursor !== '0');
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
