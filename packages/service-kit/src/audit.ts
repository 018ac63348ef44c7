/**
 * Auditing of denied access. A service that answers 404 because the case
 * exists but belongs to someone else (another applicant, another
 * department) must not tell the caller so, but must tell the operators: it
 * calls `auditDeniedAccess(request, resource)` just before refusing. That
 * writes one structured warn line (`audit: 'access-denied'`, masked like every
 * log line: ID and mobile numbers never appear whole) and counts
 * `access_denied_total{service, resource, route}` on the app's registry, so
 * an alert can fire on someone walking through other people's cases.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter } from 'prom-client';

export const ACCESS_DENIED_METRIC = 'access_denied_total';

/** What was asked for: a resource type (`case`, `application` …) and its id. */
export interface DeniedResource {
  readonly type: string;
  readonly id: string;
  /** Why, for the operators (e.g. `other-applicant`, `other-department`); never shown to the caller. */
  readonly reason?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Denied-access counter of this app (see `auditDeniedAccess`). */
    readonly accessDenied: Counter<'resource' | 'route'>;
  }
}

/** Records a denied attempt to reach `resource`: one masked audit log line and one count. */
export function auditDeniedAccess(request: FastifyRequest, resource: DeniedResource): void {
  const principal = request.principal;
  const route = request.routeOptions.url ?? '(unmatched)';
  request.log.warn(
    {
      audit: 'access-denied',
      resource: { type: resource.type, id: resource.id, ...(resource.reason !== undefined && { reason: resource.reason }) },
      principal:
        principal === null
          ? null
          : {
              subject: principal.subject,
              roles: principal.roles,
              ...(principal.department !== undefined && { department: principal.department }),
              ...(principal.centre !== undefined && { centre: principal.centre }),
              ...(principal.tokenId !== undefined && { tokenId: principal.tokenId }),
            },
      method: request.method,
      route,
      ip: request.ip,
    },
    'access denied',
  );
  request.server.accessDenied.inc({ resource: resource.type, route });
}

/** Registers the counter on the app's registry (`buildApp` does this). */
export const auditPlugin = fp(
  async (app) => {
    const counter = new Counter({
      name: ACCESS_DENIED_METRIC,
      help: 'Denied attempts to reach another caller\'s resource (answered 404), by resource type and route template',
      labelNames: ['resource', 'route'] as const,
      registers: [app.metrics],
    });
    app.decorate('accessDenied', counter);
  },
  { name: 'govsvc-audit', fastify: '5.x', dependencies: ['govsvc-metrics'] },
);
