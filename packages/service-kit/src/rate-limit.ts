/**
 * Rate limiting per caller: per principal (the token's subject) on protected
 * routes, per client IP for anonymous calls (public routes, unknown routes,
 * and every request whose token failed verification). Over the limit the
 * caller gets 429 problem+json with `Retry-After`.
 *
 * Counting is a fixed window per key in a `RateLimitStore`: Redis in a
 * deployment (every instance of a service shares the budget), memory in the
 * standalone process and tests. The window is simple and predictable; its
 * known cost is that a caller can spend up to twice the limit across a window
 * boundary, which the limits below leave room for.
 *
 * The hooks run in `onRequest`, before the body is read: a throttled caller
 * costs neither body parsing nor a handler. Failed authentications are
 * counted against the IP too, and an IP that spent its anonymous budget is
 * refused before its next token is even verified, so guessing tokens is
 * throttled like any other anonymous traffic.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import { DomainError, UnavailableError } from '@govsvc/errors/errors';

/** How many hits a key may spend per window. */
export interface RateLimitRule {
  readonly limit: number;
  readonly windowMs: number;
}

/** One key's state after a hit (or a look). */
export interface RateLimitState {
  /** Hits counted in the current window, this one included. */
  readonly count: number;
  /** Milliseconds until the current window ends and the count starts over. */
  readonly resetInMs: number;
}

/**
 * Where hit counts live. `hit` must be atomic: two instances counting the
 * same key at once never both see the same count.
 */
export interface RateLimitStore {
  /** Counts one hit on `key` in its current window of `windowMs` and returns the state. */
  hit(key: string, windowMs: number): Promise<RateLimitState>;
  /** The state of `key` without counting; `count` 0 when no window is open. */
  peek(key: string): Promise<RateLimitState>;
  close(): Promise<void>;
}

