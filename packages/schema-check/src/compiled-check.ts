/**
 * A structural check compiled once from a contract's zod schema: the consumer's hot path
 * (ADR 0005). zod 4 builds a fresh output object for every parse and runs its checks through
 * generic machinery; for a JSON value just parsed from Kafka bytes, which nobody else holds, a
 * yes/no answer is enough when the answer is yes, because zod's output would then equal the
 * input. So:
 *
 * - `compileCheck(schema)` returns a predicate, or `null` when the schema uses anything this
 *   compiler does not know (transforms, unions that are not discriminated, intersections,
 *   records whose keys are checked or an enum …): that schema is always parsed by zod.
 * - The predicate is true only for values zod certainly accepts *and* returns unchanged (no
 *   unknown keys to strip). Every other value, valid or not, goes to zod, which decides and
 *   names every issue. It never accepts more than zod: every check it compiles is zod's own
 *   (the same patterns, taken from the schema, the same bounds).
 */
import type { z } from 'zod';
import { Unsupported, type CheckDef, type Def, type Schema } from './zod-def.ts';

type Check = (value: unknown) => boolean;

/** String formats zod 4 checks with their pattern alone. */
const PATTERN_FORMATS = new Set(['regex', 'datetime', 'date', 'time', 'uuid', 'guid']);

/** A global or sticky pattern keeps state between tests: left to zod. */
function patternOf(pattern: unknown): RegExp {
  if (!(pattern instanceof RegExp) || pattern.global || pattern.sticky) throw new Unsupported('pattern');
  return pattern;
}

function lengthCheck(def: CheckDef): ((length: number) => boolean) | null {
  switch (def.check) {
    case 'min_length':
      return (n) => n >= def.minimum!;
    case 'max_length':
      return (n) => n <= def.maximum!;
    case 'length_equals':
      return (n) => n === def.length!;
    default:
      return null;
  }
}

function stringCheck(def: Def): Check {
  // Folded into one length range and a list of patterns: this runs for every string received.
  let min = 0;
  let max = Number.POSITIVE_INFINITY;
  const patterns: RegExp[] = [];
  // Refinements, and overwrites (`.trim()`, `.toLowerCase()`) that must leave the value as it is.
  const tests: Check[] = [];
  // A format schema (z.iso.datetime(), z.uuid()) is itself a check.
  if (def.format !== undefined) {
    if (!PATTERN_FORMATS.has(def.format)) throw new Unsupported(def.format);
    patterns.push(patternOf(def.pattern));
  }
  for (const { _zod } of def.checks ?? []) {
    const c = _zod.def;
    // zod guards its length checks with `when` (the value is not nullish and has a length):
    // true here, where the value is a string.
    if (c.check === 'min_length') min = Math.max(min, c.minimum!);
    else if (c.check === 'max_length') max = Math.min(max, c.maximum!);
    else if (c.check === 'length_equals') {
      min = Math.max(min, c.length!);
      max = Math.min(max, c.length!);
    } else if (c.check === 'string_format' && c.when === undefined && PATTERN_FORMATS.has(c.format ?? '')) patterns.push(patternOf(c.pattern));
    else if (c.check === 'overwrite' && typeof c.tx === 'function') {
      // zod replaces the value with `tx(value)`: unchanged only where that is the value itself.
      const tx = c.tx;
      tests.push((value) => tx(value) === value);
    } else tests.push(refinementOf(c));
  }
  if (tests.length > 0) {
    const shape = stringShape(min, max, patterns);
    return (value) => shape(value) && tests.every((test) => test(value));
  }
  return stringShape(min, max, patterns);
}

function stringShape(min: number, max: number, patterns: readonly RegExp[]): Check {
  const [first, ...rest] = patterns;
  if (!first) return (value) => typeof value === 'string' && value.length >= min && value.length <= max;
  if (rest.length === 0) return (value) => typeof value === 'string' && value.length >= min && value.length <= max && first.test(value);
  return (value) => typeof value === 'string' && value.length >= min && value.length <= max && patterns.every((p) => p.test(value));
}

