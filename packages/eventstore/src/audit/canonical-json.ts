/**
 * Canonical JSON for hashing: object keys sorted by UTF-16 code units, no
 * whitespace, numbers in ECMAScript's shortest round-trip form (the JSON
 * Canonicalization Scheme, RFC 8785), plus one extension: a bigint is written
 * as a JSON string, so revisions hash the same whatever the driver returns.
 *
 * The input must already be JSON-shaped (see `normalizeJson`): a hash must not
 * depend on how a value happened to be built in memory.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold ${value}`);
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      // Plain loops rather than entries/filter/map/join: this runs for every event appended (ADR 0005).
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          out += (i === 0 ? '' : ',') + (item === undefined ? 'null' : canonicalJson(item));
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      // The default sort compares UTF-16 code units, as RFC 8785 asks.
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(member)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

/**
 * `canonicalJson` of the copy `toPlainJson` (validation.ts) would make of `value`, in one walk
 * of the caller's own object and without making the copy: strings must be well-formed text
 * without NUL (`isCleanText`), numbers finite, objects plain (or a valid Date, written as its
 * ISO string); `undefined` members are left out and `undefined` array items written as null.
 * Returns undefined for anything else, or deeper than 256 levels (a cycle): the caller then
 * takes the explaining path, which names the offending field. The append hot path hashes and
 * stores this text (ADR 0006), so it must agree with `canonicalJson(toPlainJson(value))` for
 * every value it accepts (property test in canonical-json.unit.spec.ts).
 */
export function canonicalJsonOfPlain(value: unknown, isCleanText: (text: string) => boolean): string | undefined {
  const copy = sortedCopy(value, isCleanText, 0);
  if (copy === REFUSED) return undefined;
  // Keys JSON.stringify would not keep in insertion order: the walk writes the text itself.
  if (copy === ASIDE) return canonicalWalk(value, isCleanText, 0);
  return JSON.stringify(copy);
}

const REFUSED = Symbol('not plain JSON');
const ASIDE = Symbol('keys JSON.stringify reorders');

/**
 * The fast way to canonicalJsonOfPlain's text: a copy of `value` whose objects have their keys
 * inserted in canonical order, which the native JSON.stringify then writes as one flat string
 * (`value` itself is rarely sorted). It checks exactly what the walk below checks. An object
 * with a key that looks like an array index (JSON.stringify writes those first, whatever the
 * insertion order) or `__proto__` (an assignment would set the prototype) is ASIDE. Against the
 * walk: 5 against 12 µs and far less garbage for an application's data here.
 */
function sortedCopy(value: unknown, isCleanText: (text: string) => boolean, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return isCleanText(value) ? value : REFUSED;
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : REFUSED;
    case 'object': {
      if (value === null) return null;
      if (depth > 256) return REFUSED;
      if (Array.isArray(value)) {
        const out: unknown[] = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined) {
            out[i] = null;
            continue;
          }
          const copy = sortedCopy(item, isCleanText, depth + 1);
          if (copy === REFUSED || copy === ASIDE) return copy;
          out[i] = copy;
        }
        return out;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto === Date.prototype) {
        const date = value as Date;
        return !Object.hasOwn(date, 'toJSON') && !Number.isNaN(date.getTime()) ? date.toISOString() : REFUSED;
      }
      if (proto !== Object.prototype && proto !== null) return REFUSED;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      const out: Record<string, unknown> = {};
      let aside = false;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        if (!isCleanText(key)) return REFUSED;
        const first = key.charCodeAt(0);
        if ((first >= 48 && first <= 57) || key === '__proto__') aside = true; // '0'..'9'
        const copy = sortedCopy(member, isCleanText, depth + 1);
        if (copy === REFUSED) return REFUSED;
        if (copy === ASIDE) aside = true;
        else if (!aside) out[key] = copy;
      }
      return aside ? ASIDE : out;
    }
    default:
      return REFUSED;
  }
}

// Its array and object loops repeat canonicalJson's on purpose: sharing them through callbacks
// cost 70% more time per event here (21 against 12 µs for an application's data).
function canonicalWalk(value: unknown, isCleanText: (text: string) => boolean, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return isCleanText(value) ? JSON.stringify(value) : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : undefined;
    case 'object': {
      if (value === null) return 'null';
      if (depth > 256) return undefined;
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          const text = item === undefined ? 'null' : canonicalWalk(item, isCleanText, depth + 1);
          if (text === undefined) return undefined;
          out += (i === 0 ? '' : ',') + text;
        }
        return `${out}]`;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto === Date.prototype) {
        const date = value as Date;
        return !Object.hasOwn(date, 'toJSON') && !Number.isNaN(date.getTime()) ? JSON.stringify(date.toISOString()) : undefined;
      }
      if (proto !== Object.prototype && proto !== null) return undefined;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        if (!isCleanText(key)) return undefined;
        const text = canonicalWalk(member, isCleanText, depth + 1);
        if (text === undefined) return undefined;
        out += `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      return undefined;
  }
}
