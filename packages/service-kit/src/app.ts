/**
 * The app factory every service is built with. `buildApp` returns a fastify
 * instance that does not listen (see `listen.ts`), so tests drive it with
 * `app.inject` and the standalone composition can mount several services.
 *
 * What every app gets, before any service route:
 * - zod type provider with zod validator and serializer compilers;
 * - limits on by default: body size (overridable per route with `bodyLimit`),
 *   request, handler, connection and keep-alive timeouts;
 * - request schemas that refuse unknown fields (`z.strictObject`; enforced at
 *   route registration, see `schema-policy.ts`) and JSON bodies only (415 otherwise);
 * - correlation ids, problem+json errors, JWT auth with per-route roles
 *   (secure by default, see `auth.ts`), `/health/live`, `/health/ready`,
 *   `/metrics` and `/docs/json`.
 *
 * Services add encapsulated route plugins: `app.register(casesRoutes, { prefix: '/cases' })`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DestinationStream, Logger } from 'pino';
import { authPlugin } from './auth.ts';
import { audienceOf, type BaseConfig } from './config.ts';
import { CORRELATION_HEADER, correlationIdOf, correlationPlugin } from './correlation.ts';
import { healthPlugin } from './health.ts';
import { createLogger } from './logging.ts';
import { metricsPlugin } from './metrics.ts';
import { openapiPlugin } from './openapi.ts';
import { problemErrorHandler, problemPlugin } from './problem.ts';
import { assertStrictRequestSchemas } from './schema-policy.ts';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.ts';

/** The fastify instance type services program against. */
export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

/** Protective limits; fastify leaves the timeouts off unless told. */
export interface HttpLimits {
  /** Largest accepted request body; a route may set its own `bodyLimit`. */
  readonly bodyLimitBytes: number;
  /** Time to receive the whole request (headers and body) from the client. */
  readonly requestTimeoutMs: number;
  /** Time from routing to the reply being sent; past it the caller gets 503 and `request.signal` aborts. */
  readonly handlerTimeoutMs: number;
  /** Socket inactivity timeout. */
  readonly connectionTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  readonly keepAliveTimeoutMs: number;
}

export const DEFAULT_LIMITS: HttpLimits = {
  bodyLimitBytes: 1024 * 1024,
  requestTimeoutMs: 30_000,
  handlerTimeoutMs: 25_000,
  connectionTimeoutMs: 60_000,
  keepAliveTimeoutMs: 72_000,
};

/** Collaborators with I/O or secrets, built by the service's `server.ts` (or a test). */
export interface AppDeps {
  readonly logger: Logger;
  readonly tokenVerifier: TokenVerifier;
}

export interface AppOptions {
  /** The service's name: the token audience, WWW-Authenticate realm, metrics label and OpenAPI title. */
  readonly serviceName: string;
  readonly version: string;
  readonly description?: string;
  readonly limits?: Partial<HttpLimits>;
  readonly readinessTimeoutMs?: number;
  /** Process metrics in `/metrics`; on by default. */
  readonly defaultMetrics?: boolean;
}

/** Builds a ready-to-extend app. Register routes on the result, then `listen` (or `inject`). */
export async function buildApp(deps: AppDeps, options: AppOptions): Promise<App> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId: correlationIdOf,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'correlationId' }),
    bodyLimit: limits.bodyLimitBytes,
    requestTimeout: limits.requestTimeoutMs,
    handlerTimeout: limits.handlerTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // During shutdown, requests on kept-alive sockets get 503 problem+json
    // and idle sockets are closed, so draining ends when in-flight requests do.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    frameworkErrors: (error, request, reply) => {
      reply.header(CORRELATION_HEADER, request.id);
      problemErrorHandler(error, request, reply);
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON APIs only: anything but application/json is answered with 415.
  app.removeContentTypeParser('text/plain');

  await app.register(correlationPlugin);
  await app.register(problemPlugin, { realm: options.serviceName });
  app.addHook('onRoute', (route) => assertStrictRequestSchemas(route));
  await app.register(authPlugin, { verifier: deps.tokenVerifier });
  await app.register(openapiPlugin, {
    title: options.serviceName,
    version: options.version,
    ...(options.description !== undefined && { description: options.description }),
  });
  await app.register(metricsPlugin, {
    serviceName: options.serviceName,
    ...(options.defaultMetrics !== undefined && { defaultMetrics: options.defaultMetrics }),
  });
  await app.register(healthPlugin, { readinessTimeoutMs: options.readinessTimeoutMs ?? 1_000 });
  return app as unknown as App;
}

/** App options from the parsed base configuration. */
export function appOptionsFromConfig(config: BaseConfig): AppOptions {
  return {
    serviceName: config.SERVICE_NAME,
    version: config.SERVICE_VERSION,
    readinessTimeoutMs: config.READINESS_TIMEOUT_MS,
    limits: {
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
      handlerTimeoutMs: config.HANDLER_TIMEOUT_MS,
      connectionTimeoutMs: config.CONNECTION_TIMEOUT_MS,
      keepAliveTimeoutMs: config.KEEP_ALIVE_TIMEOUT_MS,
    },
  };
}

/** The logger and token verifier from the parsed base configuration. */
export async function appDepsFromConfig(config: BaseConfig, logDestination?: DestinationStream): Promise<AppDeps> {
  return {
    logger: createLogger({ serviceName: config.SERVICE_NAME, level: config.LOG_LEVEL }, logDestination),
    tokenVerifier: await createTokenVerifier({
      issuer: config.JWT_ISSUER,
      audience: audienceOf(config),
      algorithms: config.JWT_ALGORITHMS,
      keys: config.JWT_PUBLIC_KEYS.keys,
      clockToleranceSeconds: config.JWT_CLOCK_TOLERANCE_SECONDS,
    }),
  };
}
