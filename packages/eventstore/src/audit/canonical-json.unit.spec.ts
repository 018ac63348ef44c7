import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeJson } from '../validation.ts';
import { canonicalJson } from './canonical-json.ts';

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
