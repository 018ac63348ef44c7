/**
 * Request schemas refuse unknown fields. zod's `z.object` silently strips
 * unknown keys, which would let a client believe a misspelled or invented
 * field was accepted; `z.strictObject` answers 400 naming the field. This
 * module checks, when a route is registered, that every object in its body
 * and querystring schema is strict, and that request schemas are zod (the
 * validator compiler only speaks zod).
 *
 * A route receiving third-party payloads whose senders add fields at will (a
 * carrier's webhook, R-COURIER-1) opts out with `config: { acceptUnknownFields: true }`.
 */
import type { RouteOptions } from 'fastify';
import { $ZodType } from 'zod/v4/core';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Accept (and strip) unknown body/querystring fields: only for payloads from third parties. */
    acceptUnknownFields?: boolean;
  }
}

interface ZodDef {
  type: string;
  [key: string]: unknown;
}

function defOf(schema: unknown): ZodDef | undefined {
  return schema instanceof $ZodType ? (schema._zod.def as unknown as ZodDef) : undefined;
}

/**
 * Paths (`$`, `$.applicant`, `$.materials[]` …) of every object in `schema`
 * that does not refuse unknown keys. Lazy schemas are not followed (they are
 * recursive by nature); their objects are the author's responsibility.
 */
export function looseObjectPaths(schema: unknown, path = '$', seen = new Set<unknown>()): string[] {
  const def = defOf(schema);
  if (def === undefined || seen.has(schema)) return [];
  seen.add(schema);
  const walk = (child: unknown, childPath: string) => looseObjectPaths(child, childPath, seen);
  switch (def.type) {
    case 'object': {
      const catchall = defOf(def.catchall);
      const own = catchall?.type === 'never' ? [] : [path];
      const shape = (def.shape ?? {}) as Record<string, unknown>;
      const nested = Object.entries(shape).flatMap(([key, child]) => walk(child, `${path}.${key}`));
      return [...own, ...nested, ...(catchall !== undefined && catchall.type !== 'never' ? walk(def.catchall, `${path}.*`) : [])];
    }
    case 'array':
      return walk(def.element, `${path}[]`);
    case 'tuple':
      return [...((def.items ?? []) as unknown[]).flatMap((item, i) => walk(item, `${path}[${i}]`)), ...(def.rest ? walk(def.rest, `${path}[]`) : [])];
    case 'union':
      return ((def.options ?? []) as unknown[]).flatMap((option) => walk(option, path));
    case 'intersection':
      return [...walk(def.left, path), ...walk(def.right, path)];
    case 'record':
      return walk(def.valueType, `${path}.*`);
    case 'pipe':
      return walk(def.in, path);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return walk(def.innerType, path);
    default:
      return [];
  }
}

const STRICT_PARTS = ['body', 'querystring'] as const;
const ZOD_PARTS = ['body', 'querystring', 'params', 'headers'] as const;

function describe(route: Pick<RouteOptions, 'method' | 'url'>): string {
  return `${Array.isArray(route.method) ? route.method.join(',') : route.method} ${route.url}`;
}

/**
 * Throws when a route's request schemas are not zod, or when its body or
 * querystring schema contains an object that accepts unknown keys (unless the
 * route opts out with `acceptUnknownFields`). The message lists every loose
 * object so the author can switch each to `z.strictObject`.
 */
export function assertStrictRequestSchemas(route: Pick<RouteOptions, 'method' | 'url' | 'schema' | 'config'>): void {
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  for (const part of ZOD_PARTS) {
    if (schema[part] !== undefined && defOf(schema[part]) === undefined) {
      throw new Error(`route ${describe(route)}: schema.${part} must be a zod schema`);
    }
  }
  const config = (route.config ?? {}) as { acceptUnknownFields?: unknown };
  if (config.acceptUnknownFields === true) return;
  const loose = STRICT_PARTS.flatMap((part) => looseObjectPaths(schema[part], part));
  if (loose.length > 0) {
    throw new Error(
      `route ${describe(route)}: request schemas must refuse unknown fields; use z.strictObject at ${loose.join(', ')}` +
        ' (or config.acceptUnknownFields: true for third-party payloads)',
    );
  }
}
