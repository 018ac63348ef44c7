/**
 * The Redis rate limit store: one key per caller and window, counted by a Lua
 * script so the increment and the expiry are one atomic step (no window
 * without an expiry, whatever crashes in between), shared by every instance
 * of a service. Every key carries the configured prefix, so services and test
 * runs sharing one Redis never count into each other's budgets.
 *
 * The only module of the kit importing `ioredis`.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { RateLimitState, RateLimitStore } from './rate-limit.ts';

// KEYS[1] the counter, ARGV[1] the window in ms. Returns { count, ms left }.
const HIT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
`;

export interface RedisRateLimitStoreOptions {
  readonly url: string;
  /** Prefix of every key, e.g. `govsvc:intake:rl:`. */
  readonly keyPrefix: string;
  /** Extra client options (TLS, ACL user …). Commands time out after 500 ms rather than hold the request. */
  readonly redisOptions?: RedisOptions;
}

export interface RedisRateLimitStore extends RateLimitStore {
  ping(): Promise<void>;
}

export function createRedisRateLimitStore(options: RedisRateLimitStoreOptions): RedisRateLimitStore {
  const client = new Redis(options.url, {
    // A request waits for the limiter at most this long; then the plugin's store-error policy applies.
    commandTimeout: 500,
    maxRetriesPerRequest: 1,
    ...options.redisOptions,
  });
  // Connection errors surface on the commands; an unhandled 'error' event would crash the process.
  client.on('error', () => undefined);
  client.defineCommand('govsvcRateLimitHit', { numberOfKeys: 1, lua: HIT });
  const hitCommand = (key: string, windowMs: number) =>
    (client as unknown as { govsvcRateLimitHit(key: string, windowMs: number): Promise<[number, number]> }).govsvcRateLimitHit(key, windowMs);

  return {
    async hit(key: string, windowMs: number): Promise<RateLimitState> {
      const [count, ttl] = await hitCommand(`${options.keyPrefix}${key}`, windowMs);
      return { count: Number(count), resetInMs: Math.max(0, Number(ttl)) };
    },
    async peek(key: string): Promise<RateLimitState> {
      const full = `${options.keyPrefix}${key}`;
      const [[, count], [, ttl]] = (await client.multi().get(full).pttl(full).exec()) as [[unknown, string | null], [unknown, number]];
      if (count === null) return { count: 0, resetInMs: 0 };
      return { count: Number(count), resetInMs: Math.max(0, Number(ttl)) };
    },
    async ping(): Promise<void> {
      await client.ping();
    },
    async close(): Promise<void> {
      client.disconnect();
    },
  };
}
