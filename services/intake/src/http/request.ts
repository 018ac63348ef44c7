/** What every intake route takes from a request: the caller, Idempotency-Key and If-Match. */
import type { FastifyRequest } from 'fastify';
import { ValidationError } from '@govsvc/errors/errors';
import { principalOf } from '@govsvc/service-kit/auth';
import type { Caller } from '../app/application-service.ts';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,200}$/;

export function callerOf(request: FastifyRequest): Caller {
  const principal = principalOf(request);
  const raw = request.headers['idempotency-key'];
  let idempotencyKey: string | undefined;
  if (raw !== undefined) {
    if (typeof raw !== 'string' || !IDEMPOTENCY_KEY.test(raw)) {
      throw new ValidationError('Idempotency-Key must be 8–200 characters of A-Z a-z 0-9 . _ : -', [{ path: '/headers/idempotency-key', reason: 'malformed' }]);
    }
    idempotencyKey = raw;
  }
  return {
    subject: principal.subject,
    roles: principal.roles,
    ...(principal.centre !== undefined ? { centre: principal.centre } : {}),
    ...(principal.department !== undefined ? { department: principal.department } : {}),
    correlationId: request.id,
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
  };
}

/** `If-Match: "3"` → 3n: the revision the caller based the command on (412 when the case moved since). */
export function ifMatchOf(request: FastifyRequest): bigint | undefined {
  const raw = request.headers['if-match'];
  if (raw === undefined) return undefined;
  const m = typeof raw === 'string' ? /^(?:W\/)?"?(\d{1,18})"?$/.exec(raw.trim()) : null;
  if (!m) throw new ValidationError('If-Match must be a case revision, e.g. "3"', [{ path: '/headers/if-match', reason: 'malformed' }]);
  return BigInt(m[1]!);
}
