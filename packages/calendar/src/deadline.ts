/**
 * Deadlines on the working-day calendar, with their explanation: which days
 * counted, which were skipped and why, and which calendar versions decided
 * it. A deadline whose days are not all decided by published notices is
 * `provisional` and names the years still awaited.
 */
import { civilDate, endOfShanghaiDayIso, weekdayName, type CivilDate } from './civil-date.ts';
import { parseSuspensions, SUSPENSION_REASONS, type Suspension, type SuspensionReason } from './suspension.ts';
import { CalendarMemo, walkWorkingDays, type DayKind, type WorkingCalendar } from './working-calendar.ts';

export interface DeadlineSpec {
  /** The day the period runs from (submission, acceptance …); it is not itself counted. */
  readonly start: string;
  readonly workingDays: number;
  readonly suspensions?: readonly Suspension[];
}

export interface CountedDay {
  readonly date: CivilDate;
  readonly weekday: string;
  readonly ordinal: number;
  readonly kind: Extract<DayKind, 'workday' | 'adjusted-workday'>;
  /** For an adjusted working day, the festival it makes up for. */
  readonly festival?: string;
  readonly certain: boolean;
}

export type SkipReason =
  | { readonly kind: 'weekend'; readonly label: string }
  | { readonly kind: 'holiday'; readonly name: string; readonly label: string }
  | { readonly kind: 'suspension'; readonly reason: SuspensionReason; readonly note?: string; readonly label: string };

export interface SkippedDay {
  readonly date: CivilDate;
  readonly weekday: string;
  readonly reason: SkipReason;
  /** A non-working day inside a suspension: it would not have counted anyway. */
  readonly duringSuspension?: SuspensionReason;
  readonly certain: boolean;
}

export interface CalendarYearUsed {
  readonly year: number;
  /** null: no schedule published for that year; its days were computed provisionally. */
  readonly version: number | null;
  readonly source?: string;
}

export interface DeadlineExplanation {
  readonly start: CivilDate;
  readonly workingDays: number;
  readonly due: CivilDate;
  /** The instant the due day ends in Shanghai. */
  readonly dueAt: string;
  readonly provisional: boolean;
  /** Years whose notices are awaited; publishing one of them recomputes this deadline. */
  readonly awaitingYears: readonly number[];
  readonly counted: readonly CountedDay[];
  readonly skipped: readonly SkippedDay[];
  readonly calendar: {
    /** Compact, comparable: `2025@1+2026@1`, `2026@1+2027@provisional`. */
    readonly version: string;
    readonly years: readonly CalendarYearUsed[];
  };
  readonly convention: string;
}

export const COUNTING_CONVENTION =
  '期间以工作日计算，不含法定节假日（《行政许可法》第八十二条）；开始的当日不计入，自下一日起算（《民法典》第二百零一条）；' +
  '调休上班日计为工作日；中止期间（《行政许可法》第四十五条等）不计入；届满日为该日24时（北京时间23:59:59.999+08:00）。';

/** The due date and everything needed to explain it. */
export function explainDeadline(calendar: WorkingCalendar, spec: DeadlineSpec): DeadlineExplanation {
  const start = civilDate(spec.start, 'start');
  const suspensions = spec.suspensions ? parseSuspensions(spec.suspensions) : [];
  const counted: CountedDay[] = [];
  const skipped: SkippedDay[] = [];
  const years = new Set<number>();
  let due = start;

  walkWorkingDays(calendar, start, spec.workingDays, suspensions, (step) => {
    const { status } = step;
    status.governedBy.forEach((y) => years.add(y));
    due = status.date;
    const weekday = weekdayName(status.date);
    if (step.ordinal !== undefined) {
      const kind = status.kind === 'adjusted-workday' ? 'adjusted-workday' : 'workday';
      counted.push({
        date: status.date,
        weekday,
        ordinal: step.ordinal,
        kind,
        ...(status.name !== undefined ? { festival: status.name } : {}),
        certain: status.certain,
      });
      return;
    }
    const reason: SkipReason = step.suspendedBy
      ? suspensionReason(step.suspendedBy)
      : status.kind === 'holiday'
        ? { kind: 'holiday', name: status.name ?? '', label: `${status.name ?? ''}假期` }
        : { kind: 'weekend', label: '周末' };
    skipped.push({
      date: status.date,
      weekday,
      reason,
      ...(step.alsoSuspendedBy ? { duringSuspension: step.alsoSuspendedBy.reason } : {}),
      certain: status.certain,
    });
  });

  const used = [...years].sort((a, b) => a - b).map((year): CalendarYearUsed => {
    const schedule = calendar.schedule(year);
    if (!schedule) return { year, version: null };
    return { year, version: schedule.version, source: schedule.source.number ?? schedule.source.title };
  });
  const awaitingYears = used.filter((y) => y.version === null).map((y) => y.year);
  const uncertain = counted.some((d) => !d.certain) || skipped.some((d) => !d.certain);
  return {
    start,
    workingDays: spec.workingDays,
    due,
    dueAt: endOfShanghaiDayIso(due),
    provisional: uncertain,
    awaitingYears: uncertain ? awaitingYears : [],
    counted,
    skipped,
    calendar: {
      version: used.map((y) => `${y.year}@${y.version ?? 'provisional'}`).join('+'),
      years: used,
    },
    convention: COUNTING_CONVENTION,
  };
}

function suspensionReason(s: Suspension): SkipReason {
  return { kind: 'suspension', reason: s.reason, ...(s.note ? { note: s.note } : {}), label: `中止计时：${SUSPENSION_REASONS[s.reason]}` };
}

export interface Deadline {
  readonly start: CivilDate;
  readonly workingDays: number;
  readonly due: CivilDate;
  readonly dueAt: string;
  readonly provisional: boolean;
  readonly awaitingYears: readonly number[];
  readonly calendarVersion: string;
}

// Deadlines without suspensions, per calendar (issue 8): intake, review and delivery compute the same few
// (today + 1, + 5, + the promised limit) for every case. A calendar is immutable, so its answers stay right;
// a newly published year is a new calendar, with a memo of its own.
const plainDeadlines = new WeakMap<WorkingCalendar, CalendarMemo<Deadline>>();

/** `explainDeadline` without the day lists: what a deadline projection stores. Frozen: one suspension-free deadline is shared by its callers. */
export function computeDeadline(calendar: WorkingCalendar, spec: DeadlineSpec): Deadline {
  if (spec.suspensions && spec.suspensions.length > 0) return deadlineOf(explainDeadline(calendar, spec));
  let memo = plainDeadlines.get(calendar);
  if (!memo) plainDeadlines.set(calendar, (memo = new CalendarMemo<Deadline>()));
  // Only answers are kept: a spec that throws (a bad date, a count out of range) throws again every time.
  const key = `${spec.start}|${spec.workingDays}`;
  return memo.get(key) ?? memo.set(key, deadlineOf(explainDeadline(calendar, spec)));
}

function deadlineOf(e: DeadlineExplanation): Deadline {
  Object.freeze(e.awaitingYears);
  return Object.freeze({
    start: e.start,
    workingDays: e.workingDays,
    due: e.due,
    dueAt: e.dueAt,
    provisional: e.provisional,
    awaitingYears: e.awaitingYears,
    calendarVersion: e.calendar.version,
  });
}
