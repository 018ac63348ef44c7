/**
 * zod's output for a value its compiled check (`compileCheck(schema)`, unordered) already accepted:
 * the same value with every object's keys in the schema's order, as zod writes them. A producer
 * serializes what it sends with `JSON.stringify`, so the bytes must be those of zod's output;
 * data read back from PostgreSQL has its keys in jsonb's order (shorter first), and such data used
 * to go through a full zod parse only to be put back in order (issue 8).
 *
 * Only for values the unordered check accepted: it checks nothing itself. `null` for a schema the
 * compiler does not know (the caller parses with zod, as before).
 */
import type { z } from 'zod';
import { Unsupported, type Schema } from './zod-def.ts';

type Copy = (value: unknown) => unknown;

const same: Copy = (value) => value;

function copier(schema: Schema): Copy {
  const def = schema._zod.def;
  switch (def.type) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'null':
    case 'unknown':
    case 'any':
    case 'enum':
    case 'literal':
    case 'custom':
      return same;
    case 'nullable': {
      const inner = copier(def.innerType!);
      return inner === same ? same : (value) => (value === null ? null : inner(value));
    }
    case 'optional': {
      const inner = copier(def.innerType!);
      return inner === same ? same : (value) => (value === undefined ? undefined : inner(value));
    }
    case 'default':
      return copier(def.innerType!);
    case 'pipe': {
      if (def.out!._zod.def.type === 'transform') throw new Unsupported('transform');
      const first = copier(def.in!);
      const then = copier(def.out!);
      return (value) => then(first(value));
    }
    case 'array': {
      const element = copier(def.element!);
      return element === same ? same : (value) => (value as unknown[]).map(element);
    }
    case 'record': {
      const inner = copier(def.valueType!);
      // zod writes a record's keys in the input's order.
      return (value) => {
        const out: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(value as Record<string, unknown>)) out[key] = inner(item);
        return out;
      };
    }
    case 'union': {
      const key = def.discriminator;
      if (typeof key !== 'string') throw new Unsupported('union');
      const byValue = new Map<unknown, Copy>();
      for (const option of def.options ?? []) {
        const copy = copier(option);
        for (const value of option._zod.propValues?.[key] ?? []) byValue.set(value, copy);
      }
      return (value) => byValue.get((value as Record<string, unknown>)[key])!(value);
    }
    case 'object': {
      const members = Object.entries(def.shape!).map(([key, member]) => ({ key, copy: copier(member) }));
      // A loose object keeps keys beyond its members (an own `__proto__` among them would set a copy's
      // prototype): left to zod.
      if (def.catchall?._zod.def.type === 'unknown') throw new Unsupported('loose object');
      return (value) => {
        const record = value as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const { key, copy } of members) {
          const member = record[key];
          if (member !== undefined) out[key] = copy(member);
        }
        return out;
      };
    }
    default:
      throw new Unsupported(def.type);
  }
}

export function compileOrderedCopy(schema: z.ZodType): Copy | null {
  try {
    return copier(schema as unknown as Schema);
  } catch (error) {
    if (error instanceof Unsupported) return null;
    throw error;
  }
}
