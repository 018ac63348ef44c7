/**
 * When a deadline is due, when it warns and when its follow-up (督办) runs
 * out, on the working-day calendar or in calendar days, with suspensions.
 * The due date and its explanation come from the calendar package's one walk
 * (`explainDeadline`), so they cannot disagree.
 */
import {
  addDays,
  civilDate,
  datesInRange,
  endOfShanghaiDayIso,
  weekdayName,
  type CivilDate,
} from '@govsvc/calendar/civil-date';
import { explainDeadline, type DeadlineExplanation } from '@govsvc/calendar/deadline';
import { suspensionCovering, type Suspension } from '@govsvc/calendar/suspension';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import type { LimitUnit, WarningPolicy } from './kinds.ts';

export interface ScheduleSpec {
  readonly start: CivilDate;
  readonly unit: LimitUnit;
  /** Length including approved extensions. */
  readonly amount: number;
  readonly suspensions: readonly Suspension[];
}

export interface Schedule {
  readonly due: CivilDate;
  /** End of the due day in Shanghai (23:59:59.999+08:00): anything done that day is in time. */
  readonly dueAt: string;
  /** Start of the day the warning fires (00:00+08:00). */
  readonly warnAt: string;
  /** Units left, counting the warning day itself. */
  readonly warnRemaining: number;
  readonly provisional: boolean;
  readonly calendarVersion: string;
}

/** `2025-01-27T00:00:00+08:00`: the first instant of a Shanghai day. */
export const startOfShanghaiDayIso = (date: CivilDate): string => `${date}T00:00:00+08:00`;

/**
 * `Date.parse` of a schedule's instants, remembered. A deadline's instants are the starts and ends of Shanghai days
 * (a few hundred distinct strings a year), and the index folds and rebuilds parse them for every event they read:
 * about 0.5 µs a parse on this machine, a tenth of a rebuild's fold. Bounded: forgotten wholesale past 4,096.
 */
const parsedInstants = new Map<string, number>();
export function instantOf(iso: string): number {
  let instant = parsedInstants.get(iso);
  if (instant === undefined) {
    instant = Date.parse(iso);
    if (parsedInstants.size >= 4_096) parsedInstants.clear();
    parsedInstants.set(iso, instant);
  }
  return instant;
}

/** The instant right after a due day ends: when the deadline is breached. */
export const breachInstantOf = (dueAt: string): number => instantOf(dueAt) + 1;

export interface CalendarDayExplanation {
  readonly start: CivilDate;
  readonly calendarDays: number;
  readonly due: CivilDate;
  readonly dueAt: string;
  readonly counted: readonly { date: CivilDate; weekday: string; ordinal: number }[];
  readonly skipped: readonly { date: CivilDate; weekday: string; reason: { kind: 'suspension'; label: string } }[];
  readonly convention: string;
}

export const CALENDAR_DAY_CONVENTION =
  '期间以自然日计算；开始的当日不计入，自下一日起算（《民法典》第二百零一条）；中止期间不计入；届满日为该日24时（北京时间23:59:59.999+08:00）。';

/** Calendar-day counting with suspensions: every day counts unless a suspension covers it. */
export function explainCalendarDays(start: CivilDate, days: number, suspensions: readonly Suspension[]): CalendarDayExplanation {
  const counted: { date: CivilDate; weekday: string; ordinal: number }[] = [];
  const skipped: { date: CivilDate; weekday: string; reason: { kind: 'suspension'; label: string } }[] = [];
  let date = start;
  while (counted.length < days) {
    date = addDays(date, 1);
    const suspension = suspensionCovering(suspensions, date);
    if (suspension) skipped.push({ date, weekday: weekdayName(date), reason: { kind: 'suspension', label: `中止计时：${suspension.reason}` } });
    else counted.push({ date, weekday: weekdayName(date), ordinal: counted.length + 1 });
  }
  return { start, calendarDays: days, due: date, dueAt: endOfShanghaiDayIso(date), counted, skipped, convention: CALENDAR_DAY_CONVENTION };
}

export type Explanation =
  | ({ readonly unit: 'working-days' } & DeadlineExplanation)
  | ({ readonly unit: 'calendar-days' } & CalendarDayExplanation);

export function explain(calendar: WorkingCalendar, spec: ScheduleSpec): Explanation {
  return spec.unit === 'working-days'
    ? { unit: 'working-days', ...explainDeadline(calendar, { start: spec.start, workingDays: spec.amount, suspensions: spec.suspensions }) }
    : { unit: 'calendar-days', ...explainCalendarDays(spec.start, spec.amount, spec.suspensions) };
}

/** Units of warning for a limit: `minUnits` or `fraction` of it, whichever is more, never more than the limit. */
export function warningUnits(amount: number, policy: WarningPolicy): number {
  return Math.min(amount, Math.max(policy.minUnits, Math.ceil(amount * policy.fraction)));
}

export function computeSchedule(calendar: WorkingCalendar, spec: ScheduleSpec, policy: WarningPolicy): Schedule {
  const explanation = explain(calendar, spec);
  const threshold = warningUnits(spec.amount, policy);
  // The counted day from which `threshold` units remain, itself included. A zero-length limit
  // (due the day it starts) warns from the start day.
  const warnDay = explanation.counted[spec.amount - threshold]?.date ?? spec.start;
  return {
    due: explanation.due,
    dueAt: explanation.dueAt,
    warnAt: startOfShanghaiDayIso(warnDay),
    warnRemaining: threshold,
    provisional: explanation.unit === 'working-days' ? explanation.provisional : false,
    calendarVersion: explanation.unit === 'working-days' ? explanation.calendar.version : 'calendar-days',
  };
}

/** The follow-up (督办) deadline after a breach: `workingDays` working days after the due day. */
export function followUpOf(calendar: WorkingCalendar, due: CivilDate, workingDays: number): { due: CivilDate; dueAt: string } {
  const followUp = calendar.addWorkingDays(due, workingDays);
  return { due: followUp, dueAt: endOfShanghaiDayIso(followUp) };
}

/**
 * The length in units of a limit stated as a date on a notice (a supplement
 * deadline, a licence's expiry): what counting from `start` must reach.
 */
export function amountUntil(calendar: WorkingCalendar, unit: LimitUnit, start: CivilDate, statedDue: string): number {
  const due = civilDate(statedDue, 'due');
  if (due <= start) return 0;
  return unit === 'working-days' ? calendar.workingDaysBetween(start, due) : datesInRange(start, due).length - 1;
}
