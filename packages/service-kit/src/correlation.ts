/**
 * Correlation ids: one id follows a request through logs, problem+json
 * bodies, and the calls and events it causes. A caller may send its own in
 * `x-correlation-id`; one that is not a plain token is replaced, so a header
 * can never inject text into log lines or downstream headers.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import fp from 'fastify-plugin';

export const CORRELATION_HEADER = 'x-correlation-id';

const VALID_CORRELATION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's correlation id (also `request.id`, and bound to `request.log`). */
    readonly correlationId: string;
  }
}

/** True when `value` is acceptable as a caller-supplied correlation id: 8–128 of `A-Z a-z 0-9 . _ : -`. */
export function isValidCorrelationId(value: unknown): value is string {
  return typeof value === 'string' && VALID_CORRELATION_ID.test(value);
}

/** fastify `genReqId`: the caller's valid `x-correlation-id`, else a fresh UUID. */
export function correlationIdOf(req: IncomingMessage): string {
  const supplied = req.headers[CORRELATION_HEADER];
  return isValidCorrelationId(supplied) ? supplied : randomUUID();
}

/** Exposes `request.correlationId` and echoes it in every response's `x-correlation-id` header. */
export const correlationPlugin = fp(
  async (app) => {
    app.decorateRequest('correlationId', {
      getter(this: { id: string }) {
        return this.id;
      },
    });
    // Callback style: an async hook costs every request a promise and a turn of the microtask queue.
    app.addHook('onRequest', (request, reply, done) => {
      reply.header(CORRELATION_HEADER, request.id);
      done();
    });
  },
  { name: 'govsvc-correlation', fastify: '5.x' },
);
