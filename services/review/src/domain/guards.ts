/** Small shared refusals of the review deciders. */
import { NotFoundError, RuleViolation, ValidationError } from '@govsvc/errors/errors';
import type { OpenCase, ReviewState } from './review-state.ts';
import type { Reason } from './values.ts';

/** The case must have been opened (from intake's acceptance); otherwise it does not exist for review. */
export function requireCase(state: ReviewState, caseId?: string): OpenCase {
  if (state.status === 'none' || state.status === 'noted') throw new NotFoundError(`no review case${caseId ? ` ${caseId}` : ''}`);
  return state;
}

/** Nothing changes on a concluded case except the contact log of delivery. */
export function requireUndecided(state: OpenCase, rule: string): void {
  if (state.status === 'decided') throw new RuleViolation(rule, `case ${state.caseId} is already decided`);
}

/** Reasons the applicant is told: at least one, none blank (R-REV-2, Art. 42). */
export function requireReasons(reasons: readonly Reason[] | null | undefined, path: string, rule: string): void {
  const usable = (reasons ?? []).filter((r) => r.text.trim().length > 0);
  if (usable.length === 0 || usable.length !== (reasons ?? []).length) {
    throw new ValidationError('a stated reason is required', [{ path, reason: 'at least one non-empty reason is required', rule }]);
  }
}
