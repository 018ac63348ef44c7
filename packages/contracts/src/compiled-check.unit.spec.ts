import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@govsvc/errors/errors';
import { compileCheck } from '@govsvc/schema-check/compiled-check';
import { examples } from './examples.ts';
import { encodeIntegrationEvent } from './envelope.ts';
import { inSchemaOrder, integrationEventDefinitions, parseIntegrationEventJson, parseOwnedIntegrationEvent } from './registry.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Every path (as keys) inside a JSON value, the root included. */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const here = [prefix];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...prefix, i]))];
  if (value !== null && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
  return here;
}

/** The value with the thing at `path` replaced (or removed, or given an unknown key). */
function mutate(value: Json, path: (string | number)[], change: { kind: 'set'; to: Json } | { kind: 'delete' } | { kind: 'extra' }): Json {
  const copy = clone(value);
  if (path.length === 0) return change.kind === 'set' ? change.to : copy;
  const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string, Json>)[key as string]!, copy) as Record<string, Json>;
  const last = path[path.length - 1]!;
  if (change.kind === 'set') parent[last as string] = change.to;
  else if (change.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last as string];
  } else {
    const target = parent[last as string];
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, Json>)['unexpected'] = 1;
  }
  return copy;
}

describe('compiled structural checks (ADR 0005): never accept what zod refuses, never skip what zod would change', () => {
  const compiled = integrationEventDefinitions.map((d) => ({ definition: d, check: compileCheck(d.schema), ordered: compileCheck(d.schema, { ordered: true }) }));

  it('compiles the contracts the consumers decode most (and knows which it leaves to zod)', () => {
    const names = (ok: boolean) => compiled.filter((c) => (c.check !== null) === ok).map((c) => c.definition.type);
    expect(names(true)).toContain('intake.application-submitted.v1');
    expect(names(true).length).toBeGreaterThan(integrationEventDefinitions.length / 2);
  });

  it.each(compiled.filter((c) => c.check !== null).map((c) => [c.definition.type, c] as const))('%s: its example passes', (_type, { definition, check }) => {
    const example = clone((examples as Record<string, unknown>)[definition.type]);
    expect(check!(example)).toBe(true);
  });

  it('property: for every compiled contract, a mutated example the check accepts is one zod accepts and returns unchanged', () => {
    const targets = compiled.filter((c) => c.check !== null);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: targets.length - 1 }),
        fc.nat(),
        fc.oneof(
          fc.record({ kind: fc.constant('set' as const), to: fc.jsonValue() as fc.Arbitrary<Json> }),
          fc.record({ kind: fc.constant('set' as const), to: fc.constantFrom<Json>('', 'x'.repeat(300), -1, 1.5, 0, '2025-02-30', '2025-03-10T10:15:00Z', 'BJ 1', null, [], {}) }),
          fc.constant({ kind: 'delete' as const }),
          fc.constant({ kind: 'extra' as const }),
        ),
        (t, p, change) => {
          const { definition, check, ordered } = targets[t]!;
          const example = clone((examples as Record<string, unknown>)[definition.type]) as Json;
          const paths = pathsOf(example);
          const value = mutate(example, paths[p % paths.length]!, change);
          const zod = definition.schema.safeParse(clone(value));
          if (check!(value)) {
            expect(zod.success).toBe(true);
            expect(zod.data).toEqual(value);
          }
          // What a producer sends: accepted in order, the very bytes of zod's output.
          if (ordered!(value)) expect(JSON.stringify(value)).toBe(JSON.stringify(zod.data));
          const reordered = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).reverse()) : value;
          if (ordered!(reordered)) expect(JSON.stringify(reordered)).toBe(JSON.stringify(definition.schema.parse(clone(reordered))));
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('property: data accepted with its keys in another order (as read back from jsonb) is put in zod’s order without zod', () => {
    // Every object's keys in an order drawn from `seed`, all the way down.
    const shuffled = (value: Json, seed: number): Json => {
      if (Array.isArray(value)) return value.map((v, i) => shuffled(v, seed + i));
      if (value === null || typeof value !== 'object') return value;
      const entries = Object.entries(value).map(([k, v], i) => [k, shuffled(v, seed * 31 + i)] as const);
      const order = entries.map((e, i) => ({ e, rank: Math.sin(seed * 997 + i) }));
      return Object.fromEntries(order.sort((a, b) => a.rank - b.rank).map((o) => o.e));
    };
    let reordered = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: compiled.length - 1 }), fc.integer({ min: 1, max: 1_000_000 }), (t, seed) => {
        const { definition, ordered } = compiled[t]!;
        const value = shuffled(clone((examples as Record<string, unknown>)[definition.type]) as Json, seed);
        const inOrder = inSchemaOrder(definition.type, value);
        expect(inOrder).not.toBeNull();
        expect(JSON.stringify(inOrder!.data)).toBe(JSON.stringify(definition.schema.parse(clone(value))));
        if (!ordered!(value)) reordered += 1;
        // And what encode sends for it: the bytes it sends for the example in order.
        const attributes = { id: 'e-1', time: '2025-03-12T02:00:00.000Z', correlationId: 'corr-1' };
        expect(encodeIntegrationEvent({ type: definition.type, data: value } as never, attributes).value).toBe(
          encodeIntegrationEvent({ type: definition.type, data: (examples as Record<string, unknown>)[definition.type] } as never, attributes).value,
        );
      }),
      { numRuns: 1_000 },
    );
    expect(reordered).toBeGreaterThan(500); // most draws really were out of order
    expect(inSchemaOrder('intake.case-accepted.v2', { caseId: 1 })).toBeNull(); // not accepted: zod decides
  });

  it('compiles every contract: none is left to zod alone', () => {
    expect(compiled.filter((c) => c.check === null).map((c) => c.definition.type)).toEqual([]);
  });

  it('parseIntegrationEventJson: valid bytes give the data; invalid bytes the same ValidationError zod gives', () => {
    const example = examples['intake.application-submitted.v1'];
    const good = Buffer.from(JSON.stringify(example));
    expect(parseIntegrationEventJson('intake.application-submitted.v1', good).data).toEqual(example);
    const bad = Buffer.from(JSON.stringify({ ...example, materials: [{ ...example.materials[0], form: 'carved-in-stone' }] }));
    const error = (() => {
      try {
        parseIntegrationEventJson('intake.application-submitted.v1', bad, '/data');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual(['/data/materials/0/form']);
    // Unknown keys are stripped as before: by zod.
    const extra = parseOwnedIntegrationEvent('intake.application-submitted.v1', { ...clone(example), unexpected: 1 });
    expect(extra.data).toEqual(example);
  });
});
