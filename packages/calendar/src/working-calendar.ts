/**
 * The Chinese statutory working-day calendar as pure code: weekends off,
 * public holidays off, adjusted working weekends (调休上班) on, built from
 * the year schedules we hold. Immutable: publishing a year yields a new
 * calendar (`withSchedule`), so a deadline can be recomputed against the
 * calendar before and after and the two compared.
 *
 * Counting convention (used by every method that counts):
 * - Administrative Licensing Law Art. 82: the periods of that law are working
 *   days, statutory holidays excluded; the measures (Art. 15, 36 …) speak of
 *   工作日 in the same sense.
 * - The day a period starts from is not counted; counting begins the next
 *   day (Civil Code Art. 201, the general rule for periods counted in days,
 *   which administrative practice applies). So "within one working day of
 *   submission" (measures Art. 15) is the first working day after the day of
 *   submission: submitted Friday, due Monday; submitted on a holiday or a
 *   weekend, due on the first working day after it. A due date ends at
 *   23:59:59.999+08:00 (see `endOfShanghaiDay`).
 */
import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { addDays, civilDate, datesInRange, daysBetween, isWeekend, yearOf, type CivilDate } from './civil-date.ts';
import { NEXT_NOTICE_REACH, type YearSchedule } from './schedule.ts';
import { statutoryHolidays } from './statutory-holidays.ts';
import { suspensionCovering, type Suspension } from './suspension.ts';

/** The longest period the calendar counts in one call: a sanity bound far above any statutory limit. */
export const MAX_WORKING_DAYS = 1000;

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'adjusted-workday';

export interface DayStatus {
  readonly date: CivilDate;
  readonly working: boolean;
  readonly kind: DayKind;
  /** The festival: the holiday's name, or the one an adjusted working day makes up for. */
  readonly name?: string;
  /**
   * False when the notice that decides this day is not published yet: the
   * status is then computed from weekends and the statutory holidays only.
   */
  readonly certain: boolean;
  /** Notice years whose schedules decide this day: its own, plus the next one in the last days of December. */
  readonly governedBy: readonly number[];
}

export interface CountOptions {
  readonly suspensions?: readonly Suspension[];
}

interface IndexedSchedule {
  readonly schedule: YearSchedule;
  readonly days: ReadonlyMap<string, { working: boolean; name: string }>;
}

function index(schedule: YearSchedule): IndexedSchedule {
  const days = new Map<string, { working: boolean; name: string }>();
  for (const h of schedule.holidays) days.set(h.date, { working: false, name: h.name });
  for (const w of schedule.workdays) days.set(w.date, { working: true, name: w.name });
  return { schedule, days };
}

/**
 * How many answers each memo of a calendar keeps. Services ask about a handful of days at a time (today, the
 * next few weeks), so the bound is far above any working set; it only stops a long scan (a rebuild walking
 * years of dates) from growing a memo without end. A full memo is emptied and fills again.
 */
export const CALENDAR_MEMO_LIMIT = 4_096;

/** A memo of an immutable calendar: answers never go stale, so the only policy is the size bound. */
export class CalendarMemo<V> {
  private readonly entries = new Map<string, V>();

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): V {
    if (this.entries.size >= CALENDAR_MEMO_LIMIT) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}

export class WorkingCalendar {
  private readonly statutoryCache = new Map<number, ReadonlyMap<string, string>>();
  // Memos (issue 8): every case's acceptance, decision and delivery dates count the same few weeks again, at
  // about a microsecond per day walked. The calendar never changes (publishing a year makes a new one), so a
  // day's status and a count without suspensions are computed once per calendar. Memoized values are frozen:
  // they are shared by every caller.
  private readonly statusMemo = new CalendarMemo<DayStatus>();
  private readonly countMemo = new CalendarMemo<CivilDate>();

  private constructor(private readonly byYear: ReadonlyMap<number, IndexedSchedule>) {}

  /** A calendar from year schedules (already parsed); two schedules for one year are refused. */
  static fromSchedules(schedules: readonly YearSchedule[]): WorkingCalendar {
    const byYear = new Map<number, IndexedSchedule>();
    schedules.forEach((schedule, i) => {
      if (byYear.has(schedule.year)) {
        throw new ValidationError(`two schedules for ${schedule.year}`, [
          { path: `/${i}/year`, reason: `${schedule.year} is already given; publish a new version instead` },
        ]);
      }
      byYear.set(schedule.year, index(schedule));
    });
    return new WorkingCalendar(byYear);
  }

  /** This calendar with `schedule` replacing any schedule of the same year. */
  withSchedule(schedule: YearSchedule): WorkingCalendar {
    const byYear = new Map(this.byYear);
    byYear.set(schedule.year, index(schedule));
    return new WorkingCalendar(byYear);
  }

  publishedYears(): number[] {
    return [...this.byYear.keys()].sort((a, b) => a - b);
  }

  schedule(year: number): YearSchedule | undefined {
    return this.byYear.get(year)?.schedule;
  }

  /** The published version of a year's schedule, or null when that year is not published. */
  versionOf(year: number): number | null {
    return this.byYear.get(year)?.schedule.version ?? null;
  }

  dayStatus(input: string): DayStatus {
    // Keyed by the text asked for: only a valid date ever gets an entry (civilDate throws first otherwise).
    return this.statusMemo.get(input) ?? this.statusMemo.set(input, freezeStatus(this.computeStatus(input)));
  }

