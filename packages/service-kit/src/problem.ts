/**
 * One error handler for every service: maps the product's error hierarchy,
 * fastify's own errors and schema validation failures to RFC 9457
 * problem+json. A 5xx never reveals internals: its message is replaced and
 * the error is logged under the request's correlation id instead.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isDomainError, NotFoundError, RuleViolation, UnavailableError, ValidationError, type DomainError } from '@govsvc/errors/errors';
import { auditDeniedAccess, type DeniedResource } from './audit.ts';
import { AuthenticationError, MissingClaimError } from './auth-errors.ts';
import { TooManyRequestsError } from './rate-limit.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
const TYPE_PREFIX = 'urn:govsvc:problem:';
const INTERNAL_DETAIL = 'An internal error occurred. Quote the correlation id when reporting it.';
const UNAVAILABLE_DETAIL = 'The service is temporarily unavailable. Retry after the time in Retry-After.';
const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** One refused field: where it is (`in`: body, querystring, params, headers) and why. */
export interface ProblemFieldError {
  readonly in?: string;
  readonly path: string;
  readonly reason: string;
  readonly rule?: string;
}

/** An RFC 9457 problem document with the product's extension members. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly correlationId: string;
  readonly errors?: readonly ProblemFieldError[];
  readonly rule?: string;
  readonly [extension: string]: unknown;
}

/** The problem `type` URI for a short code, e.g. `urn:govsvc:problem:validation`. */
export function problemType(code: string): string {
  return `${TYPE_PREFIX}${code}`;
}

