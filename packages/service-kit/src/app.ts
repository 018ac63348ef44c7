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
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyServerOptions, type FastifyInstance, type RawServerDefault } from 'fastify';
import { serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DestinationStream, Logger } from 'pino';
import { auditPlugin } from './audit.ts';
import { authPlugin } from './auth.ts';
import { audienceOf, type BaseConfig } from './config.ts';
import { CORRELATION_HEADER, correlationIdOf, correlationPlugin } from './correlation.ts';
import { installHandlerDeadline } from './handler-deadline.ts';
import { healthPlugin } from './health.ts';
import { createLogger, lazyChildLoggerFactory } from './logging.ts';
import { metricsPlugin } from './metrics.ts';
import { openapiPlugin } from './openapi.ts';
import { PROBLEM_CONTENT_TYPE, problemErrorHandler, problemPlugin, problemType } from './problem.ts';
import { InMemoryRateLimitStore, rateLimitCounters, rateLimitHooks, type RateLimitOptions, type RateLimitStore } from './rate-limit.ts';
import { checkedValidatorCompiler } from './request-validation.ts';
import { assertStrictRequestSchemas } from './schema-policy.ts';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.ts';

/** The fastify instance type services program against. */
export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

/** Protective limits; fastify leaves the timeouts off unless told. */
export interface HttpLimits {
  /** Largest accepted request body; a route may set its own `bodyLimit`. */
  readonly bodyLimitBytes: number;
  /** Time to receive the whole request (headers and body) from the client; past it the client gets 408. */
  readonly requestTimeoutMs: number;
  /** Time to receive the request headers; past it the client gets 408. At most `requestTimeoutMs`. */
  readonly headersTimeoutMs: number;
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
  headersTimeoutMs: 20_000,
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
  /** Rate limiting per principal and per anonymous IP (see `rate-limit.ts`); off when absent. */
  readonly rateLimit?: RateLimitOptions;
}

/**
 * Answers what node's HTTP parser refuses before fastify sees a request (a
 * slow client past the header or request timeout: 408; oversized headers: 431;
 * garbage: 400) with problem+json, like every other refusal, then closes.
 */
function clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, title, detail] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request-timeout', 'Request timeout', 'The request was not received in time; the connection is closed.']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers-too-large', 'Request header fields too large', 'The request headers are too large.']
        : [400, 'bad-request', 'Bad request', 'The request could not be parsed as HTTP.'];
  const correlationId = randomUUID();
  const body = JSON.stringify({ type: problemType(code), title, status, detail, instance: '', correlationId });
  this.log.info({ status, code: error.code, correlationId }, 'client error');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${CORRELATION_HEADER}: ${correlationId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Builds a ready-to-extend app. Register routes on the result, then `listen` (or `inject`). */
export async function buildApp(deps: AppDeps, options: AppOptions): Promise<App> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId: correlationIdOf,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'correlationId' }),
    // The request's child logger is made on its first line at an enabled level (see logging.ts).
    childLoggerFactory: lazyChildLoggerFactory as unknown as NonNullable<FastifyServerOptions['childLoggerFactory']>,
    bodyLimit: limits.bodyLimitBytes,
    requestTimeout: limits.requestTimeoutMs,
    // No `handlerTimeout` here: installHandlerDeadline does it without a timer and an AbortController per request.
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the header and request timeouts every connectionsCheckingInterval (30 s by default),
    // which would let a dribbling client hold a socket far past them.
    http: {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      connectionsCheckingInterval: Math.max(25, Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4))),
    },
    clientErrorHandler,
    // During shutdown, requests on kept-alive sockets get 503 problem+json
    // and idle sockets are closed, so draining ends when in-flight requests do.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    frameworkErrors: (error, request, reply) => {
      reply.header(CORRELATION_HEADER, request.id);
      problemErrorHandler(error, request, reply);
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(checkedValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON APIs only: anything but application/json is answered with 415.
  app.removeContentTypeParser('text/plain');

  // First of the onRequest hooks: the time taken by authentication and rate limiting counts too.
  installHandlerDeadline(app as unknown as FastifyInstance, { timeoutMs: limits.handlerTimeoutMs });
  await app.register(correlationPlugin);
  await app.register(problemPlugin, { realm: options.serviceName });
  app.addHook('onRoute', (route) => assertStrictRequestSchemas(route));
  const rateLimitCountersOfApp = rateLimitCounters();
  const limiter = options.rateLimit === undefined ? undefined : rateLimitHooks(options.rateLimit, rateLimitCountersOfApp);
  // onRequest hooks run in the order added: the IP check before the token is verified, the count after.
  if (limiter !== undefined) app.addHook('onRequest', limiter.preAuth);
  await app.register(authPlugin, { verifier: deps.tokenVerifier });
  if (limiter !== undefined) {
    app.addHook('onRequest', limiter.postAuth);
    app.addHook('onResponse', limiter.onResponse);
  }
  await app.register(openapiPlugin, {
    title: options.serviceName,
    version: options.version,
    ...(options.description !== undefined && { description: options.description }),
  });
  await app.register(metricsPlugin, {
    serviceName: options.serviceName,
    ...(options.defaultMetrics !== undefined && { defaultMetrics: options.defaultMetrics }),
  });
  app.metrics.registerMetric(rateLimitCountersOfApp.rejected);
  app.metrics.registerMetric(rateLimitCountersOfApp.storeErrors);
  await app.register(auditPlugin);
  await app.register(healthPlugin, { readinessTimeoutMs: options.readinessTimeoutMs ?? 1_000 });
  return app as unknown as App;
}

/**
 * App options from the parsed base configuration. Rate limiting is on unless
 * `RATE_LIMIT_ENABLED=false`; its counts live in `rateLimitStore` (pass the
 * Redis store so all instances share one budget), in memory otherwise.
 */
export function appOptionsFromConfig(config: BaseConfig, extra: { rateLimitStore?: RateLimitStore } = {}): AppOptions {
  return {
    serviceName: config.SERVICE_NAME,
    version: config.SERVICE_VERSION,
    readinessTimeoutMs: config.READINESS_TIMEOUT_MS,
    ...(config.RATE_LIMIT_ENABLED && {
      rateLimit: {
        store: extra.rateLimitStore ?? new InMemoryRateLimitStore(),
        principal: { limit: config.RATE_LIMIT_PER_PRINCIPAL, windowMs: config.RATE_LIMIT_WINDOW_MS },
        anonymous: { limit: config.RATE_LIMIT_ANONYMOUS, windowMs: config.RATE_LIMIT_WINDOW_MS },
        onStoreError: config.RATE_LIMIT_ON_STORE_ERROR,
      },
    }),
    limits: {
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
      headersTimeoutMs: config.HEADERS_TIMEOUT_MS,
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
