/**
 * The refusal rule must be able to fail: a toy app with one route per way of
 * breaking it, checked by the same `checkRefusal` the fuzzing rows use.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '@govsvc/errors/errors';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { buildApp, type App } from '@govsvc/service-kit/app';
import { allow } from '@govsvc/service-kit/auth';
import { createTestAuth, testAppDeps } from '@govsvc/service-kit/testing';
import { checkRefusal } from '../src/fuzz.ts';

describe('checkRefusal catches what it must', () => {
  const store = createInMemoryEventStore();
  let app: App;
  let token: string;

  beforeAll(async () => {
    const auth = await createTestAuth('toy');
    token = await auth.token(['clerk']);
    app = await buildApp(testAppDeps(auth, 'toy'), { serviceName: 'toy', version: '1', defaultMetrics: false });
    const append = (correlationId: string) =>
      store.appendToStream(`toy-${correlationId}`, [{ id: crypto.randomUUID(), type: 'ToyTouched', schemaVersion: 1, data: {}, metadata: { correlationId, actor: { id: 'x', role: 'clerk' } } }], { expectedRevision: 'any' });
    app.post('/stores-then-refuses', { config: allow('clerk'), schema: { body: z.strictObject({ a: z.string() }) } }, async (request) => {
      await append(request.correlationId);
      throw new ValidationError('refused after storing');
    });
    app.get('/crashes', { config: allow('clerk') }, async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'status')");
    });
    app.get('/plain-400', { config: allow('clerk') }, async (_request, reply) => reply.code(400).send({ error: 'bad' }));
    app.get('/fine-404', { config: allow('clerk') }, async (_request, reply) => reply.code(404).type('application/problem+json').send({ status: 404 }));
    await app.ready();
  });
  afterAll(() => app.close());

  const check = async (method: 'GET' | 'POST', url: string, correlationId: string, payload?: unknown) => {
    const before = await store.headPosition();
    const res = await app.inject({ method, url, headers: { authorization: `Bearer ${token}`, 'x-correlation-id': correlationId }, ...(payload !== undefined && { payload: payload as object }) });
    return checkRefusal({ store }, res, before, correlationId);
  };

  it('a refusal that stored an event', async () => {
    expect(await check('POST', '/stores-then-refuses', 'corr-stored-1', { a: 'x' })).toMatch(/refused with 400 but stored toy-corr-stored-1:ToyTouched/);
  });
  it('a 5xx', async () => {
    expect(await check('GET', '/crashes', 'corr-crash-1')).toMatch(/^500/);
  });
  it('a 4xx that is not problem+json', async () => {
    expect(await check('GET', '/plain-400', 'corr-plain-1')).toMatch(/without problem\+json/);
  });
  it('a clean refusal passes', async () => {
    expect(await check('GET', '/fine-404', 'corr-fine-1')).toBeUndefined();
    expect(await check('POST', '/stores-then-refuses', 'corr-invalid-1', { b: 1 })).toBeUndefined();
  });
});