  private computeStatus(input: string): DayStatus {
    const date = civilDate(input);
    const year = yearOf(date);
    const reachedByNext = date >= `${year}-${NEXT_NOTICE_REACH}`;
    const governedBy = reachedByNext ? [year, year + 1] : [year];
    const current = this.byYear.get(year);
    const next = reachedByNext ? this.byYear.get(year + 1) : undefined;

    // A later notice overrides an earlier one for the days it names.
    const fromNext = next?.days.get(date);
    if (fromNext) return this.listed(date, fromNext, true, governedBy);

    const certain = current !== undefined && (!reachedByNext || this.byYear.has(year + 1));
    const listed = current?.days.get(date);
    if (listed) return this.listed(date, listed, certain, governedBy);

    if (!current) {
      const festival = this.statutory(year).get(date);
      if (festival !== undefined) {
        return { date, working: false, kind: 'holiday', name: festival, certain: false, governedBy };
      }
    }
    const weekend = isWeekend(date);
    return { date, working: !weekend, kind: weekend ? 'weekend' : 'workday', certain, governedBy };
  }

  isWorkingDay(date: string): boolean {
    return this.dayStatus(date).working;
  }

  /** The first working day strictly after `date`. */
  nextWorkingDay(date: string): CivilDate {
    let day = civilDate(date);
    do day = addDays(day, 1);
    while (!this.dayStatus(day).working);
    return day;
  }

  /**
   * The day the `n`th counted working day after `start` falls on (the start
   * day itself is not counted); working days covered by a suspension do not
   * count. `n = 0` returns `start`.
   */
  addWorkingDays(start: string, n: number, options: CountOptions = {}): CivilDate {
    if (options.suspensions && options.suspensions.length > 0) return this.countWorkingDays(start, n, options.suspensions);
    const key = `${start}|${n}`;
    return this.countMemo.get(key) ?? this.countMemo.set(key, this.countWorkingDays(start, n, []));
  }

  private countWorkingDays(start: string, n: number, suspensions: readonly Suspension[]): CivilDate {
    let due = civilDate(start, 'start');
    walkWorkingDays(this, due, n, suspensions, (step) => {
      due = step.status.date;
    });
    return due;
  }

  /**
   * Working days counted after `a` up to and including `b` (suspended days
   * excluded); negative when `b` is before `a`. So
   * `workingDaysBetween(a, addWorkingDays(a, n)) === n`.
   */
  workingDaysBetween(a: string, b: string, options: CountOptions = {}): number {
    const from = civilDate(a, 'from');
    const to = civilDate(b, 'to');
    // `0 - n`, not `-n`: no -0 for callers that compare with Object.is.
    if (to < from) return 0 - this.workingDaysBetween(to, from, options);
    const suspensions = options.suspensions ?? [];
    let count = 0;
    for (const date of datesInRange(addDays(from, 1), to)) {
      if (this.dayStatus(date).working && !suspensionCovering(suspensions, date)) count++;
    }
    return count;
  }

  private listed(
    date: CivilDate,
    entry: { working: boolean; name: string },
    certain: boolean,
    governedBy: readonly number[],
  ): DayStatus {
    return entry.working
      ? { date, working: true, kind: 'adjusted-workday', name: entry.name, certain, governedBy }
      : { date, working: false, kind: 'holiday', name: entry.name, certain, governedBy };
  }

  private statutory(year: number): ReadonlyMap<string, string> {
    let days = this.statutoryCache.get(year);
    if (!days) {
      const map = new Map<string, string>();
      for (const h of statutoryHolidays(year)) {
        const other = map.get(h.date);
        // 中秋 can fall on 国庆 (2031-10-01): one day off, both names.
        map.set(h.date, other && other !== h.name ? `${other}、${h.name}` : h.name);
      }
      days = map;
      this.statutoryCache.set(year, days);
    }
    return days;
  }
}

export interface WalkStep {
  readonly status: DayStatus;
  /** Set when the day is a working day that a suspension takes out of the count. */
  readonly suspendedBy?: Suspension;
  /** Set when the day is inside a suspension but would not have counted anyway. */
  readonly alsoSuspendedBy?: Suspension;
  /** 1-based position among counted days, for counted days only. */
  readonly ordinal?: number;
}

function freezeStatus(status: DayStatus): DayStatus {
  Object.freeze(status.governedBy);
  return Object.freeze(status);
}

/**
 * Visits every day after `start` until `n` working days have been counted.
 * The one loop behind `addWorkingDays` and `explainDeadline`, so the due date
 * and its explanation cannot disagree.
 */
export function walkWorkingDays(
  calendar: WorkingCalendar,
  start: CivilDate,
  n: number,
  suspensions: readonly Suspension[],
  visit: (step: WalkStep) => void,
): void {
  if (!Number.isInteger(n) || n < 0 || n > MAX_WORKING_DAYS) {
    throw new ValidationError('workingDays must be a whole number of working days', [
      { path: 'workingDays', reason: `${n} is not an integer from 0 to ${MAX_WORKING_DAYS}` },
    ]);
  }
  let counted = 0;
  let date = start;
  while (counted < n) {
    date = addDays(date, 1);
    if (daysBetween(start, date) > 40 * 366) {
      throw new RuleViolation('calendar.horizon', `no ${n} working days found within 40 years of ${start}`);
    }
    const status = calendar.dayStatus(date);
    const suspension = suspensionCovering(suspensions, date);
    if (!status.working) visit(suspension ? { status, alsoSuspendedBy: suspension } : { status });
    else if (suspension) visit({ status, suspendedBy: suspension });
    else visit({ status, ordinal: ++counted });
  }
}
