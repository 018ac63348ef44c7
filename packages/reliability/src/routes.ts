/**
 * Every route of the mounted services, discovered from the app's own OpenAPI
 * document (`/docs/json`), so the attack rows cover a route the day it is
 * added, with the roles it declares (`x-roles`) and its request schema.
 */
import type { App } from '@govsvc/service-kit/app';
import { ROLES, type Role } from '@govsvc/service-kit/principal';

/** A JSON Schema fragment as the OpenAPI document gives it. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly [key: string]: unknown;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI path, e.g. `/intake/applications/{id}`. */
  readonly path: string;
  readonly service: string;
  readonly pathParams: readonly string[];
  /** Each path parameter's schema, to fill it with a value that passes validation. */
  readonly paramSchemas: Readonly<Record<string, JsonSchema>>;
  readonly queryParams: readonly { readonly name: string; readonly required: boolean }[];
  /** Roles allowed (`x-roles`); empty for a public route. */
  readonly roles: readonly Role[];
  /** The JSON body schema, when the route takes a body. */
  readonly body?: JsonSchema;
}

interface Operation {
  readonly parameters?: readonly { readonly in: string; readonly name: string; readonly required?: boolean; readonly schema?: JsonSchema }[];
  readonly requestBody?: { readonly content?: Readonly<Record<string, { readonly schema?: JsonSchema }>> };
  readonly 'x-roles'?: readonly string[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** The routes the app documents, in path order. */
export async function discoverRoutes(app: App): Promise<Route[]> {
  const res = await app.inject({ method: 'GET', url: '/docs/json' });
  if (res.statusCode !== 200) throw new Error(`/docs/json answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  const doc = res.json() as { paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>> };
  const routes: Route[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op === undefined) continue;
      const params = op.parameters ?? [];
      const body = op.requestBody?.content?.['application/json']?.schema;
      routes.push({
        method: method.toUpperCase() as Route['method'],
        path,
        service: path.split('/')[1] ?? '',
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        paramSchemas: Object.fromEntries(params.filter((p) => p.in === 'path').map((p) => [p.name, p.schema ?? {}])),
        queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, required: p.required === true })),
        roles: (op['x-roles'] ?? []).filter((r): r is Role => (ROLES as readonly string[]).includes(r)),
        ...(body !== undefined && { body }),
      });
    }
  }
  return routes.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

/** The URL of a route with its path parameters filled. */
export function urlOf(route: Route, params: Readonly<Record<string, string>> = {}, query?: Readonly<Record<string, string>>): string {
  const path = route.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? `unknown-${name}`));
  const qs = query === undefined ? '' : new URLSearchParams(query).toString();
  return qs === '' ? path : `${path}?${qs}`;
}

const PARAM_CANDIDATES = ['1', 'x', 'abc', 'sms', '2026.1', '2026', 'a1b2c3', 'slot-1', '00000000-0000-4000-8000-000000000001', '01120010000111010500000011110105MB1628895E01001', '011200100001', 'P-0001'];

/** A value for a path parameter that its schema accepts (preferring `preferred`), as far as a blind guess can tell. */
export function validParam(schema: JsonSchema, preferred?: string): string {
  const fits = (value: string) => {
    if (schema.enum !== undefined) return schema.enum.includes(value);
    if (schema.type === 'integer' || schema.type === 'number') return /^\d+$/.test(value);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) return false;
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) return false;
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return false;
    if (schema.format === 'uuid' && !/^[0-9a-f-]{36}$/.test(value)) return false;
    return true;
  };
  if (schema.enum !== undefined && schema.enum.length > 0) return String(schema.enum[0]);
  return [...(preferred === undefined ? [] : [preferred]), ...PARAM_CANDIDATES].find(fits) ?? preferred ?? 'x';
}

export const describeRoute = (route: Route): string => `${route.method} ${route.path}`;
