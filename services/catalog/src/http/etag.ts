/**
 * Conditional GETs: every read answers with a strong ETag computed from the
 * representation itself, so it changes exactly when what the caller would
 * see changes (a new version, a status moving to superseded) and a channel
 * polling an unchanged guide gets 304 without a body (RFC 9110 §13.1.2).
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export function etagOf(body: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
}

/** If-None-Match uses the weak comparison: `W/"x"` matches `"x"`; `*` matches anything. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//u, '');
  return header.split(',').some((tag) => tag.trim() === '*' || strip(tag) === strip(etag));
}

/** Sends `body` with its ETag, or 304 when the caller already holds it. */
export function sendConditional<T>(request: FastifyRequest, reply: FastifyReply, body: T): FastifyReply | T {
  const etag = etagOf(body);
  reply.header('etag', etag).header('cache-control', 'no-cache');
  if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return body;
}
