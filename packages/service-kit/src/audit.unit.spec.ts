import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NotFoundError } from '@govsvc/errors/errors';
import { buildApp, type App } from './app.ts';
import { ACCESS_DENIED_METRIC, auditDeniedAccess } from './audit.ts';
import { allow, principalOf } from './auth.ts';
import { createTestAuth, testAppDeps, type LogCapture, type TestAuth } from './testing.ts';

const OWNER = 'applicant-owner';

describe('auditDeniedAccess: denied cross-tenant access is logged (masked) and counted', () => {
  let app: App;
  let auth: TestAuth;
  let logs: LogCapture;

  beforeAll(async () => {
    auth = await createTestAuth('intake');
    const deps = testAppDeps(auth, 'intake');
    logs = deps.logs;
    app = await buildApp(deps, { serviceName: 'intake', version: '1', defaultMetrics: false });
    await app.register(
      async (routes) => {
        routes.get('/cases/:id', { config: allow('applicant'), schema: { params: z.strictObject({ id: z.string() }) } }, async (request) => {
          const { id } = request.params as { id: string };
          if (id !== 'case-1') throw new NotFoundError(`no case ${id}`);
          if (principalOf(request).subject !== OWNER) {
            auditDeniedAccess(request, { type: 'case', id, reason: 'other-applicant' });
            throw new NotFoundError(`no case ${id}`);
          }
          return { id };
        });
        // The app layer refuses without the request: it marks the 404 and the error handler audits it.
        routes.get('/documents/:id', { config: allow('applicant'), schema: { params: z.strictObject({ id: z.string() }) } }, async (request) => {
          const { id } = request.params as { id: string };
          if (principalOf(request).subject !== OWNER) throw new NotFoundError(`no document ${id}`, { deniedAccess: { type: 'document', id } });
          return { id };
        });
      },
      { prefix: '/intake' },
    );
    await app.ready();
  });
  afterAll(() => app.close());

  const get = async (id: string, subject: string) =>
    app.inject({ method: 'GET', url: `/intake/cases/${id}`, headers: { authorization: `Bearer ${await auth.token(['applicant'], { subject })}` } });

  it('the owner is served and nothing is audited', async () => {
    expect((await get('case-1', OWNER)).statusCode).toBe(200);
    expect(logs.entries().filter((e) => e.audit === 'access-denied')).toHaveLength(0);
  });

  it('another applicant gets the same 404 as for an unknown case, and one audit line', async () => {
    // A subject that is a resident ID number must never be logged whole (PIPL).
    const intruder = '11010519491231002X';
    const denied = await get('case-1', intruder);
    const unknown = await get('case-2', intruder);
    expect(denied.statusCode).toBe(404);
    const strip = (body: string) => ({ ...JSON.parse(body), instance: undefined, correlationId: undefined, detail: undefined });
    expect(strip(denied.body)).toEqual(strip(unknown.body));

    const lines = logs.entries().filter((e) => e.audit === 'access-denied');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'warn',
      msg: 'access denied',
      resource: { type: 'case', id: 'case-1', reason: 'other-applicant' },
      method: 'GET',
      route: '/intake/cases/:id',
      principal: { roles: ['applicant'] },
    });
    expect(logs.text).not.toContain(intruder);
    expect(JSON.stringify(lines[0])).toContain('110105********002X');

    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain(`${ACCESS_DENIED_METRIC}{resource="case",route="/intake/cases/:id",service="intake"} 1`);
  });

  it('a 404 marked deniedAccess by the app layer is audited by the error handler, and the mark never reaches the caller', async () => {
    const before = logs.entries().filter((e) => e.audit === 'access-denied' && (e.resource as { type?: string } | undefined)?.type === 'document').length;
    const res = await app.inject({ method: 'GET', url: '/intake/documents/doc-9', headers: { authorization: `Bearer ${await auth.token(['applicant'], { subject: 'someone-else' })}` } });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('deniedAccess');
    const lines = logs.entries().filter((e) => e.audit === 'access-denied' && (e.resource as { type?: string } | undefined)?.type === 'document');
    expect(lines.length - before).toBe(1);
    expect(lines.at(-1)).toMatchObject({ resource: { type: 'document', id: 'doc-9' }, route: '/intake/documents/:id' });
  });
});
