/**
 * What a Redis failure means to the caller. A connection lost, refused or not
 * yet back (Redis restarting, FLUSHALL's neighbour "down for a minute") is
 * infrastructure briefly away: `UnavailableError`, which HTTP answers as 503
 * with Retry-After and a catch-up subscription waits out with backoff. An
 * error Redis itself answered (`ReplyError`: a script or a command refused) is
 * a defect and stays what it is, so it ends what it happened in and is seen.
 * Without this, a projection's subscription whose handler met a down Redis
 * ended for good and its projection stopped following the store (reliability
 * finding 12).
 */
import { ReplyError } from 'ioredis';
import { UnavailableError } from '@govsvc/errors/errors';

export function redisFailure(what: string, error: unknown): Error {
  if (error instanceof ReplyError || error instanceof UnavailableError) return error as Error;
  return new UnavailableError(`Redis unavailable (${what}): ${(error as Error)?.message ?? String(error)}`);
}

/** Runs a Redis call, turning a connection failure into `UnavailableError` (see `redisFailure`). */
export async function onRedis<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw redisFailure(what, error);
  }
}

/** A copy of `target` whose named async methods go through `onRedis`: an adapter's whole surface in one place. */
export function guardRedisCalls<T extends object>(what: string, target: T, names: readonly (keyof T)[]): T {
  const guarded: T = { ...target };
  for (const name of names) {
    const call = target[name] as unknown as (...args: unknown[]) => Promise<unknown>;
    (guarded as Record<keyof T, unknown>)[name] = (...args: unknown[]) => onRedis(what, () => call.apply(target, args));
  }
  return guarded;
}
