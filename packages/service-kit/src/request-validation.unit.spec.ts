import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { buildApp, type App } from './app.ts';
import { publicRoute } from './auth.ts';
import { checkedValidatorCompiler } from './request-validation.ts';
import { createTestAuth, testAppDeps } from './testing.ts';

const Body = z.strictObject({
  itemCode: z.string().min(3),
  materials: z.array(z.strictObject({ materialId: z.string(), form: z.enum(['paper', 'electronic']) })).max(3),
  note: z.string().optional(),
});

const compile = (schema: z.ZodType) => checkedValidatorCompiler({ schema, method: 'POST', url: '/x', httpPart: 'body' });
const zodOnly = validatorCompiler({ schema: Body, method: 'POST', url: '/x', httpPart: 'body' });

describe('request validation with a compiled check in front of zod', () => {
  it('hands a valid body over as parsed, without zod’s copy', () => {
    const body = { itemCode: 'A-1', materials: [{ materialId: 'form', form: 'paper' }] };
    const result = compile(Body)(body) as { value?: unknown };
    expect(result.value).toBe(body);
  });

  it('goes to zod for what the check refuses, so the issues are zod’s', () => {
    const validate = compile(Body);
    for (const bad of [{ itemCode: 'A', materials: [] }, { itemCode: 'A-1', materials: [], extra: 1 }, { itemCode: 'A-1', materials: [{ materialId: 'm', form: 'fax' }] }]) {
      const result = validate(bad) as { error?: unknown; value?: unknown };
      expect(result.value).toBeUndefined();
      expect(result).toEqual(zodOnly(bad));
    }
  });

  it('keeps zod’s output where it differs from the input: transforms, coercions and defaults', () => {
    const trimmed = compile(z.strictObject({ name: z.string().trim() }))({ name: '  王五 ' }) as { value: unknown };
    expect(trimmed.value).toEqual({ name: '王五' });
    const coerced = compile(z.strictObject({ limit: z.coerce.number().int() }))({ limit: '20' }) as { value: unknown };
    expect(coerced.value).toEqual({ limit: 20 });
    const defaulted = compile(z.strictObject({ page: z.int().default(1) }))({}) as { value: unknown };
    expect(defaulted.value).toEqual({ page: 1 });
  });

  describe('in an app (buildApp)', () => {
    let app: App;
    const seen: unknown[] = [];
    beforeAll(async () => {
      app = await buildApp(testAppDeps(await createTestAuth('intake'), 'intake'), { serviceName: 'intake', version: '1.0.0', defaultMetrics: false });
      app.post('/applications', { config: publicRoute, schema: { body: Body } }, async (request) => {
        seen.push(request.body);
        return { ok: true };
      });
      app.get('/cases', { config: publicRoute, schema: { querystring: z.strictObject({ limit: z.coerce.number().int().max(100).default(20) }) } }, async (request) => request.query);
      await app.ready();
    });
    afterAll(() => app.close());

    it('accepts a valid body and refuses a bad one with problem+json naming the field', async () => {
      const ok = await app.inject({ method: 'POST', url: '/applications', payload: { itemCode: 'A-1', materials: [{ materialId: 'form', form: 'electronic' }] } });
      expect(ok.statusCode).toBe(200);
      expect(seen.at(-1)).toEqual({ itemCode: 'A-1', materials: [{ materialId: 'form', form: 'electronic' }] });

      const bad = await app.inject({ method: 'POST', url: '/applications', payload: { itemCode: 'A-1', materials: [{ materialId: 'form', form: 'fax' }] } });
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(bad.body).toContain('materials');
      const extra = await app.inject({ method: 'POST', url: '/applications', payload: { itemCode: 'A-1', materials: [], admin: true } });
      expect(extra.statusCode).toBe(400);
      expect(seen).toHaveLength(1);
    });

    it('still coerces and defaults a querystring through zod', async () => {
      expect((await app.inject({ method: 'GET', url: '/cases?limit=5' })).json()).toEqual({ limit: 5 });
      expect((await app.inject({ method: 'GET', url: '/cases' })).json()).toEqual({ limit: 20 });
      expect((await app.inject({ method: 'GET', url: '/cases?limit=500' })).statusCode).toBe(400);
    });
  });
});
