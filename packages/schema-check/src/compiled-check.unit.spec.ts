/**
 * The compiler's own cases on small schemas; `@govsvc/contracts` checks every published contract
 * against zod with a property test over mutated examples.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileCheck } from './compiled-check.ts';

describe('compileCheck: never accepts what zod refuses, never skips what zod would change', () => {
  it('objects, strings, numbers, enums, arrays, nullable and optional members', () => {
    const schema = z.object({
      id: z.string().min(2).max(8),
      at: z.iso.datetime(),
      count: z.int().min(0),
      kind: z.enum(['a', 'b']),
      tags: z.array(z.string()).max(2),
      note: z.string().nullable(),
      extra: z.number().optional(),
    });
    const check = compileCheck(schema)!;
    const good = { id: 'BJ1', at: '2025-03-03T08:00:00Z', count: 2, kind: 'a', tags: ['x'], note: null };
    expect(check(good)).toBe(true);
    expect(schema.parse(good)).toEqual(good);
    for (const bad of [
      { ...good, id: 'B' },
      { ...good, at: '2025-03-03' },
      { ...good, count: 1.5 },
      { ...good, kind: 'c' },
      { ...good, tags: ['x', 'y', 'z'] },
      { ...good, note: undefined },
      { ...good, unknown: 1 }, // zod would strip it: not unchanged
    ]) {
      expect(check(bad)).toBe(false);
    }
    const ordered = compileCheck(schema, { ordered: true })!;
    expect(ordered(good)).toBe(true);
    expect(ordered(Object.fromEntries(Object.entries(good).reverse()))).toBe(false);
  });

  it("compiles an object's refinements and a discriminated union", () => {
    const range = z.object({ from: z.string(), to: z.string() }).refine((r) => r.to >= r.from, { path: ['to'], message: 'before from' });
    const rangeCheck = compileCheck(range)!;
    expect(rangeCheck({ from: '2025-03-01', to: '2025-03-02' })).toBe(true);
    expect(rangeCheck({ from: '2025-03-02', to: '2025-03-01' })).toBe(false); // zod refuses it
    expect(range.safeParse({ from: '2025-03-02', to: '2025-03-01' }).success).toBe(false);
    expect(rangeCheck({ from: '2025-03-01', to: '2025-03-02', extra: 1 })).toBe(false); // zod would strip the key
    const throwing = compileCheck(z.object({ a: z.string() }).refine(() => { throw new Error('no'); }))!;
    expect(throwing({ a: 'x' })).toBe(false); // left to zod, which throws as it would have

    const delivery = z.discriminatedUnion('method', [
      z.object({ method: z.literal('electronic') }),
      z.object({ method: z.enum(['courier', 'post']), address: z.string().min(1) }),
    ]);
    const deliveryCheck = compileCheck(delivery)!;
    expect(deliveryCheck({ method: 'electronic' })).toBe(true);
    expect(deliveryCheck({ method: 'post', address: '北京' })).toBe(true);
    expect(deliveryCheck({ method: 'electronic', address: '北京' })).toBe(false); // zod strips the address
    expect(deliveryCheck({ method: 'courier' })).toBe(false);
    expect(deliveryCheck({ method: 'pigeon' })).toBe(false);
    expect(deliveryCheck({ address: '北京' })).toBe(false);
    expect(deliveryCheck([{ method: 'electronic' }])).toBe(false);
  });

  it("a string's refinements and overwrites, defaults, pipes and z.custom: true only where zod returns the value as it is", () => {
    const cases: { schema: z.ZodType; values: unknown[] }[] = [
      { schema: z.object({ a: z.string().refine((s) => s.length > 2) }), values: [{ a: 'abc' }, { a: 'ab' }, { a: 3 }] },
      { schema: z.object({ text: z.string().trim().min(1) }), values: [{ text: 'ok' }, { text: ' ok' }, { text: '   ' }, { text: '' }] },
      { schema: z.object({ unit: z.enum(['days', 'hours']).default('days'), n: z.number() }), values: [{ unit: 'hours', n: 1 }, { n: 1 }, { unit: undefined, n: 1 }, { unit: 'weeks', n: 1 }] },
      { schema: z.string().pipe(z.string().min(2)), values: ['ab', 'a', 1] },
      { schema: z.object({ at: z.custom<string>((v) => typeof v === 'string' && v.endsWith('Z')) }), values: [{ at: '2025Z' }, { at: '2025' }, {}] },
      {
        schema: z.object({ details: z.record(z.string(), z.string().min(1)) }),
        values: [{ details: {} }, { details: { licenceId: 'L-1', '2': 'x' } }, { details: { a: '' } }, { details: { a: 1 } }, { details: [] }, { details: null }, { details: JSON.parse('{"__proto__": "x"}') }],
      },
    ];
    for (const { schema, values } of cases) {
      const check = compileCheck(schema)!;
      expect(check).not.toBeNull();
      for (const value of values) {
        const zod = schema.safeParse(value);
        if (check(value)) expect(zod).toEqual({ success: true, data: value });
        // And it says yes wherever zod returns the value unchanged.
        else expect(zod.success && JSON.stringify(zod.data) === JSON.stringify(value)).toBe(false);
      }
    }
  });

  it('leaves to zod what it does not know: transforms, plain unions, intersections, records with checked or enum keys', () => {
    expect(compileCheck(z.object({ a: z.string().transform((s) => s.trim()) }))).toBeNull();
    expect(compileCheck(z.object({ a: z.union([z.string(), z.number()]) }))).toBeNull();
    expect(compileCheck(z.object({ a: z.string().regex(/x/g) }))).toBeNull();
    expect(compileCheck(z.intersection(z.object({ a: z.string() }), z.object({ b: z.string() })))).toBeNull();
    expect(compileCheck(z.record(z.string().min(2), z.number()))).toBeNull();
    expect(compileCheck(z.record(z.enum(['a', 'b']), z.number()))).toBeNull();
    expect(compileCheck(z.object({ a: z.string() }).refine(async () => true))).not.toBeNull(); // compiled, but a promise is never `true`
    expect(compileCheck(z.discriminatedUnion('k', [z.object({ k: z.literal('a') })], { unionFallback: true }))).toBeNull();
  });
});
