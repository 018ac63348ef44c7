/**
 * The handler deadline: a request still unanswered `timeoutMs` after routing gets 503 problem+json
 * (Retry-After, via the problem handler), and its `request.signal` aborts.
 *
 * fastify's own `handlerTimeout` does the same with an AbortController and a timer per request,
 * and aborts that controller when the request closes, which is every request: each POST paid a
 * DOMException, an AbortController and a timer, 30–50 µs of a service's one thread (intake's
 * profile under load: 3 % of its busy time). Here one sweep every `sweepMs` looks at the requests
 * in flight, oldest first, and stops at the first that still has time. A request times out
 * between `timeoutMs` and `timeoutMs + sweepMs` after it arrived; `request.signal` stays fastify's
 * lazy one, made only for a handler that asks for it.
 */
import { errorCodes, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

interface InFlight {
  readonly reply: FastifyReply;
  readonly since: number;
}

export interface HandlerDeadlineOptions {
  readonly timeoutMs: number;
  /** How often in-flight requests are looked at (default: a quarter of the timeout, at most 1 s, at least 10 ms). */
  readonly sweepMs?: number;
}

export function installHandlerDeadline(app: FastifyInstance, options: HandlerDeadlineOptions): void {
  const { timeoutMs } = options;
  const sweepMs = options.sweepMs ?? Math.max(10, Math.min(1_000, Math.floor(timeoutMs / 4)));
  // A Map keeps insertion order, which is arrival order: the oldest requests come first.
  const inFlight = new Map<FastifyRequest, InFlight>();

  app.addHook('onRequest', (request, reply, done) => {
    inFlight.set(request, { reply, since: performance.now() });
    done();
  });
  app.addHook('onResponse', (request, _reply, done) => {
    inFlight.delete(request);
    done();
  });

  const expire = (request: FastifyRequest, reply: FastifyReply) => {
    const error = new errorCodes.FST_ERR_HANDLER_TIMEOUT(timeoutMs, request.routeOptions.url ?? request.url);
    // A handler that listens sees the abort first, and may answer itself.
    abortSignalOf(request, error);
    if (reply.sent) return;
    // Headers already on the wire (a stream): an error reply would throw; the connection is cut instead.
    if (reply.raw.headersSent) reply.raw.destroy(error);
    else reply.send(error);
  };

  const sweep = () => {
    const cutoff = performance.now() - timeoutMs;
    for (const [request, entry] of inFlight) {
      if (entry.reply.sent || entry.reply.raw.destroyed) {
        inFlight.delete(request);
        continue;
      }
      if (entry.since > cutoff) break;
      inFlight.delete(request);
      expire(request, entry.reply);
    }
  };

  const timer = setInterval(sweep, sweepMs);
  timer.unref();
  app.addHook('onClose', (_instance, done) => {
    clearInterval(timer);
    done();
  });
}

/**
 * Aborts the request's signal. fastify makes it lazily, with an AbortController kept on the request
 * under a private symbol, and aborts it when the request closes. Reading the getter here makes the
 * controller if no handler did; the controller is then found by its symbol's description (the test
 * in app.unit.spec.ts fails if a fastify upgrade moves it).
 */
function abortSignalOf(request: FastifyRequest, reason: Error): void {
  if (request.signal.aborted) return;
  const key = Object.getOwnPropertySymbols(request).find((symbol) => symbol.description === 'fastify.request.signal');
  const controller = key === undefined ? undefined : (request as unknown as Record<symbol, unknown>)[key];
  if (controller instanceof AbortController) controller.abort(reason);
}