function instanceOf(request: FastifyRequest): string {
  const url = request.url;
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Sends `problem` as problem+json; bypasses route response schemas, which describe success bodies. */
export function sendProblem(reply: FastifyReply, problem: Problem, headers: Record<string, string> = {}): FastifyReply {
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

interface ProblemBasics {
  code: string;
  title: string;
  status: number;
  detail: string;
  extra?: Record<string, unknown>;
}

function build(request: FastifyRequest, basics: ProblemBasics): Problem {
  return {
    type: problemType(basics.code),
    title: basics.title,
    status: basics.status,
    detail: basics.detail,
    instance: instanceOf(request),
    correlationId: request.correlationId,
    ...basics.extra,
  };
}

interface SchemaIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

function joinPath(base: string, key: string): string {
  return `${base === '/' ? '' : base}/${key}`;
}

/** Every field a schema validation error refused, one entry per field. */
export function fieldErrorsOf(validation: readonly SchemaIssue[], location: string | undefined): ProblemFieldError[] {
  const where = location === undefined ? {} : { in: location };
  return validation.flatMap((issue): ProblemFieldError[] => {
    const base = issue.instancePath === undefined || issue.instancePath === '' ? '/' : issue.instancePath;
    const params = issue.params ?? {};
    // zod reports all unknown keys of one object in one issue; ajv one per key.
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(params.keys)) {
      return params.keys.map((key) => ({ ...where, path: joinPath(base, String(key)), reason: 'unknown field' }));
    }
    if (issue.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      return [{ ...where, path: joinPath(base, params.additionalProperty), reason: 'unknown field' }];
    }
    if (issue.keyword === 'required' && typeof params.missingProperty === 'string') {
      return [{ ...where, path: joinPath(base, params.missingProperty), reason: 'required' }];
    }
    return [{ ...where, path: base, reason: issue.message ?? 'invalid' }];
  });
}

function validationProblem(request: FastifyRequest, error: FastifyError): Problem {
  const errors = fieldErrorsOf(error.validation ?? [], error.validationContext);
  const fields = [...new Set(errors.map((e) => `${e.in ?? ''}${e.path}`))];
  return build(request, {
    code: 'validation',
    title: 'Invalid input',
    status: 400,
    detail: `The request was refused: ${fields.length} invalid field${fields.length === 1 ? '' : 's'} (${fields.join(', ')}).`,
    extra: { errors },
  });
}

function domainProblem(request: FastifyRequest, error: DomainError): Problem {
  if (error.status >= 500) {
    const unavailable = error.status === 503;
    return build(request, {
      code: error.code,
      title: error.title,
      status: error.status,
      detail: unavailable ? UNAVAILABLE_DETAIL : INTERNAL_DETAIL,
    });
  }
  const extra: Record<string, unknown> = {};
  if (error instanceof ValidationError) extra.errors = error.issues.map((i) => ({ path: i.path, reason: i.reason, ...(i.rule !== undefined && { rule: i.rule }) }));
  if (error instanceof RuleViolation) extra.rule = error.rule;
  if (error instanceof MissingClaimError) extra.errors = error.issues.map((i) => ({ in: 'token', path: i.path, reason: i.reason }));
  return build(request, { code: error.code, title: error.title, status: error.status, detail: error.message, extra });
}

const FASTIFY_CODES: Record<number, { code: string; title: string }> = {
  400: { code: 'bad-request', title: 'Bad request' },
  404: { code: 'not-found', title: 'Not found' },
  405: { code: 'method-not-allowed', title: 'Method not allowed' },
  406: { code: 'not-acceptable', title: 'Not acceptable' },
  408: { code: 'request-timeout', title: 'Request timeout' },
  413: { code: 'payload-too-large', title: 'Payload too large' },
  414: { code: 'uri-too-long', title: 'URI too long' },
  415: { code: 'unsupported-media-type', title: 'Unsupported media type' },
  429: { code: 'too-many-requests', title: 'Too many requests' },
  431: { code: 'headers-too-large', title: 'Request header fields too large' },
};

function statusOf(error: FastifyError): number {
  const status = error.statusCode;
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : 500;
}

/** Socket-level codes of a dependency's connection dropping or refusing (node's net errors). */
const CONNECTION_LOST_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EHOSTUNREACH']);
/** PostgreSQL SQLSTATEs of a server going away: admin/crash shutdown, starting up, too many connections; class 08 is connection exceptions. */
const SERVER_GONE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** node-postgres reports a connection that died under a query with these messages and no code. */
const CONNECTION_LOST_MESSAGE = /^(Connection terminated unexpectedly|Connection terminated|Client has encountered a connection error and is not queryable|timeout exceeded when trying to connect)$/;

/**
 * A dependency's connection dropped under the request (a database restarting, a reset socket) and no adapter
 * translated it to UnavailableError: transient, so 503 with Retry-After rather than 500. Only these precise
 * signals count; any other unknown error stays a 500.
 */
function isConnectionLoss(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_LOST_CODES.has(code) || SERVER_GONE_STATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  return code === undefined && CONNECTION_LOST_MESSAGE.test(error.message);
}

/**
 * The problem document and headers for any error: validation → 400 with
 * `errors[]`, the product's error classes → their status, fastify's 4xx (413,
 * 415, malformed JSON …) → their status with fastify's message, a dependency's
 * dropped connection (reset socket, PostgreSQL restarting) → 503 with
 * Retry-After, anything else → 500 with a generic message.
 */
export function problemFor(error: unknown, request: FastifyRequest): { problem: Problem; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (isDomainError(error)) {
    if (error instanceof UnavailableError) headers['retry-after'] = String(error.retryAfterSeconds);
    if (error instanceof AuthenticationError) headers['www-authenticate'] = error.challenge(request.server.serviceRealm);
    if (error instanceof TooManyRequestsError) headers['retry-after'] = String(error.retryAfterSeconds);
    return { problem: domainProblem(request, error), headers };
  }
  const fastifyError = error as FastifyError;
  if (Array.isArray(fastifyError.validation)) return { problem: validationProblem(request, fastifyError), headers };
  const status = statusOf(fastifyError);
  if (status < 500) {
    const known = FASTIFY_CODES[status] ?? { code: `http-${status}`, title: STATUS_CODES[status] ?? 'Client error' };
    return { problem: build(request, { ...known, status, detail: fastifyError.message }), headers };
  }
  if (status === 503 || isConnectionLoss(error)) {
    // fastify's handler timeout and closing-server replies, a dependency's dropped connection: transient.
    headers['retry-after'] = String(DEFAULT_RETRY_AFTER_SECONDS);
    return { problem: build(request, { code: 'unavailable', title: 'Temporarily unavailable', status: 503, detail: UNAVAILABLE_DETAIL }), headers };
  }
  return { problem: build(request, { code: 'internal', title: 'Internal error', status, detail: INTERNAL_DETAIL }), headers };
}

/** fastify error handler: logs 5xx with the error, 4xx briefly, and replies with problem+json. */
export function problemErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { problem, headers } = problemFor(error, request);
  // A 404 that hides someone else's resource (details.deniedAccess, never sent to the caller) is audited,
  // so the app layer can refuse without holding the request.
  const denied = error instanceof NotFoundError ? (error.details.deniedAccess as DeniedResource | undefined) : undefined;
  if (denied !== undefined && typeof denied.type === 'string' && typeof denied.id === 'string') auditDeniedAccess(request, denied);
  if (problem.status >= 500) {
    request.log.error({ err: error, status: problem.status }, 'request failed');
  } else {
    request.log.info({ status: problem.status, problem: problem.type }, 'request refused');
  }
  return sendProblem(reply, problem, headers);
}

/** fastify not-found handler: unknown routes answer 404 problem+json too. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(
    reply,
    build(request, { code: 'not-found', title: 'Not found', status: 404, detail: `No route ${request.method} ${instanceOf(request)}.` }),
  );
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The realm named in WWW-Authenticate challenges: the service name. */
    readonly serviceRealm: string;
  }
}

export interface ProblemPluginOptions {
  readonly realm: string;
}

/** Installs the problem+json error and not-found handlers on the root instance. */
export const problemPlugin = fp<ProblemPluginOptions>(
  async (app, options) => {
    app.decorate('serviceRealm', options.realm);
    app.setErrorHandler(problemErrorHandler);
    app.setNotFoundHandler(notFoundHandler);
  },
  { name: 'govsvc-problem', fastify: '5.x', dependencies: ['govsvc-correlation'] },
);
