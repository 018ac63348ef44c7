import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@govsvc/errors/errors';
import { normalizeJson, toPlainJson, validateNewEvents } from './validation.ts';

/** What the walk says about a value: its copy, or the issue it names. */
const outcome = (run: () => unknown) => {
  try {
    return { value: run() };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { issues: error.issues };
  }
};

class Money {
  constructor(readonly cents: number) {}
  toJSON() {
    return { cents: this.cents };
  }
}
const cyclic: Record<string, unknown> = { a: 1 };
cyclic['self'] = cyclic;

describe('toPlainJson: the hot path of normalizeJson (ADR 0005)', () => {
  const cases: [string, unknown][] = [
    ['nested plain JSON', { a: [1, 'x', null, true, { b: -0 }], c: { d: '中文' }, '10': 1, '9': 2 }],
    ['a Date and an undefined member', { at: new Date('2025-03-10T02:15:00Z'), gone: undefined, list: [undefined, 1] }],
    ['a Date at the top', new Date('2025-03-10T02:15:00Z')],
    ['an invalid Date', { at: new Date(Number.NaN) }],
    ['a class instance with toJSON', { money: new Money(5) }],
    ['a class instance', { map: new Map() }],
    ['a boxed string', { s: new String('x') }],
    ['a bigint', { n: 1n }],
    ['NaN', { n: Number.NaN }],
    ['Infinity in an array', [Number.POSITIVE_INFINITY]],
    ['a function', { f: () => 1 }],
    ['a NUL in a value', { s: 'a\u0000b' }],
    ['an unpaired surrogate in a value', { s: 'a\ud800b' }],
    ['an unpaired surrogate in a key', { ['k\udc00']: 1 }],
    ['a cycle', cyclic],
    ['undefined at the top', undefined],
    ['an object without prototype', Object.assign(Object.create(null) as object, { a: 1 })],
  ];
  it.each(cases)('%s: the same copy or the same issue as the walk', (_name, value) => {
    expect(outcome(() => toPlainJson(value, '/data'))).toEqual(outcome(() => normalizeJson(value, '/data')));
  });

  it('keeps a "__proto__" key as data, an own property of the copy, and never as its prototype (a case fast-check found)', () => {
    for (const value of [JSON.parse('{"__proto__": 0}'), JSON.parse('{"a": 1, "__proto__": {"polluted": true}}')] as Record<string, unknown>[]) {
      for (const copy of [toPlainJson(value, '/data'), normalizeJson(value, '/data')] as Record<string, unknown>[]) {
        expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
        expect(Object.hasOwn(copy, '__proto__')).toBe(true);
        expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
        expect((copy as { polluted?: unknown }).polluted).toBeUndefined();
      }
    }
  });

  it('property: any JSON-like value comes back as the walk returns it, a deep copy', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copy = toPlainJson(value, '');
        expect(copy).toEqual(normalizeJson(value, ''));
        if (typeof value === 'object' && value !== null) expect(copy).not.toBe(value);
      }),
    );
  });
});

describe('validateNewEvents: the hand-written check never lets through what the schema refuses', () => {
  const good = () => ({
    id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    type: 'ApplicationSubmitted',
    schemaVersion: 1,
    data: { a: 1 },
    metadata: { correlationId: 'c', actor: { id: 'u', role: 'clerk' } },
  });
  const broken: [string, (e: ReturnType<typeof good>) => unknown][] = [
    ['id not a UUID', (e) => ({ ...e, id: 'x' })],
    ['empty type', (e) => ({ ...e, type: '' })],
    ['type too long', (e) => ({ ...e, type: 'x'.repeat(201) })],
    ['fractional schema version', (e) => ({ ...e, schemaVersion: 1.5 })],
    ['schema version 0', (e) => ({ ...e, schemaVersion: 0 })],
    ['empty correlation id', (e) => ({ ...e, metadata: { ...e.metadata, correlationId: '' } })],
    ['actor without role', (e) => ({ ...e, metadata: { ...e.metadata, actor: { id: 'u' } } })],
    ['empty department', (e) => ({ ...e, metadata: { ...e.metadata, actor: { ...e.metadata.actor, department: '' } } })],
    ['caseId a number', (e) => ({ ...e, metadata: { ...e.metadata, caseId: 7 } })],
    ['metadata an array', (e) => ({ ...e, metadata: [] })],
  ];
  it('accepts a valid event', () => {
    expect(validateNewEvents('application-1', [good() as never])).toHaveLength(1);
  });
  it.each(broken)('refuses %s with a field issue', (_name, breakIt) => {
    expect(() => validateNewEvents('application-1', [breakIt(good()) as never])).toThrow(ValidationError);
  });
});
