/**
 * The outcome of checking an identifier: the parsed value, or every problem
 * found, each naming the field and (in the reason) the position at fault.
 */
import { ValidationError, type FieldIssue } from '@govsvc/errors/errors';
import type { z } from 'zod';

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly FieldIssue[] };

/** The parsed value, or a ValidationError listing every issue. */
export function orThrow<T>(checked: Checked<T>, what: string): T {
  if (checked.ok) return checked.value;
  throw new ValidationError(`${what} is invalid: ${checked.issues.map((i) => i.reason).join('; ')}`, checked.issues);
}

/** Reports a Checked's issues into a zod refinement context (for the schemas). */
export function reportTo(ctx: z.RefinementCtx, checked: Checked<unknown>): void {
  if (checked.ok) return;
  for (const issue of checked.issues) ctx.addIssue({ code: 'custom', message: issue.reason });
}

/** Upper case, no spaces or hyphens: how people write identifiers on forms is not our problem. */
export function normalizeIdentifier(raw: string): string {
  return raw.replace(/[\s-]/g, '').toUpperCase();
}
