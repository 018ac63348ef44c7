/**
 * Authentication and roles, secure by default. Every route declares who may
 * call it, in its route config:
 *
 *   app.post('/applications', { config: { roles: ['applicant', 'clerk'] }, schema }, handler)
 *   app.get('/health/live', { config: { public: true } }, handler)
 *
 * A route with neither is refused when it is registered, so an endpoint can
 * never ship open by omission. Non-public routes need a valid bearer token
 * (401 otherwise, with a WWW-Authenticate challenge) carrying one of the
 * allowed roles (403 otherwise). The token is checked in `onRequest`, before
 * the body is read, so anonymous callers cannot make the service parse bodies.
 */
import type { FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { AuthenticationError, ForbiddenError } from './auth-errors.ts';
import { isRole, ROLES, type Principal, type Role } from './principal.ts';
import type { TokenVerifier } from './token-verifier.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed to call the route (any one suffices). */
    roles?: readonly Role[];
    /** Marks a route callable without a token (health, metrics, docs). */
    public?: boolean;
  }
  interface FastifyRequest {
    /** The verified caller; null only on public routes. */
    principal: Principal | null;
  }
}

/** Route config allowing the given roles: `{ config: allow('clerk', 'chief') }`. */
export function allow(...roles: [Role, ...Role[]]): { roles: readonly Role[] } {
  return { roles };
}

/** Route config of a public route: `{ config: publicRoute }`. */
export const publicRoute: { readonly public: true } = { public: true };

function describe(route: Pick<RouteOptions, 'method' | 'url'>): string {
  const method = Array.isArray(route.method) ? route.method.join(',') : route.method;
  return `${method} ${route.url}`;
}

/**
 * Throws unless the route declares either `public: true` or a non-empty list
 * of known roles (and not both).
 */
export function assertRouteAccessDeclared(route: Pick<RouteOptions, 'method' | 'url' | 'config'>): void {
  const config = (route.config ?? {}) as { roles?: unknown; public?: unknown };
  const isPublic = config.public === true;
  if (config.public !== undefined && typeof config.public !== 'boolean') {
    throw new Error(`route ${describe(route)}: config.public must be a boolean`);
  }
  if (isPublic && config.roles !== undefined) {
    throw new Error(`route ${describe(route)}: declares both public: true and roles; choose one`);
  }
  if (isPublic) return;
  if (config.roles === undefined) {
    throw new Error(`route ${describe(route)} declares no access: add config.roles (one or more of ${ROLES.join(', ')}) or config.public: true`);
  }
  if (!Array.isArray(config.roles) || config.roles.length === 0) {
    throw new Error(`route ${describe(route)}: config.roles must be a non-empty array of roles`);
  }
  const unknown = config.roles.filter((r) => !isRole(r));
  if (unknown.length > 0) {
    throw new Error(`route ${describe(route)}: unknown roles ${unknown.map(String).join(', ')}; known roles are ${ROLES.join(', ')}`);
  }
}

const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i;

function bearerTokenOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (header === undefined || header === '') throw new AuthenticationError('a bearer token is required');
  const match = BEARER.exec(header.trim());
  if (match?.[1] === undefined) throw new AuthenticationError('the Authorization header must be "Bearer <JWT>"', 'invalid_request');
  return match[1];
}

/**
 * The verified principal of a request on a role-protected route. Throws 401
 * when called on a request that was not authenticated (a public route).
 */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new AuthenticationError('a bearer token is required');
  return request.principal;
}

export interface AuthPluginOptions {
  readonly verifier: TokenVerifier;
}

/** Enforces the access declaration of every route registered after it. */
export const authPlugin = fp<AuthPluginOptions>(
  async (app, { verifier }) => {
    app.decorateRequest('principal', null);
    app.addHook('onRoute', (route) => assertRouteAccessDeclared(route));
    app.addHook('onRequest', async (request) => {
      // Unknown routes answer 404 to everyone: there is nothing to protect.
      if (request.is404) return;
      const config = request.routeOptions.config;
      if (config.public === true) return;
      const allowed = config.roles ?? [];
      const principal = await verifier.verify(bearerTokenOf(request));
      request.principal = principal;
      if (!allowed.some((role) => principal.roles.includes(role))) throw new ForbiddenError(allowed);
    });
  },
  { name: 'govsvc-auth', fastify: '5.x', dependencies: ['govsvc-problem'] },
);
