/**
 * The boundary from untrusted input (an HTTP body, a YAML file) to a typed
 * guide: every schema issue at once, each with a JSON-pointer path, as one
 * ValidationError (problem+json `errors[]`).
 */
import type { z } from 'zod';
import { ValidationError, type FieldIssue } from '@govsvc/errors/errors';
import { guideContentSchema, type GuideContent } from './content.ts';

/** `['materials', 2, 'name']` → `/materials/2/name` (RFC 6901 escaping). */
export function toPointer(path: readonly PropertyKey[]): string {
  return path.map((p) => '/' + String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

export function zodIssues(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => ({ path: prefix + toPointer(issue.path), reason: issue.message }));
}

export function parseGuideContent(input: unknown, prefix = ''): GuideContent {
  const parsed = guideContentSchema.safeParse(input);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error, prefix);
    throw new ValidationError(`the guide is not well-formed (${issues.length} issue${issues.length === 1 ? '' : 's'})`, issues);
  }
  return parsed.data;
}