function numberCheck(def: Def): Check {
  const tests: ((n: number) => boolean)[] = [];
  // z.int() is a format schema, itself a check.
  if (def.format !== undefined) {
    if (def.format !== 'safeint') throw new Unsupported(def.format);
    tests.push((n) => Number.isSafeInteger(n));
  }
  for (const { _zod } of def.checks ?? []) {
    const c = _zod.def;
    if (c.when !== undefined) throw new Unsupported('conditional check');
    if (c.check === 'number_format' && c.format === 'safeint') tests.push((n) => Number.isSafeInteger(n));
    else if (c.check === 'greater_than') tests.push(c.inclusive ? (n) => n >= c.value! : (n) => n > c.value!);
    else if (c.check === 'less_than') tests.push(c.inclusive ? (n) => n <= c.value! : (n) => n < c.value!);
    else throw new Unsupported(c.check);
  }
  return (value) => typeof value === 'number' && Number.isFinite(value) && tests.every((test) => test(value));
}

/**
 * A `.refine()` (on an object or a string) or a `z.custom()`: zod calls its function with the parsed
 * value and fails the value when the answer is falsy. Here only a plain `true` passes: a promise (an async refinement) or a throw
 * leaves the value to zod, which then answers (or throws) as it would have.
 */
function refinementOf(def: CheckDef): Check {
  if (def.check !== 'custom' || def.when !== undefined || typeof def.fn !== 'function') throw new Unsupported(`check ${def.check}`);
  const fn = def.fn;
  return (value) => {
    try {
      return fn(value) === true;
    } catch {
      return false;
    }
  };
}

/**
 * `z.discriminatedUnion`: zod picks the one option whose discriminator values hold the value's
 * discriminator and parses with it alone, so the compiled check of that option answers for the
 * union. A plain `z.union` (first option that parses wins) or one with `unionFallback` is left to zod.
 */
function discriminatedUnionCheck(def: Def, ordered: boolean): Check {
  const key = def.discriminator;
  if (typeof key !== 'string' || def.unionFallback) throw new Unsupported('union');
  const byValue = new Map<unknown, Check>();
  for (const option of def.options ?? []) {
    const values = option._zod.propValues?.[key];
    if (!values || values.size === 0) throw new Unsupported('union option without discriminator values');
    const check = compile(option, ordered);
    for (const value of values) {
      if (value === undefined || byValue.has(value)) throw new Unsupported('union discriminator');
      byValue.set(value, check);
    }
  }
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const check = byValue.get((value as Record<string, unknown>)[key]);
    return check !== undefined && check(value);
  };
}

