/**
 * Hostile requests and the one rule they must all meet. A request is an
 * attack on one discovered route: a body (random JSON, wrong types,
 * `__proto__` / `constructor` pollution keys, deep nesting, huge strings,
 * invalid JSON, a schema-shaped body with one field broken), a content type
 * (often the wrong one) and a caller (a valid token of any role).
 *
 * The rule (`checkRefusal`): never a 5xx; every 4xx is problem+json whose
 * `status` matches; and a refused request stores nothing (the event store's
 * head has not moved, and no stored event carries the request's correlation id).
 */
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { ROLES, type Role } from '@govsvc/service-kit/principal';
import type { JsonSchema, Route } from './routes.ts';
import { urlOf } from './routes.ts';
import type { System } from './system.ts';

/** One attack, as sent; printable, so a failure names its exact reproduction. */
export interface Attack {
  readonly label: string;
  readonly role: Role;
  readonly contentType: string | undefined;
  /** The raw body text; undefined sends no body. */
  readonly body: string | undefined;
  readonly params: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
}

const BODY_LIMIT = 1024 * 1024;

function nested(depth: number): string {
  return `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;
}

/** Fixed attacks every route meets at least once (the sweep); the property adds random ones. */
export function fixedBodies(route: Route): { label: string; body: string | undefined; contentType: string | undefined }[] {
  const valid = route.body === undefined ? '{}' : JSON.stringify(sampleValid(route.body));
  return [
    { label: 'proto-pollution', body: `{"__proto__":{"isAdmin":true,"status":"accepted"}}`, contentType: 'application/json' },
    { label: 'proto-pollution-in-valid', body: valid.replace(/^\{/, '{"__proto__":{"polluted":1},').replace(',}', '}'), contentType: 'application/json' },
    { label: 'constructor-pollution', body: `{"constructor":{"prototype":{"isAdmin":true}}}`, contentType: 'application/json' },
    { label: 'deep-nesting-5000', body: nested(5_000), contentType: 'application/json' },
    { label: 'huge-string-over-limit', body: JSON.stringify({ a: 'x'.repeat(BODY_LIMIT + 10) }), contentType: 'application/json' },
    { label: 'huge-string-under-limit', body: JSON.stringify({ a: '中'.repeat(200_000) }), contentType: 'application/json' },
    { label: 'wrong-types', body: JSON.stringify(wrongTypes(route.body)), contentType: 'application/json' },
    { label: 'json-array', body: '[1,2,3]', contentType: 'application/json' },
    { label: 'json-scalar', body: '"text"', contentType: 'application/json' },
    { label: 'invalid-json', body: '{"a":', contentType: 'application/json' },
    { label: 'text-plain', body: valid, contentType: 'text/plain' },
    { label: 'form-urlencoded', body: 'status=accepted&decision=granted', contentType: 'application/x-www-form-urlencoded' },
    { label: 'utf16-charset', body: valid, contentType: 'application/json; charset=utf-16' },
    { label: 'no-content-type', body: valid, contentType: undefined },
  ];
}

/** A body that satisfies the schema as well as a blind generator can (enums, types, required fields). */
export function sampleValid(schema: JsonSchema | undefined, depth = 0): unknown {
  if (schema === undefined || depth > 6) return {};
  if (schema.enum !== undefined && schema.enum.length > 0) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives !== undefined && alternatives.length > 0) return sampleValid(alternatives[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) out[key] = sampleValid(schema.properties?.[key], depth + 1);
      return out;
    }
    case 'array':
      return [];
    case 'string':
      return schema.format === 'date-time' ? '2026-11-26T10:00:00+08:00' : schema.format === 'date' ? '2026-11-26' : 'x';
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return {};
  }
}

/** Every declared property with a value of the wrong JSON type. */
function wrongTypes(schema: JsonSchema | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(schema?.properties ?? {})) {
    const type = Array.isArray(property.type) ? property.type[0] : property.type;
    out[key] = type === 'string' ? 12345 : type === 'number' || type === 'integer' ? 'NaN' : type === 'boolean' ? 'yes' : type === 'array' ? { not: 'an array' } : 'not an object';
  }
  return out;
}

const pollutionKey = fc.constantFrom('__proto__', 'constructor', 'prototype', '__defineGetter__', 'toString', 'hasOwnProperty');

/** Random JSON text with pollution keys spliced in (JSON.stringify would drop a literal `__proto__`). */
const hostileJson: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc
    .tuple(pollutionKey, fc.jsonValue({ maxDepth: 2 }), fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }))
    .map(([key, value, rest]) => {
      const tail = JSON.stringify(rest).slice(1);
      return `{${JSON.stringify(key)}:${JSON.stringify(value)}${tail === '}' ? '}' : `,${tail}`}`;
    }),
  fc.integer({ min: 1, max: 3_000 }).map(nested),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.integer({ min: 1, max: 300_000 }).map((n) => JSON.stringify({ text: 'a'.repeat(n) })),
);

/** A schema-shaped body with one field replaced by something hostile, or one unknown field added. */
function brokenValid(route: Route): fc.Arbitrary<string> {
  const base = (sampleValid(route.body) ?? {}) as Record<string, unknown>;
  const keys = [...Object.keys(route.body?.properties ?? {}), 'status', 'decision', 'deadline', '__proto__'];
  return fc.tuple(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 3 })).map(([key, value]) => {
    if (key === '__proto__') return JSON.stringify(base).replace(/^\{/, `{"__proto__":${JSON.stringify(value)},`).replace(',}', '}');
    return JSON.stringify({ ...base, [key]: value });
  });
}

const contentTypes = fc.constantFrom<string | undefined>(
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  undefined,
);

const paramValue = fc.oneof(
  fc.uuid(),
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.constantFrom('..%2F..%2Fetc%2Fpasswd', '__proto__', 'constructor', '0', '-1', '%00', "' OR 1=1 --", 'a'.repeat(300)),
);

/** A random attack on `route`, with any role (mostly one the route allows, so validation is reached). */
export function attackArbitrary(route: Route): fc.Arbitrary<Attack> {
  const role = route.roles.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...route.roles) }, { weight: 1, arbitrary: fc.constantFrom(...ROLES) }) : fc.constantFrom(...ROLES);
  const body = route.method === 'GET' || route.method === 'DELETE' ? fc.constant(undefined) : fc.oneof(hostileJson, brokenValid(route));
  const params = fc.record(Object.fromEntries(route.pathParams.map((p) => [p, paramValue] as const)));
  const query = fc.dictionary(fc.constantFrom(...route.queryParams.map((q) => q.name), 'status', '__proto__', 'limit'), fc.string({ maxLength: 30 }), { maxKeys: 3 });
  return fc.record({ role, contentType: contentTypes, body, params, query }).map((a) => ({ label: 'random', ...a, body: a.body }));
}

export interface Outcome {
  readonly status: number;
  /** Why the outcome breaks the rule; undefined when it holds. */
  readonly violation?: string;
}

let sequence = 0;

/** Sends `attack` to `route` and checks the rule. A 2xx is allowed (the body may happen to be valid); the system is settled after it. */
export async function sendAttack(system: System, route: Route, attack: Attack): Promise<Outcome> {
  const correlationId = `fuzz-${process.pid}-${++sequence}`;
  const headBefore = await system.store.headPosition();
  const headers: Record<string, string> = { authorization: `Bearer ${await system.token(attack.role)}`, 'x-correlation-id': correlationId };
  if (attack.contentType !== undefined) headers['content-type'] = attack.contentType;
  const res = await system.app.inject({
    method: route.method,
    url: urlOf(route, attack.params, attack.query),
    headers,
    ...(attack.body !== undefined && { payload: attack.body }),
  });
  const violation = await checkRefusal(system, res, headBefore, correlationId);
  if (res.statusCode < 300) await system.settle(30);
  return { status: res.statusCode, ...(violation !== undefined && { violation }) };
}

/** The rule for one response; returns what broke it, or undefined. */
export async function checkRefusal(system: Pick<System, 'store'>, res: LightMyRequestResponse, headBefore: bigint, correlationId: string): Promise<string | undefined> {
  if (res.statusCode >= 500) return `${res.statusCode} (server error): ${res.body.slice(0, 300)}`;
  if (res.statusCode < 400) return undefined;
  if (!String(res.headers['content-type'] ?? '').startsWith('application/problem+json')) return `${res.statusCode} without problem+json (${String(res.headers['content-type'])})`;
  let problem: { status?: unknown };
  try {
    problem = JSON.parse(res.body) as { status?: unknown };
  } catch {
    return `${res.statusCode} with an unparseable problem body`;
  }
  if (problem.status !== res.statusCode) return `problem status ${String(problem.status)} ≠ HTTP ${res.statusCode}`;
  const headAfter = await system.store.headPosition();
  if (headAfter !== headBefore) {
    const appended = await system.store.readAll({ after: headBefore });
    const mine = appended.filter((e) => e.metadata.correlationId === correlationId);
    if (mine.length > 0) return `refused with ${res.statusCode} but stored ${mine.map((e) => `${e.stream}:${e.type}`).join(', ')}`;
    return `refused with ${res.statusCode} but the store head moved ${headBefore} → ${headAfter}`;
  }
  return undefined;
}

/** A one-line reproduction of an attack for reports. */
export function reproduction(route: Route, attack: Attack): string {
  const body = attack.body === undefined ? '' : ` body=${attack.body.length > 200 ? `${attack.body.slice(0, 200)}…(${attack.body.length} chars)` : attack.body}`;
  return `${route.method} ${urlOf(route, attack.params, attack.query)} as ${attack.role} content-type=${attack.contentType ?? '(none)'}${body}`;
}
