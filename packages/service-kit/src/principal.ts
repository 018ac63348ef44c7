/**
 * Who is calling: the roles of ARCHITECTURE.md "Users and what they do" and
 * the principal a verified token yields.
 */

/** Every role a token may carry. A route allows a subset of them. */
export const ROLES = ['applicant', 'clerk', 'reviewer', 'chief', 'supervisor', 'operator', 'integration', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The authenticated caller of a request, from a verified bearer token. */
export interface Principal {
  /** `sub`: the person's or system's stable id at the issuer. */
  readonly subject: string;
  /** Known roles from the `roles` claim; unknown role names grant nothing and are dropped. */
  readonly roles: readonly Role[];
  /** Department code, for staff acting for a department. */
  readonly department?: string;
  /** Service centre code (R-PLAT-1), for window staff. */
  readonly centre?: string;
  /** `jti`, when the issuer sets one (audit trails cite it). */
  readonly tokenId?: string;
  /** `exp` as seconds since the epoch. */
  readonly expiresAt: number;
}
