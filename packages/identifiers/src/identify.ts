/**
 * "One certificate" handling (R-ID-1): applicants are identified by a
 * unified social credit code (organisations) or a resident ID number
 * (persons). Given a number and nothing else, say which it is and whether
 * it is valid, or why not.
 */
import type { FieldIssue } from '@govsvc/errors/errors';
import { normalizeIdentifier } from './checked.ts';
import { checkResidentId, type ParsedResidentId, type ResidentIdOptions } from './resident-id.ts';
import { checkUscc, type ParsedUscc } from './uscc.ts';

export type IdentifierKind = 'uscc' | 'resident-id';

export type Identification =
  | { readonly valid: true; readonly kind: IdentifierKind; readonly parsed: ParsedUscc | ParsedResidentId }
  | { readonly valid: false; readonly kind: IdentifierKind | 'unknown'; readonly issues: readonly FieldIssue[] };

const PLAUSIBLE_BIRTH = /^\d{6}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]$/;

/**
 * Identifies a number. A valid resident ID wins over a valid USCC (an
 * 18-digit string can satisfy both checks by chance; persons are the
 * common case). When neither is valid, the problems reported are those of
 * the kind the number most looks like.
 */
export function identify(raw: string, options: ResidentIdOptions, field = 'number'): Identification {
  const value = normalizeIdentifier(raw);
  if (value.length === 15) {
    const person = checkResidentId(value, options, field);
    return person.ok ? { valid: true, kind: 'resident-id', parsed: person.value } : { valid: false, kind: 'resident-id', issues: person.issues };
  }
  if (value.length !== 18) {
    return {
      valid: false,
      kind: 'unknown',
      issues: [{ path: field, reason: `${value.length} characters: a unified social credit code has 18, a resident ID number 18 (or 15)`, rule: 'R-ID-1' }],
    };
  }
  const looksPersonal = /^\d{17}[\dX]$/.test(value);
  const person = looksPersonal ? checkResidentId(value, options, field) : undefined;
  if (person?.ok) return { valid: true, kind: 'resident-id', parsed: person.value };
  const organisation = checkUscc(value, field);
  if (organisation.ok) return { valid: true, kind: 'uscc', parsed: organisation.value };
  if (person && PLAUSIBLE_BIRTH.test(value)) return { valid: false, kind: 'resident-id', issues: person.issues };
  return { valid: false, kind: 'uscc', issues: organisation.issues };
}
