/**
 * A lint finding: which rule of the measures a guide breaks, where, and why,
 * in Chinese for the department staff who fix guides and in English for the
 * developers and auditors who read logs.
 */
import type { FieldIssue } from '@govsvc/errors/errors';

export type Severity = 'error' | 'warning';

export interface Finding {
  /** The requirement id (REQUIREMENTS.md), e.g. `R-CAT-6`. */
  readonly rule: string;
  /** JSON pointer into the guide, e.g. `/materials/2/name`. */
  readonly path: string;
  /** `error` blocks publishing; `warning` is advice the publisher sees. */
  readonly severity: Severity;
  readonly message: { readonly zh: string; readonly en: string };
}

export const error = (rule: string, path: string, zh: string, en: string): Finding => ({
  rule,
  path,
  severity: 'error',
  message: { zh, en },
});

export const warning = (rule: string, path: string, zh: string, en: string): Finding => ({
  rule,
  path,
  severity: 'warning',
  message: { zh, en },
});

export const blocking = (findings: readonly Finding[]): Finding[] => findings.filter((f) => f.severity === 'error');

/** Findings as problem+json field issues (`reason` carries both languages). */
export const toFieldIssues = (findings: readonly Finding[]): FieldIssue[] =>
  findings.map((f) => ({ path: f.path, rule: f.rule, reason: `${f.message.zh} / ${f.message.en}` }));

export const isBlank = (value: string | undefined | null): boolean => value === undefined || value === null || value.trim() === '';
