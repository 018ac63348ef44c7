/**
 * The error hierarchy of the whole product (STYLE.md "Errors"). Deciders and
 * adapters throw these; the service kit's error handler maps each `status`
 * to an RFC 9457 problem+json response. Vendor errors never cross a port:
 * adapters translate them into one of these.
 */

/** One precise reason a field was refused, for problem+json `errors[]`. */
export interface FieldIssue {
  /** JSON-pointer-like path, e.g. `/materials/2/name`. */
  readonly path: string;
  readonly reason: string;
  /** Rule id (an R-ID from REQUIREMENTS.md) when a regulation rule refused it. */
  readonly rule?: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** Title used in problem+json; stable per code. */
  abstract readonly title: string;

  constructor(message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the input is malformed or breaks a schema. Lists every issue at once. */
export class ValidationError extends DomainError {
  readonly status = 400;
  readonly code = 'validation';
  readonly title = 'Invalid input';
  constructor(message: string, readonly issues: readonly FieldIssue[] = [], details: Record<string, unknown> = {}) {
    super(message, details);
  }
}

/** 404: no such resource, or one the caller may not know exists. */
export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'not-found';
  readonly title = 'Not found';
}

/** 409: well-formed, but a business rule (an R-ID) refuses it in the current state. */
export class RuleViolation extends DomainError {
  readonly status = 409;
  readonly code = 'rule-violation';
  readonly title = 'Refused by a rule';
  constructor(readonly rule: string, message: string, details: Record<string, unknown> = {}) {
    super(message, { rule, ...details });
  }
}

/** 412: the stream moved since the caller read it (expected revision mismatch). Retry after re-reading. */
export class ConcurrencyError extends DomainError {
  readonly status = 412;
  readonly code = 'concurrency';
  readonly title = 'Concurrent modification';
  constructor(
    readonly stream: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`stream ${stream}: expected revision ${expected}, found ${actual}`, { stream, expected, actual });
  }
}

/** 503: a dependency is down; the caller may retry after `retryAfterSeconds`. */
export class UnavailableError extends DomainError {
  readonly status = 503;
  readonly code = 'unavailable';
  readonly title = 'Temporarily unavailable';
  constructor(message: string, readonly retryAfterSeconds = 5, details: Record<string, unknown> = {}) {
    super(message, details);
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
