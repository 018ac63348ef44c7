import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileCheck } from './compiled-check.ts';
import { compileOrderedCopy } from './ordered-copy.ts';

describe('compileOrderedCopy: zod’s output, keys in the schema’s order, for data the check accepted', () => {
  const schema = z.object({
    caseId: z.string(),
    delivery: z.discriminatedUnion('method', [
      z.object({ method: z.literal('electronic') }),
      z.object({ method: z.literal('courier'), address: z.object({ city: z.string(), line: z.string() }) }),
    ]),
    contact: z.object({ alg: z.literal('A256GCM'), keyId: z.string(), iv: z.string() }).nullable(),
    tags: z.array(z.object({ code: z.string(), note: z.string().optional() })),
    details: z.record(z.string(), z.object({ b: z.number(), a: z.number() })),
    limit: z.int().default(5),
  });
  const check = compileCheck(schema)!;
  const copy = compileOrderedCopy(schema)!;

  it('puts every object back in the schema’s order, unions, arrays, nullable and records included', () => {
    const jsonbOrder = {
      tags: [{ note: 'n', code: 'c' }, { code: 'd' }],
      limit: 3,
      caseId: 'BJ-1',
      details: { z: { a: 1, b: 2 }, y: { b: 3, a: 4 } },
      contact: { iv: 'x', alg: 'A256GCM', keyId: 'k1' },
      delivery: { address: { line: '1号', city: '北京' }, method: 'courier' },
    };
    expect(check(jsonbOrder)).toBe(true);
    const out = copy(jsonbOrder);
    expect(JSON.stringify(out)).toBe(JSON.stringify(schema.parse(jsonbOrder)));
    expect(JSON.stringify(copy({ ...jsonbOrder, contact: null, delivery: { method: 'electronic' } }))).toBe(
      JSON.stringify(schema.parse({ ...jsonbOrder, contact: null, delivery: { method: 'electronic' } })),
    );
    expect(out).not.toBe(jsonbOrder); // a copy: the caller's value is left as it was
    expect(Object.keys(jsonbOrder)[0]).toBe('tags');
  });

  it('leaves to zod what it cannot copy as zod would: loose objects and transforms', () => {
    expect(compileOrderedCopy(z.looseObject({ a: z.string() }))).toBeNull();
    expect(compileOrderedCopy(z.object({ a: z.string().transform((s) => s.trim()) }))).toBeNull();
    expect(compileOrderedCopy(z.union([z.string(), z.number()]))).toBeNull();
  });
});
