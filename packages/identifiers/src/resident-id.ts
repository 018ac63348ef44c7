/**
 * Citizen identity numbers (公民身份号码, GB 11643-1999): 6-digit address code
 * (GB/T 2260), 8-digit birth date, 3-digit sequence (odd for men, even for
 * women) and a check character: weights 2^(17−i) mod 11, Σ mod 11 indexes
 * `10X98765432`. Numbers issued before 1999 had 15 digits (2-digit year, no
 * check); they convert by inserting the century 19 and computing the check.
 *
 * "Today" is a parameter: whether a birth date is in the future depends on
 * when the question is asked, and the caller's clock is the caller's business.
 */
import { z } from 'zod';
import type { FieldIssue } from '@govsvc/errors/errors';
import { normalizeIdentifier, orThrow, reportTo, type Checked } from './checked.ts';
import { provinceOf } from './regions.ts';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = '10X98765432';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface ParsedResidentId {
  readonly kind: 'resident-id';
  /** The 18-character number (converted when a 15-digit one was given). */
  readonly value: string;
  /** The 15-digit number as given, when it was a legacy one. */
  readonly legacy15?: string;
  readonly addressCode: string;
  readonly province: string;
  /** `YYYY-MM-DD`. */
  readonly birthDate: string;
  readonly sequence: string;
  readonly sex: 'male' | 'female';
  readonly checkCharacter: string;
}

export interface ResidentIdOptions {
  /** Today's date in Shanghai, `YYYY-MM-DD`: birth dates after it are refused. */
  readonly today: string;
}

/** The check character of the first 17 digits. */
export function residentIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARACTERS[sum % 11] ?? '';
}

/** A 15-digit legacy number as its 18-digit form (century 19, check computed). Does not validate. */
export function convertLegacyResidentId(legacy15: string): string {
  const first17 = `${legacy15.slice(0, 6)}19${legacy15.slice(6, 15)}`;
  return first17 + residentIdCheckCharacter(first17);
}

function realDate(yyyymmdd: string): string | undefined {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (m < 1 || m > 12 || d < 1 || d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return undefined;
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
}

/** Checks a resident ID number (18 digits, or a legacy 15) and parses it; every problem is reported. */
export function checkResidentId(raw: string, options: ResidentIdOptions, field = 'residentId'): Checked<ParsedResidentId> {
  if (!DATE.test(options.today)) throw new TypeError(`today must be YYYY-MM-DD, got ${options.today}`);
  const given = normalizeIdentifier(raw);
  const issue = (reason: string): FieldIssue => ({ path: field, reason, rule: 'R-ID-1' });
  let value = given;
  if (given.length === 15) {
    if (!/^\d{15}$/.test(given)) return { ok: false, issues: [issue('a 15-digit resident ID number has only digits')] };
    value = convertLegacyResidentId(given);
  } else if (given.length !== 18) {
    return { ok: false, issues: [issue(`a resident ID number has 18 characters (or 15 for an old one), not ${given.length}`)] };
  } else if (!/^\d{17}[\dX]$/.test(given)) {
    const at = [...given].findIndex((ch, i) => !(/\d/.test(ch) || (i === 17 && ch === 'X')));
    return { ok: false, issues: [issue(`position ${at + 1}: '${given[at]}' is not allowed (17 digits, then a digit or X)`)] };
  }

  const issues: FieldIssue[] = [];
  const addressCode = value.slice(0, 6);
  const province = provinceOf(addressCode);
  if (!province || addressCode.startsWith('10')) {
    issues.push(issue(`address code ${addressCode} (positions 1–6): ${addressCode.slice(0, 2)} is not a province code`));
  }
  const birthDate = realDate(value.slice(6, 14));
  if (!birthDate) {
    issues.push(issue(`birth date ${value.slice(6, 14)} (positions 7–14) is not a real date`));
  } else if (birthDate > options.today) {
    issues.push(issue(`birth date ${birthDate} is after today (${options.today})`));
  } else if (birthDate < '1850-01-01') {
    issues.push(issue(`birth date ${birthDate} is before 1850`));
  }
  if (given.length === 18) {
    const check = residentIdCheckCharacter(value);
    if (value[17] !== check) issues.push(issue(`check character (position 18) should be ${check}, not ${value[17]}`));
  }
  if (issues.length > 0 || !province || !birthDate) return { ok: false, issues };

  const sequence = value.slice(14, 17);
  return {
    ok: true,
    value: {
      kind: 'resident-id',
      value,
      ...(given.length === 15 ? { legacy15: given } : {}),
      addressCode,
      province,
      birthDate,
      sequence,
      sex: Number(sequence[2]) % 2 === 1 ? 'male' : 'female',
      checkCharacter: value[17] ?? '',
    },
  };
}

/** Parses a resident ID number or throws a ValidationError saying what is wrong. */
export function parseResidentId(raw: string, options: ResidentIdOptions, field = 'residentId'): ParsedResidentId {
  return orThrow(checkResidentId(raw, options, field), `resident ID number ${raw}`);
}

/** A string that must be a valid resident ID number as of `today`; parses to the 18-character form. */
export function residentIdSchema(options: ResidentIdOptions) {
  return z.string().transform((raw, ctx) => {
    const checked = checkResidentId(raw, options);
    reportTo(ctx, checked);
    return checked.ok ? checked.value.value : z.NEVER;
  });
}
