import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from './app.ts';
import { allow } from './auth.ts';
import { createTestAuth, testAppDeps, type TestAuth } from './testing.ts';

describe('/metrics', () => {
  let auth: TestAuth;
  let app: App;
  beforeAll(async () => {
    auth = await createTestAuth('review');
    app = await buildApp(testAppDeps(auth, 'review'), { serviceName: 'review', version: '1.0.0' });
    app.get('/cases/:id', { config: allow('reviewer') }, async (request) => ({ id: (request.params as { id: string }).id }));
    await app.ready();
  });
  afterAll(() => app.close());

  it('exposes the request duration histogram by route template, method and status, plus process metrics', async () => {
    const token = await auth.token(['reviewer']);
    for (const id of ['c-1', 'c-2', 'c-3']) {
      await app.inject({ method: 'GET', url: `/cases/${id}`, headers: { authorization: `Bearer ${token}` } });
    }
    await app.inject({ method: 'GET', url: '/cases/c-4' });
    await app.inject({ method: 'GET', url: '/wp-admin/setup.php' });

    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toMatch(/http_request_duration_seconds_count\{service="review",route="\/cases\/:id",method="GET",status_code="200"\} 3\n/);
    expect(text).toMatch(/http_request_duration_seconds_count\{service="review",route="\/cases\/:id",method="GET",status_code="401"\} 1\n/);
    expect(text).toMatch(/http_request_duration_seconds_count\{service="review",route="\(unmatched\)",method="GET",status_code="404"\} 1\n/);
    expect(text).not.toContain('c-1');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('keeps a registry per app, so two apps in one process do not share counts', async () => {
    const other = await buildApp(testAppDeps(auth, 'review'), { serviceName: 'review', version: '1.0.0', defaultMetrics: false });
    await other.ready();
    const text = (await other.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).not.toContain('route="/cases/:id"');
    expect(other.metrics).not.toBe(app.metrics);
    await other.close();
  });
});