function compile(schema: Schema, ordered: boolean): Check {
  const def = schema._zod.def;
  switch (def.type) {
    case 'string':
      return stringCheck(def);
    case 'number':
      return numberCheck(def);
    case 'boolean':
      if (def.checks?.length) throw new Unsupported('boolean checks');
      return (value) => typeof value === 'boolean';
    case 'null':
      return (value) => value === null;
    case 'unknown':
    case 'any':
      return () => true;
    case 'enum':
    case 'literal': {
      const values = schema._zod.values;
      if (!values || def.checks?.length) throw new Unsupported(def.type);
      return (value) => values.has(value);
    }
    case 'nullable': {
      const inner = compile(def.innerType!, ordered);
      return (value) => value === null || inner(value);
    }
    case 'optional': {
      const inner = compile(def.innerType!, ordered);
      return (value) => value === undefined || inner(value);
    }
    case 'array': {
      const element = compile(def.element!, ordered);
      const lengths = (def.checks ?? []).map(({ _zod }) => {
        const length = lengthCheck(_zod.def); // its `when` guard holds for an array
        if (!length) throw new Unsupported(`array ${_zod.def.check}`);
        return length;
      });
      return (value) => {
        if (!Array.isArray(value) || !lengths.every((ok) => ok(value.length))) return false;
        for (const item of value) if (!element(item)) return false;
        return true;
      };
    }
    case 'union':
      return discriminatedUnionCheck(def, ordered);
    case 'default': {
      // Absent, zod fills the default in (a changed value): only a value present can pass.
      const inner = compile(def.innerType!, ordered);
      return (value) => value !== undefined && inner(value);
    }
    case 'pipe': {
      // zod parses with `in` and hands its output to `out`: both unchanged, the value is. A transform is opaque.
      if (def.out!._zod.def.type === 'transform') throw new Unsupported('transform');
      const first = compile(def.in!, ordered);
      const then = compile(def.out!, ordered);
      return (value) => first(value) && then(value);
    }
    case 'record': {
      // Only string keys without checks: zod then keeps every key, as it is. A key schema of an enum or
      // literals makes the record exhaustive, and a checked or transformed key is left to zod.
      const keyDef = def.keyType?._zod.def;
      if (!keyDef || keyDef.type !== 'string' || keyDef.checks?.length || def.checks?.length) throw new Unsupported('record key');
      const valueOf = compile(def.valueType!, ordered);
      return (value) => {
        if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return false;
        // zod assigns each key to a new object: an own `__proto__` key would set its prototype instead.
        if (Object.hasOwn(value, '__proto__')) return false;
        for (const item of Object.values(value)) if (!valueOf(item)) return false;
        return true;
      };
    }
    case 'custom':
      if (def.checks?.length) throw new Unsupported('custom with checks');
      return refinementOf(def as unknown as CheckDef);
    case 'object': {
      const refinements = (def.checks ?? []).map(({ _zod }) => refinementOf(_zod.def));
      // Unknown keys: a loose object keeps them (catchall unknown); a strict or stripping one would
      // not return the input unchanged, so a value with unknown keys goes to zod.
      const loose = def.catchall?._zod.def.type === 'unknown';
      if (def.catchall && !loose) {
        if (def.catchall._zod.def.type !== 'never') throw new Unsupported('catchall');
      }
      const members = Object.entries(def.shape!).map(([key, member]) => ({
        key,
        check: compile(member, ordered),
        optional: member._zod.def.type === 'optional',
      }));
      const rank = new Map(members.map((m, i) => [m.key, i]));
      const count = members.length;
      return (value) => {
        if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return false;
        const record = value as Record<string, unknown>;
        let present = 0;
        for (let i = 0; i < count; i++) {
          const { key, check, optional } = members[i]!;
          const member = record[key];
          if (member === undefined) {
            if (!optional || key in record) return false;
          } else if (check(member)) present += 1;
          else return false;
        }
        if (ordered) {
          let previous = -1;
          for (const key in record) {
            const at = rank.get(key);
            if (at === undefined || at < previous) return false;
            previous = at;
          }
        } else if (!loose && Object.keys(record).length !== present) {
          // Keys beyond the members: a loose object keeps them; any other would strip them.
          return false;
        }
        // zod runs an object's refinements on its output, which here equals the value.
        for (const refined of refinements) if (!refined(record)) return false;
        return true;
      };
    }
    default:
      throw new Unsupported(def.type);
  }
}

/**
 * The compiled predicate of a schema, or null when it uses what this compiler does not know.
 * `ordered`: also require every object's keys in the schema's order, so that `JSON.stringify`
 * of the value gives the very bytes it gives for zod's output (what a producer sends).
 */
export function compileCheck(schema: z.ZodType, options: { readonly ordered?: boolean } = {}): Check | null {
  try {
    return compile(schema as unknown as Schema, options.ordered ?? false);
  } catch (error) {
    if (error instanceof Unsupported) return null;
    throw error;
  }
}
