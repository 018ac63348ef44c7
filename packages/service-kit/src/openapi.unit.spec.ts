import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp, type App } from './app.ts';
import { allow } from './auth.ts';
import { createTestAuth, testAppDeps } from './testing.ts';

describe('/docs/json', () => {
  let app: App;
  beforeAll(async () => {
    const auth = await createTestAuth('intake');
    app = await buildApp(testAppDeps(auth, 'intake'), { serviceName: 'intake', version: '2.1.0', defaultMetrics: false });
    await app.register(
      async (routes) => {
        routes.post(
          '/',
          {
            config: allow('applicant', 'clerk'),
            schema: {
              summary: 'Submit an application (R-ACC-1)',
              body: z.strictObject({
                itemCode: z.string().regex(/^\d{11}$/).describe('catalog item code'),
                channel: z.enum(['online', 'window']),
              }),
              response: { 201: z.strictObject({ applicationId: z.string() }) },
            },
          },
          async (_request, reply) => reply.code(201).send({ applicationId: 'a-1' }),
        );
      },
      { prefix: '/applications' },
    );
    // A role-protected route with no schema at all must not break the whole document.
    app.get('/outbox', { config: allow('operator') }, async () => ({ messages: [] }));
    await app.ready();
  });
  afterAll(() => app.close());

  it('R-ACC-1: lists a route with its zod-derived request and response schemas and who may call it', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'intake', version: '2.1.0' });
    const op = doc.paths['/applications/'].post;
    expect(op.summary).toBe('Submit an application (R-ACC-1)');
    const body = op.requestBody.content['application/json'].schema;
    expect(body).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['itemCode', 'channel'],
      properties: {
        itemCode: { type: 'string', pattern: '^\\d{11}$', description: 'catalog item code' },
        channel: { type: 'string', enum: ['online', 'window'] },
      },
    });
    expect(op.responses['201'].content['application/json'].schema.properties.applicationId).toEqual({ type: 'string' });
    expect(op.security).toEqual([{ bearerAuth: [] }]);
    expect(op['x-roles']).toEqual(['applicant', 'clerk']);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('leaves the kit’s own endpoints out of the document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(doc.paths)).toEqual(['/applications/', '/outbox']);
  });

  it('documents a role-protected route declared without any schema', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const operation = res.json().paths['/outbox'].get;
    expect(operation['x-roles']).toEqual(['operator']);
    expect(operation.security).toEqual([{ bearerAuth: [] }]);
  });
});
