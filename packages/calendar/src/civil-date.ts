/**
 * Civil dates (`YYYY-MM-DD`) as they are lived in Asia/Shanghai, and the two
 * crossings between them and instants.
 *
 * China has kept UTC+08:00 all year since 1992 (summer time was abolished
 * after 1991), so the crossing is a fixed offset; it needs no tz database and
 * gives the same answer on every machine whatever its own time zone.
 */
import { ValidationError } from '@govsvc/errors/errors';

/** A civil date `YYYY-MM-DD` that has been checked to exist in the Gregorian calendar. */
export type CivilDate = string & { readonly __civilDate: unique symbol };

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 for a civil date (no time zone involved). */
function toDayNumber(date: CivilDate): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Math.floor(Date.UTC(y, m - 1, d) / DAY_MS);
}

function fromDayNumber(day: number): CivilDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10) as CivilDate;
}

/** True when `value` is a `YYYY-MM-DD` string naming a real day (no 2025-02-29). */
export function isCivilDate(value: unknown): value is CivilDate {
  if (typeof value !== 'string') return false;
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * Checks a civil date and brands it; throws a ValidationError naming `field`.
 * @param field the input's name in the error (e.g. `start`, `/holidays/3/date`)
 */
export function civilDate(value: string, field = 'date'): CivilDate {
  if (!isCivilDate(value)) {
    throw new ValidationError(`${field} must be a real date written YYYY-MM-DD`, [
      { path: field, reason: `"${value}" is not a date of the form YYYY-MM-DD` },
    ]);
  }
  return value;
}

export function addDays(date: CivilDate, days: number): CivilDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Whole days from `a` to `b` (negative when b is earlier). */
export function daysBetween(a: CivilDate, b: CivilDate): number {
  return toDayNumber(b) - toDayNumber(a);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: CivilDate): number {
  // 1970-01-01 was a Thursday (4).
  return (((toDayNumber(date) + 4) % 7) + 7) % 7;
}

export function isWeekend(date: CivilDate): boolean {
  const dow = dayOfWeek(date);
  return dow === 0 || dow === 6;
}

export function yearOf(date: CivilDate): number {
  return Number(date.slice(0, 4));
}

export function compareDates(a: CivilDate, b: CivilDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function maxDate(a: CivilDate, b: CivilDate): CivilDate {
  return a >= b ? a : b;
}

const WEEKDAY_NAMES = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'] as const;

/** `周一` … `周日`, for explanations read by Chinese-speaking staff. */
export function weekdayName(date: CivilDate): string {
  return WEEKDAY_NAMES[dayOfWeek(date)] ?? '';
}

/**
 * The Shanghai civil date on which an instant falls.
 * @param instant a Date or an ISO-8601 string with an offset (`2024-10-07T16:30:00Z`)
 */
export function shanghaiDateOf(instant: Date | string): CivilDate {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (Number.isNaN(ms)) {
    throw new ValidationError('instant must be an ISO-8601 timestamp', [
      { path: 'instant', reason: `"${String(instant)}" is not a timestamp` },
    ]);
  }
  return fromDayNumber(Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS));
}

/**
 * The instant a due date runs out: the last millisecond of that day in
 * Shanghai, 23:59:59.999+08:00. The regulation counts whole days, not office
 * hours, so anything done on the due day (including online, after the
 * window closes) is in time.
 */
export function endOfShanghaiDay(date: CivilDate): Date {
  return new Date((toDayNumber(date) + 1) * DAY_MS - SHANGHAI_OFFSET_MS - 1);
}

/** `endOfShanghaiDay` written with its +08:00 offset, as shown to people and stored in events. */
export function endOfShanghaiDayIso(date: CivilDate): string {
  return `${date}T23:59:59.999+08:00`;
}

/** Every date from `from` to `to`, both included (empty when `to` is earlier). */
export function datesInRange(from: CivilDate, to: CivilDate): CivilDate[] {
  const out: CivilDate[] = [];
  for (let d = toDayNumber(from), end = toDayNumber(to); d <= end; d++) out.push(fromDayNumber(d));
  return out;
}