/** 429: the caller spent its budget; retry after `retryAfterSeconds`. */
export class TooManyRequestsError extends DomainError {
  readonly status = 429;
  readonly code = 'too-many-requests';
  readonly title = 'Too many requests';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests: retry after ${retryAfterSeconds} s.`);
  }
}

/**
 * In-process store: a map of windows with lazy expiry and a periodic sweep,
 * for the standalone process and tests. Counts are per process.
 */
export class InMemoryRateLimitStore implements RateLimitStore {
  readonly #windows = new Map<string, { count: number; resetAt: number }>();
  readonly #now: () => number;
  #lastSweep = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async hit(key: string, windowMs: number): Promise<RateLimitState> {
    const now = this.#now();
    this.#sweep(now, windowMs);
    let window = this.#windows.get(key);
    if (window === undefined || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.#windows.set(key, window);
    }
    window.count += 1;
    return { count: window.count, resetInMs: window.resetAt - now };
  }

  async peek(key: string): Promise<RateLimitState> {
    const now = this.#now();
    const window = this.#windows.get(key);
    if (window === undefined || window.resetAt <= now) return { count: 0, resetInMs: 0 };
    return { count: window.count, resetInMs: window.resetAt - now };
  }

  async close(): Promise<void> {
    this.#windows.clear();
  }

  // Forget expired windows at most once per window length, so memory stays bounded by active keys.
  #sweep(now: number, windowMs: number): void {
    if (now - this.#lastSweep < windowMs) return;
    this.#lastSweep = now;
    for (const [key, window] of this.#windows) if (window.resetAt <= now) this.#windows.delete(key);
  }
}

export interface RateLimitOptions {
  readonly store: RateLimitStore;
  /** Budget per authenticated principal (token subject). */
  readonly principal: RateLimitRule;
  /** Budget per client IP for anonymous requests and failed authentications. */
  readonly anonymous: RateLimitRule;
  /**
   * When the store fails (Redis down): `allow` serves the request and logs the
   * failure (availability first; the default), `refuse` answers 503.
   */
  readonly onStoreError?: 'allow' | 'refuse';
}

/** Generous defaults: a person at a counter or a browser never meets them; a script does. */
export const DEFAULT_RATE_LIMITS: Pick<RateLimitOptions, 'principal' | 'anonymous'> = {
  principal: { limit: 600, windowMs: 60_000 },
  anonymous: { limit: 120, windowMs: 60_000 },
};

export const RATE_LIMITED_METRIC = 'http_rate_limited_total';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Exempts a route from rate limiting (health and metrics probes from the platform). */
    rateLimit?: false;
  }
}

function retryAfterSeconds(state: RateLimitState): number {
  return Math.max(1, Math.ceil(state.resetInMs / 1000));
}

function exempt(request: FastifyRequest): boolean {
  return request.routeOptions.config.rateLimit === false;
}

/**
 * The limiter's hooks. `buildApp` adds `preAuth` before the auth hook and
 * `postAuth` after it (all in `onRequest`), so the principal is known when it is counted.
 */
export interface RateLimitCounters {
  readonly rejected: Counter<'scope'>;
  readonly storeErrors: Counter<'scope'>;
}

export function rateLimitHooks(options: RateLimitOptions, metrics: RateLimitCounters) {
  const { store, principal, anonymous } = options;
  const failOpen = (options.onStoreError ?? 'allow') === 'allow';

  const setHeaders = (reply: FastifyReply, rule: RateLimitRule, state: RateLimitState) => {
    reply.header('ratelimit-limit', String(rule.limit));
    reply.header('ratelimit-remaining', String(Math.max(0, rule.limit - state.count)));
    reply.header('ratelimit-reset', String(retryAfterSeconds(state)));
  };

  const guarded = async <T>(request: FastifyRequest, scope: string, action: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await action();
    } catch (error) {
      metrics.storeErrors.inc({ scope });
      request.log.warn({ err: error, scope }, 'rate limit store unavailable');
      if (failOpen) return undefined;
      throw new UnavailableError('rate limit store unavailable', 5);
    }
  };

  const ipKey = (request: FastifyRequest) => `ip:${request.ip}`;

  return {
    /** Before auth: an IP that spent its anonymous budget is refused before its token is verified. */
    async preAuth(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (exempt(request) || request.headers.authorization === undefined) return;
      const state = await guarded(request, 'anonymous', () => store.peek(ipKey(request)));
      if (state !== undefined && state.count >= anonymous.limit) {
        setHeaders(reply, anonymous, state);
        metrics.rejected.inc({ scope: 'anonymous' });
        throw new TooManyRequestsError(retryAfterSeconds(state));
      }
    },
    /** After auth: counts the hit against the principal, or the IP when there is none. */
    async postAuth(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (exempt(request)) return;
      const who = request.principal;
      const [scope, key, rule] = who === null ? (['anonymous', ipKey(request), anonymous] as const) : (['principal', `sub:${who.subject}`, principal] as const);
      const state = await guarded(request, scope, () => store.hit(key, rule.windowMs));
      if (state === undefined) return;
      setHeaders(reply, rule, state);
      if (state.count > rule.limit) {
        metrics.rejected.inc({ scope });
        throw new TooManyRequestsError(retryAfterSeconds(state));
      }
    },
    /** A failed authentication spends the IP's anonymous budget. */
    async onResponse(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (reply.statusCode !== 401 || exempt(request)) return;
      await guarded(request, 'anonymous', () => store.hit(ipKey(request), anonymous.windowMs)).catch(() => undefined);
    },
  };
}

/** The limiter's counters; `buildApp` registers them on the app's registry. */
export function rateLimitCounters(): RateLimitCounters {
  return {
    rejected: new Counter({
      name: RATE_LIMITED_METRIC,
      help: 'Requests refused with 429, by scope (principal or anonymous)',
      labelNames: ['scope'] as const,
      registers: [],
    }),
    storeErrors: new Counter({
      name: 'http_rate_limit_store_errors_total',
      help: 'Rate limit store failures, by scope',
      labelNames: ['scope'] as const,
      registers: [],
    }),
  };
}
