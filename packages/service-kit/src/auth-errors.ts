/**
 * 401 and 403 as members of the product's error hierarchy, so the one
 * problem+json handler maps them like every other error.
 */
import { DomainError, type FieldIssue } from '@govsvc/errors/errors';
import type { Role } from './principal.ts';

/** RFC 6750 error codes for the WWW-Authenticate challenge. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token';

/** 401: no bearer token, or one that fails verification. */
export class AuthenticationError extends DomainError {
  readonly status = 401;
  readonly code = 'unauthenticated';
  readonly title = 'Authentication required';
  /**
   * @param reason safe to show the caller (e.g. "token expired"); never the token itself.
   * @param bearerError absent when no credentials were sent at all (RFC 6750 §3.1).
   */
  constructor(
    readonly reason: string,
    readonly bearerError?: BearerErrorCode,
  ) {
    super(reason);
  }

  /** The WWW-Authenticate header value for `realm`. */
  challenge(realm: string): string {
    const parts = [`Bearer realm="${realm}"`];
    if (this.bearerError !== undefined) {
      parts.push(`error="${this.bearerError}"`, `error_description="${this.reason.replace(/["\\]/g, '')}"`);
    }
    return parts.join(', ');
  }
}

/** 403: the token is valid but carries none of the roles the route allows. */
export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly code = 'forbidden';
  readonly title = 'Forbidden';
  constructor(readonly allowedRoles: readonly Role[]) {
    super(`this action needs one of the roles: ${allowedRoles.join(', ')}`, { allowedRoles });
  }
}

/**
 * 403: the token carries a role the route allows, but not a claim the action
 * needs (a department for department staff). Naming the roles here would tell
 * a clerk that clerks may do it, which they may: what is missing is the claim,
 * so the problem names it as a field of the token (`errors: [{ in: 'token' }]`).
 */
export class MissingClaimError extends DomainError {
  readonly status = 403;
  readonly code = 'forbidden';
  readonly title = 'Forbidden';
  readonly issues: readonly FieldIssue[];
  constructor(
    readonly claim: string,
    reason: string,
  ) {
    super(`this action needs a "${claim}" claim in the token: ${reason}`, { claim });
    this.issues = [{ path: `/${claim}`, reason }];
  }
}
