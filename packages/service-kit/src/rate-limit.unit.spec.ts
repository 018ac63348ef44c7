import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from './app.ts';
import { allow, publicRoute } from './auth.ts';
import { InMemoryRateLimitStore, RATE_LIMITED_METRIC, type RateLimitOptions, type RateLimitStore } from './rate-limit.ts';
import { describeRateLimitStoreContract } from './rate-limit-store-contract.ts';
import { createTestAuth, testAppDeps, type TestAuth } from './testing.ts';

describeRateLimitStoreContract('in-memory', async () => {
  const store = new InMemoryRateLimitStore();
  return { store, teardown: () => store.close() };
});

describe('in-memory store bookkeeping', () => {
  it('forgets expired windows, so memory is bounded by active callers', async () => {
    let now = 0;
    const store = new InMemoryRateLimitStore(() => now);
    for (let i = 0; i < 1_000; i++) await store.hit(`caller-${i}`, 1_000);
    now = 5_000;
    await store.hit('late', 1_000);
    expect(await store.peek('caller-1')).toEqual({ count: 0, resetInMs: 0 });
    expect((await store.peek('late')).count).toBe(1);
  });
});

describe('rate limiting per principal and per anonymous IP', () => {
  let app: App | undefined;
  let auth: TestAuth;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function appWith(limits: Partial<RateLimitOptions> = {}): Promise<App> {
    auth = await createTestAuth('intake');
    const rateLimit: RateLimitOptions = {
      store: new InMemoryRateLimitStore(),
      principal: { limit: 3, windowMs: 60_000 },
      anonymous: { limit: 2, windowMs: 60_000 },
      ...limits,
    };
    const built = await buildApp(testAppDeps(auth, 'intake'), { serviceName: 'intake', version: '1', defaultMetrics: false, rateLimit });
    built.get('/cases', { config: allow('applicant') }, async () => ({ cases: [] }));
    built.get('/guides', { config: publicRoute }, async () => ({ guides: [] }));
    await built.ready();
    app = built;
    return built;
  }

  const get = (target: App, url: string, token?: string, ip = '10.0.0.1') =>
    target.inject({ method: 'GET', url, remoteAddress: ip, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

  it('a principal over its budget gets 429 problem+json with Retry-After; another principal is unaffected', async () => {
    const target = await appWith();
    const alice = await auth.token(['applicant'], { subject: 'alice' });
    const bob = await auth.token(['applicant'], { subject: 'bob' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get(target, '/cases', alice)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await get(target, '/cases', alice, '10.9.9.9'); // another IP: still the same principal
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    expect(refused.json()).toMatchObject({ status: 429, type: 'urn:govsvc:problem:too-many-requests', instance: '/cases' });
    expect((await get(target, '/cases', bob)).statusCode).toBe(200);
    const metrics = await target.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain(`${RATE_LIMITED_METRIC}{scope="principal",service="intake"} 2`);
  });

  it('anonymous calls are counted per IP', async () => {
    const target = await appWith();
    expect((await get(target, '/guides', undefined, '10.0.0.1')).statusCode).toBe(200);
    expect((await get(target, '/guides', undefined, '10.0.0.1')).statusCode).toBe(200);
    expect((await get(target, '/guides', undefined, '10.0.0.1')).statusCode).toBe(429);
    expect((await get(target, '/unknown', undefined, '10.0.0.1')).statusCode).toBe(429);
    expect((await get(target, '/guides', undefined, '10.0.0.2')).statusCode).toBe(200);
  });

  it('failed authentications spend the IP budget; then the IP is refused before its tokens are verified', async () => {
    const target = await appWith();
    const forged = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0.';
    expect((await get(target, '/cases', forged, '10.6.6.6')).statusCode).toBe(401);
    expect((await get(target, '/cases', forged, '10.6.6.6')).statusCode).toBe(401);
    const refused = await get(target, '/cases', forged, '10.6.6.6');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    // Another IP with a valid token is served.
    expect((await get(target, '/cases', await auth.token(['applicant']), '10.0.0.7')).statusCode).toBe(200);
  });

  it('health and metrics probes are never limited', async () => {
    const target = await appWith({ anonymous: { limit: 1, windowMs: 60_000 } });
    for (let i = 0; i < 5; i++) {
      expect((await get(target, '/health/live')).statusCode).toBe(200);
      expect((await get(target, '/metrics')).statusCode).toBe(200);
    }
  });

  it('the window ends: the caller is served again', async () => {
    const target = await appWith({ principal: { limit: 1, windowMs: 150 } });
    const token = await auth.token(['applicant']);
    expect((await get(target, '/cases', token)).statusCode).toBe(200);
    expect((await get(target, '/cases', token)).statusCode).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await get(target, '/cases', token)).statusCode).toBe(200);
  });

  const failing: RateLimitStore = {
    hit: () => Promise.reject(new Error('redis down')),
    peek: () => Promise.reject(new Error('redis down')),
    close: () => Promise.resolve(),
  };

  it('store down, onStoreError allow (default): served, and the failure counted', async () => {
    const target = await appWith({ store: failing });
    expect((await get(target, '/cases', await auth.token(['applicant']))).statusCode).toBe(200);
    expect((await target.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/http_rate_limit_store_errors_total\{scope="principal",service="intake"\} 1/);
  });

  it('store down, onStoreError refuse: 503 problem+json with Retry-After', async () => {
    const target = await appWith({ store: failing, onStoreError: 'refuse' });
    const res = await get(target, '/cases', await auth.token(['applicant']));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.body).not.toContain('redis');
  });
});
