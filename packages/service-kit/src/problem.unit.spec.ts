import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConcurrencyError, NotFoundError, RuleViolation, UnavailableError, ValidationError } from '@govsvc/errors/errors';
import { buildApp, type App } from './app.ts';
import { MissingClaimError } from './auth-errors.ts';
import { allow } from './auth.ts';
import { createTestAuth, testAppDeps, type LogCapture } from './testing.ts';

const applicationBody = z.strictObject({
  itemCode: z.string().regex(/^\d{11}$/),
  applicant: z.strictObject({ name: z.string().min(1), idNumber: z.string().length(18) }),
  materials: z.array(z.strictObject({ name: z.string().min(1), copies: z.number().int().positive() })).min(1),
});

describe('problem+json errors', () => {
  let app: App;
  let logs: LogCapture;
  let clerk: string;

  beforeAll(async () => {
    const auth = await createTestAuth('intake');
    clerk = await auth.token(['clerk']);
    const deps = testAppDeps(auth, 'intake');
    logs = deps.logs;
    app = await buildApp(deps, { serviceName: 'intake', version: '1.0.0', defaultMetrics: false, limits: { bodyLimitBytes: 1024 } });
    const clerkOnly = allow('clerk');
    app.post('/applications', { config: clerkOnly, schema: { body: applicationBody } }, async (request) => ({ itemCode: request.body.itemCode }));
    app.post('/attachments', { config: clerkOnly, bodyLimit: 8 * 1024, schema: { body: z.strictObject({ data: z.string() }) } }, async () => ({ ok: true }));
    app.get('/search', { config: clerkOnly, schema: { querystring: z.strictObject({ q: z.string().min(2) }) } }, async () => ({ hits: [] }));
    app.get('/boom', { config: clerkOnly }, async () => {
      throw new Error('connection to postgres://admin:s3cret@10.0.0.5/cases refused');
    });
    app.get('/unavailable', { config: clerkOnly }, async () => {
      throw new UnavailableError('redis at 10.0.0.7:6379 is down', 7);
    });
    // What node-postgres throws when the server restarts under a query no adapter translated (issue 9, pg-restart fault).
    app.get('/reset', { config: clerkOnly }, async () => {
      throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' });
    });
    app.get('/admin-shutdown', { config: clerkOnly }, async () => {
      throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01', severity: 'FATAL' });
    });
    app.get('/terminated', { config: clerkOnly }, async () => {
      throw new Error('Connection terminated unexpectedly');
    });
    app.get('/rule', { config: clerkOnly }, async () => {
      throw new RuleViolation('R-CAT-2', 'the supplement notice asks for a material the guide does not list');
    });
    app.get('/domain-validation', { config: clerkOnly }, async () => {
      throw new ValidationError('materials refused', [{ path: '/materials/1/name', reason: 'not in the guide', rule: 'R-CAT-2' }]);
    });
    app.get('/missing', { config: clerkOnly }, async () => {
      throw new NotFoundError('case c-1 not found');
    });
    app.get('/needs-department', { config: clerkOnly }, async () => {
      throw new MissingClaimError('department', 'department staff act for a department, and this token names none');
    });
    app.get('/stale', { config: clerkOnly }, async () => {
      throw new ConcurrencyError('application-c1', '3', '4');
    });
    await app.ready();
  });
  afterAll(() => app.close());

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload: payload as string, headers: { authorization: `Bearer ${clerk}`, ...headers } });
  const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${clerk}` } });

  const valid = {
    itemCode: '11110000000',
    applicant: { name: '张三', idNumber: '11010519491231002X' },
    materials: [{ name: '营业执照', copies: 1 }],
  };

  it('accepts a valid body', async () => {
    const res = await post('/applications', valid);
    expect(res.statusCode).toBe(200);
  });

  it('a bad body: 400 problem+json naming every bad field', async () => {
    const res = await post('/applications', { ...valid, itemCode: 'x', applicant: { name: '' }, materials: [{ name: '', copies: 0 }] });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body).toMatchObject({ type: 'urn:govsvc:problem:validation', title: 'Invalid input', status: 400, instance: '/applications' });
    expect(body.correlationId).toBe(res.headers['x-correlation-id']);
    const paths = body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['/applicant/idNumber', '/applicant/name', '/itemCode', '/materials/0/copies', '/materials/0/name']);
    for (const error of body.errors) {
      expect(error.in).toBe('body');
      expect(error.reason.length).toBeGreaterThan(0);
    }
  });

  it('an unknown field, at the top or nested: 400 naming it', async () => {
    const res = await post('/applications', { ...valid, priority: 'vip', applicant: { ...valid.applicant, nickname: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual(
      expect.arrayContaining([
        { in: 'body', path: '/priority', reason: 'unknown field' },
        { in: 'body', path: '/applicant/nickname', reason: 'unknown field' },
      ]),
    );
  });

  it('an unknown query parameter: 400 naming it', async () => {
    const res = await get('/search?q=licence&debug=1');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ in: 'querystring', path: '/debug', reason: 'unknown field' }]);
  });

  it('malformed JSON: 400 problem+json', async () => {
    const res = await post('/applications', '{"itemCode": ', { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().type).toBe('urn:govsvc:problem:bad-request');
  });

  it('an oversized body: 413 problem+json; a route may raise its own limit', async () => {
    const big = { data: 'x'.repeat(2048) };
    const tooLarge = await post('/applications', { ...valid, applicant: { ...valid.applicant, name: 'x'.repeat(2048) } });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(tooLarge.json()).toMatchObject({ status: 413, type: 'urn:govsvc:problem:payload-too-large' });
    expect((await post('/attachments', big)).statusCode).toBe(200);
    expect((await post('/attachments', { data: 'x'.repeat(9000) })).statusCode).toBe(413);
  });

  it('a content type other than JSON: 415 problem+json', async () => {
    const res = await post('/applications', 'itemCode=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.statusCode).toBe(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const plain = await post('/applications', 'hello', { 'content-type': 'text/plain' });
    expect(plain.statusCode).toBe(415);
  });

  it('an unknown route: 404 problem+json, with or without a token', async () => {
    const res = await app.inject({ method: 'GET', url: '/nowhere?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 404, instance: '/nowhere', detail: 'No route GET /nowhere.' });
    expect(res.headers['x-correlation-id']).toBeTruthy();
  });

  it('a 5xx hides internals and logs the error under the correlation id', async () => {
    const res = await app.inject({ method: 'GET', url: '/boom', headers: { authorization: `Bearer ${clerk}`, 'x-correlation-id': 'corr-boom-000001' } });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).not.toMatch(/postgres|s3cret|10\.0\.0\.5|stack/i);
    expect(res.json()).toMatchObject({ status: 500, title: 'Internal error', correlationId: 'corr-boom-000001' });
    const logged = logs.entries().find((e) => e.correlationId === 'corr-boom-000001' && e.msg === 'request failed');
    expect((logged?.err as { message: string }).message).toContain('connection to postgres');
  });

  it('503 sets Retry-After and hides the dependency details', async () => {
    const res = await get('/unavailable');
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.body).not.toContain('10.0.0.7');
  });

  it('a dependency connection dropped under the request (reset, server shutdown, terminated) is 503 + Retry-After, not 500', async () => {
    for (const url of ['/reset', '/admin-shutdown', '/terminated']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(503);
      expect(res.headers['retry-after'], url).toBe('5');
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ type: 'urn:govsvc:problem:unavailable', status: 503 });
      expect(res.body).not.toContain('ECONNRESET');
    }
    // An unknown error that merely mentions a connection stays a 500 (/boom above).
    expect((await get('/boom')).statusCode).toBe(500);
  });

  it('maps the product errors: 409 with the rule, 400 with issues, 404, 412', async () => {
    const rule = await get('/rule');
    expect(rule.statusCode).toBe(409);
    expect(rule.json()).toMatchObject({ rule: 'R-CAT-2', detail: 'the supplement notice asks for a material the guide does not list' });
    const validation = await get('/domain-validation');
    expect(validation.statusCode).toBe(400);
    expect(validation.json().errors).toEqual([{ path: '/materials/1/name', reason: 'not in the guide', rule: 'R-CAT-2' }]);
    expect((await get('/missing')).statusCode).toBe(404);
    expect((await get('/stale')).json()).toMatchObject({ status: 412, type: 'urn:govsvc:problem:concurrency' });
  });

  it('a role that is allowed but a claim that is missing: 403 naming the claim as a token field, not the roles', async () => {
    const res = await get('/needs-department');
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      status: 403,
      type: 'urn:govsvc:problem:forbidden',
      detail: 'this action needs a "department" claim in the token: department staff act for a department, and this token names none',
      errors: [{ in: 'token', path: '/department', reason: 'department staff act for a department, and this token names none' }],
    });
  });
});
