import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp, DEFAULT_LIMITS, type App } from './app.ts';
import { allow, publicRoute } from './auth.ts';
import { createTestAuth, testAppDeps, type TestAuth } from './testing.ts';

let auth: TestAuth;
beforeAll(async () => {
  auth = await createTestAuth('intake');
});

const build = (limits = {}) =>
  buildApp(testAppDeps(auth, 'intake'), { serviceName: 'intake', version: '1.0.0', defaultMetrics: false, limits });

describe('buildApp', () => {
  it('turns the protective limits on by default', async () => {
    const app = await build();
    await app.ready();
    expect(app.initialConfig).toMatchObject({
      bodyLimit: DEFAULT_LIMITS.bodyLimitBytes,
      requestTimeout: DEFAULT_LIMITS.requestTimeoutMs,
      connectionTimeout: DEFAULT_LIMITS.connectionTimeoutMs,
      keepAliveTimeout: DEFAULT_LIMITS.keepAliveTimeoutMs,
    });
    expect(app.server.requestTimeout).toBe(DEFAULT_LIMITS.requestTimeoutMs);
    expect(app.server.keepAliveTimeout).toBe(DEFAULT_LIMITS.keepAliveTimeoutMs);
    expect(app.server.timeout).toBe(DEFAULT_LIMITS.connectionTimeoutMs);
    await app.close();
  });

  it('refuses at registration a body schema that would silently drop unknown fields', async () => {
    const app = await build();
    expect(() =>
      app.post('/applications', { config: allow('applicant'), schema: { body: z.object({ itemCode: z.string() }) } }, async () => ''),
    ).toThrow(/use z.strictObject at body/);
    await app.close();
  });

  it('answers 503 problem+json with Retry-After when a handler overruns its time, and aborts request.signal', async () => {
    const app = await build({ handlerTimeoutMs: 100 });
    let aborted = false;
    app.get('/slow', { config: publicRoute }, async (request) => {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2_000);
        request.signal.addEventListener('abort', () => {
          aborted = true;
          clearTimeout(timer);
          resolve();
        });
      });
      return 'late';
    });
    const res = await app.inject({ method: 'GET', url: '/slow' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['retry-after']).toBe('5');
    expect(aborted).toBe(true);
    await app.close();
  });

  it('answers 503 to a handler that never looks at request.signal, and leaves the requests that finish in time alone', async () => {
    const app = await build({ handlerTimeoutMs: 150 });
    app.get('/stuck', { config: publicRoute }, () => new Promise<string>(() => undefined));
    app.get('/quick', { config: publicRoute }, async () => 'quick');
    app.get('/just-in-time', { config: publicRoute }, () => new Promise<string>((resolve) => setTimeout(() => resolve('made it'), 60)));
    const started = performance.now();
    const [stuck, quick, inTime] = await Promise.all([
      app.inject({ method: 'GET', url: '/stuck' }),
      app.inject({ method: 'GET', url: '/quick' }),
      app.inject({ method: 'GET', url: '/just-in-time' }),
    ]);
    const waited = performance.now() - started;
    expect(stuck.statusCode).toBe(503);
    expect(stuck.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(stuck.headers['retry-after']).toBe('5');
    expect(stuck.json()).toMatchObject({ status: 503, title: 'Temporarily unavailable' });
    // Between the timeout and the timeout plus one sweep (a quarter of it), with room for a busy machine.
    expect(waited).toBeGreaterThanOrEqual(150);
    expect(waited).toBeLessThan(1_500);
    expect(quick.statusCode).toBe(200);
    expect(inTime.statusCode).toBe(200);
    expect(inTime.body).toBe('made it');
    await app.close();
  });
});

describe('correlation ids', () => {
  let app: App;
  beforeAll(async () => {
    app = await build();
    app.get('/echo', { config: publicRoute }, async (request) => ({ correlationId: request.correlationId, id: request.id }));
    await app.ready();
  });
  afterAll(() => app.close());

  it('takes a valid x-correlation-id, exposes it on the request and echoes it', async () => {
    const res = await app.inject({ method: 'GET', url: '/echo', headers: { 'x-correlation-id': 'gw-2025-000123' } });
    expect(res.headers['x-correlation-id']).toBe('gw-2025-000123');
    expect(res.json()).toEqual({ correlationId: 'gw-2025-000123', id: 'gw-2025-000123' });
  });

  it('generates one when absent', async () => {
    const res = await app.inject({ method: 'GET', url: '/echo' });
    expect(res.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.json().correlationId).toBe(res.headers['x-correlation-id']);
  });

  it('replaces one that could inject text into logs or headers', async () => {
    for (const bad of ['short', 'has spaces in it', 'x'.repeat(200), 'evil\u0000id-123456']) {
      const res = await app.inject({ method: 'GET', url: '/echo', headers: { 'x-correlation-id': bad } });
      expect(res.headers['x-correlation-id']).not.toBe(bad);
      expect(res.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
