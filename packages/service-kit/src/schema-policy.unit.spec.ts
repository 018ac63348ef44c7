import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { assertStrictRequestSchemas, looseObjectPaths } from './schema-policy.ts';

describe('looseObjectPaths', () => {
  it('finds nothing in a schema made of strict objects', () => {
    const schema = z.strictObject({
      a: z.strictObject({ b: z.string() }).optional(),
      list: z.array(z.strictObject({ c: z.number() })),
      choice: z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('x') }), z.strictObject({ kind: z.literal('y') })]),
      byKey: z.record(z.string(), z.strictObject({ d: z.boolean() })),
      fallback: z.strictObject({ e: z.string() }).default({ e: '' }),
    });
    expect(looseObjectPaths(schema, 'body')).toEqual([]);
  });

  it('names every object that would accept or strip unknown keys, however deep', () => {
    const schema = z.strictObject({
      applicant: z.object({ name: z.string() }),
      materials: z.array(z.looseObject({ name: z.string() })).nullable(),
      choice: z.union([z.strictObject({ a: z.string() }), z.object({ b: z.string() })]),
      piped: z.object({ n: z.string() }).transform((v) => v.n),
    });
    expect(looseObjectPaths(schema, 'body').sort()).toEqual(['body.applicant', 'body.choice', 'body.materials[]', 'body.piped']);
  });

  it('counts .strict() and .extend() of a strict object as strict', () => {
    const strict = z.object({ a: z.string() }).strict();
    expect(looseObjectPaths(strict.extend({ b: z.string() }))).toEqual([]);
  });
});

describe('assertStrictRequestSchemas', () => {
  const route = (schema: Record<string, unknown>, config: Record<string, unknown> = {}) => ({ method: 'POST' as const, url: '/x', schema, config });

  it('refuses a z.object body, naming where to use z.strictObject', () => {
    expect(() => assertStrictRequestSchemas(route({ body: z.object({ a: z.string() }) }))).toThrow(
      /POST \/x: request schemas must refuse unknown fields; use z.strictObject at body/,
    );
  });

  it('refuses a loose querystring too', () => {
    expect(() => assertStrictRequestSchemas(route({ querystring: z.object({ q: z.string() }) }))).toThrow(/querystring/);
  });

  it('allows loose headers, and loose bodies on routes that accept third-party payloads', () => {
    expect(() => assertStrictRequestSchemas(route({ headers: z.object({ 'x-signature': z.string() }) }))).not.toThrow();
    expect(() => assertStrictRequestSchemas(route({ body: z.object({ a: z.string() }) }, { acceptUnknownFields: true }))).not.toThrow();
  });

  it('refuses JSON schemas: the validator compiler only speaks zod', () => {
    expect(() => assertStrictRequestSchemas(route({ body: { type: 'object' } }))).toThrow(/schema.body must be a zod schema/);
  });
});
