import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanText, normalizeJson, toPlainJson, validateNewEvents } from '../validation.ts';
import { planAppend } from '../append-plan.ts';
import { rowsJson } from '../sql/sql-event-store.ts';
import { canonicalJson, canonicalJsonOfPlain } from './canonical-json.ts';
import { computeEventHash } from './hash-chain.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth, writes no whitespace, bigints as strings', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: true }], c: 'x' }, r: 12n })).toBe('{"a":{"c":"x","d":[3,{"y":true,"z":null}]},"b":1,"r":"12"}');
  });

  it('drops undefined members and writes undefined array items as null, like JSON', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it('refuses what JSON cannot hold', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
  });

  it('is independent of key order and round-trips through JSON.parse (property)', () => {
    const shuffleKeys = (value: unknown, seed: number): unknown => {
      if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, seed + 1));
      if (value && typeof value === 'object') {
        const entries = Object.entries(value);
        const rotated = entries.length ? [...entries.slice(seed % entries.length), ...entries.slice(0, seed % entries.length)].reverse() : entries;
        return Object.fromEntries(rotated.map(([k, v]) => [k, shuffleKeys(v, seed + 1)]));
      }
      return value;
    };
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seed) => {
        const normal = normalizeJson(value);
        const text = canonicalJson(normal);
        expect(canonicalJson(shuffleKeys(normal, seed))).toBe(text);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        expect(text).not.toMatch(/\n/);
      }),
      { numRuns: 300 },
    );
  });
});

// ADR 0006: the append hot path hashes and stores the text canonicalJsonOfPlain writes while it
// checks, so it must be exactly canonicalJson of the copy the explaining path would make.
describe('canonicalJsonOfPlain', () => {
  const plainish = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.double(),
      fc.integer(),
      fc.constant(-0),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.date({ noInvalidDate: false }),
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(fc.string(), tie('value'), { maxKeys: 5 }),
    ),
  })).value;

  it('writes canonicalJson(toPlainJson(value)) for every value toPlainJson accepts, and refuses every value it refuses', () => {
    fc.assert(
      fc.property(plainish, (value) => {
        let expected: string | undefined;
        try {
          expected = value === undefined ? undefined : canonicalJson(toPlainJson(value, '/data'));
        } catch {
          expected = undefined;
        }
        // Same bytes where both accept, and the same refusals (among these values: no Date subclasses,
        // which only the explaining path takes).
        expect(canonicalJsonOfPlain(value, cleanText)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('writes keys in code-unit order also where JSON.stringify would not keep the insertion order (index-like keys, __proto__)', () => {
    const tricky = JSON.parse('{"b":1,"10":2,"9":3,"__proto__":4,"a":{"2":5,"1":6,"x":[{"0z":7,"0":8}]}}') as unknown;
    expect(canonicalJsonOfPlain(tricky, cleanText)).toBe('{"10":2,"9":3,"__proto__":4,"a":{"1":6,"2":5,"x":[{"0":8,"0z":7}]},"b":1}');
    expect(canonicalJsonOfPlain(tricky, cleanText)).toBe(canonicalJson(toPlainJson(tricky, '/data')));
    // A refusal deep inside wins over a reordering key beside it.
    expect(canonicalJsonOfPlain({ 1: 'x', y: [Number.NaN] }, cleanText)).toBeUndefined();
  });

  it('leaves to the explaining path what is not plainly JSON', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    for (const value of [new Map(), NaN, Infinity, 'a\u0000b', '\ud800', 1n, () => 1, new Date(Number.NaN), { toJSON: () => 1 }, cyclic, new (class X {})()]) {
      expect(canonicalJsonOfPlain(value, cleanText)).toBeUndefined();
      expect(canonicalJsonOfPlain({ nested: [value] }, cleanText)).toBeUndefined();
    }
    expect(canonicalJsonOfPlain({ ['bad\u0000key']: 1 }, cleanText)).toBeUndefined();
  });

  it('validation keeps the texts, the hash over them is the hash over the values, and the SQL rows parse back to the values', () => {
    const [event] = validateNewEvents('case-1', [
      { id: '0b6f5a36-93f5-4a43-a8ad-4ad2f1b8e3c1', type: 'T', schemaVersion: 1, data: { b: [1, { d: new Date(0) }], a: 'x', u: undefined }, metadata: { correlationId: 'c', actor: { id: 'a', role: 'r' } } },
    ]);
    expect(event!.dataJson).toBe('{"a":"x","b":[1,{"d":"1970-01-01T00:00:00.000Z"}]}');
    const plan = planAppend('case-1', [event!], 'no_stream', null, new Map());
    if (plan.kind !== 'write') throw new Error('expected a write');
    const planned = plan.events[0]!;
    // The values alone (copies parsed back from the texts), not the texts: the hash must be the same.
    const withoutTexts = { id: event!.id, type: event!.type, schemaVersion: event!.schemaVersion, data: event!.data, metadata: event!.metadata };
    expect(withoutTexts.data).toEqual({ a: 'x', b: [1, { d: '1970-01-01T00:00:00.000Z' }] });
    expect(planned.metadata.hash).toBe(computeEventHash({ ...withoutTexts, stream: 'case-1', revision: 0n }, null));
    expect(planned.hash).toBe(planned.metadata.hash);
    const [row] = JSON.parse(rowsJson(plan.events)) as Record<string, unknown>[];
    expect(row).toEqual({ stream_revision: '0', event_id: planned.id, type: 'T', schema_version: 1, data: planned.data, metadata: planned.metadata });
  });
});
