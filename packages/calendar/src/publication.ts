/**
 * A year's schedule becomes part of the calendar by an event,
 * `CalendarYearPublished`, decided here as a pure decider (Emmett shape:
 * decide / evolve / initialState). Publishing it may move deadlines that
 * were computed provisionally or on an older version; `recomputeDeadlines`
 * says, per deadline, the old due date, the new one and the days that
 * changed (`DeadlineRecomputed`). The supervision service stores and acts on
 * both; this module does no I/O.
 */
import { z } from 'zod';
import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { datesInRange, maxDate, type CivilDate } from './civil-date.ts';
import { explainDeadline, type DeadlineSpec } from './deadline.ts';
import {
  civilDateSchema,
  normalizeSchedule,
  toFieldIssues,
  yearScheduleSchema,
  type YearSchedule,
} from './schedule.ts';
import type { DayStatus, WorkingCalendar } from './working-calendar.ts';

export const CALENDAR_YEAR_PUBLISHED = 'CalendarYearPublished';
export const DEADLINE_RECOMPUTED = 'DeadlineRecomputed';

const isoInstant = z.iso.datetime({ offset: true });

export const calendarYearPublishedDataSchema = z.strictObject({
  schedule: yearScheduleSchema,
  publishedAt: isoInstant,
  publishedBy: z.string().min(1),
});

export const calendarYearPublishedSchema = z.strictObject({
  type: z.literal(CALENDAR_YEAR_PUBLISHED),
  schemaVersion: z.literal(1),
  data: calendarYearPublishedDataSchema,
});

export type CalendarYearPublished = z.infer<typeof calendarYearPublishedSchema>;

export interface PublishCalendarYear {
  readonly type: 'PublishCalendarYear';
  /** Untrusted: a file or request body; parsed here so every problem is reported. */
  readonly schedule: unknown;
  /** Time and actor enter as data. */
  readonly publishedAt: string;
  readonly publishedBy: string;
}

export interface CalendarState {
  /** Per year, the version in force and its canonical content (to recognise a repeat). */
  readonly years: ReadonlyMap<number, { readonly version: number; readonly canonical: string }>;
}

export const canonicalSchedule = (s: YearSchedule): string => JSON.stringify(normalizeSchedule(s));

export const calendarDecider = {
  initialState: (): CalendarState => ({ years: new Map() }),

  /**
   * Publishes a year: version 1 for a new year, the next version to revise
   * one (a correction, or a later notice such as the 2020 extension of 春节).
   * Re-publishing the version in force with the same content is a no-op.
   */
  decide(command: PublishCalendarYear, state: CalendarState): CalendarYearPublished[] {
    const parsed = yearScheduleSchema.safeParse(command.schedule);
    const issues = parsed.success ? [] : toFieldIssues(parsed.error);
    if (!isoInstant.safeParse(command.publishedAt).success) {
      issues.push({ path: 'publishedAt', reason: 'must be an ISO-8601 timestamp with offset' });
    }
    if (command.publishedBy.trim() === '') issues.push({ path: 'publishedBy', reason: 'must name who publishes' });
    if (!parsed.success || issues.length > 0) {
      throw new ValidationError(`calendar year schedule is invalid: ${issues.length} problem(s)`, issues);
    }
    const schedule = normalizeSchedule(parsed.data);
    const current = state.years.get(schedule.year);
    if (current && current.version === schedule.version) {
      if (current.canonical === canonicalSchedule(schedule)) return [];
      throw new RuleViolation(
        'calendar.version-sequence',
        `${schedule.year} version ${schedule.version} is already published with other content; publish version ${current.version + 1}`,
        { year: schedule.year, version: schedule.version },
      );
    }
    const expected = (current?.version ?? 0) + 1;
    if (schedule.version !== expected) {
      throw new RuleViolation(
        'calendar.version-sequence',
        `${schedule.year}: expected version ${expected}, got ${schedule.version}`,
        { year: schedule.year, expected, got: schedule.version },
      );
    }
    return [
      {
        type: CALENDAR_YEAR_PUBLISHED,
        schemaVersion: 1,
        data: { schedule, publishedAt: command.publishedAt, publishedBy: command.publishedBy },
      },
    ];
  },

  evolve(state: CalendarState, event: CalendarYearPublished): CalendarState {
    const { schedule } = event.data;
    const years = new Map(state.years);
    years.set(schedule.year, { version: schedule.version, canonical: canonicalSchedule(schedule) });
    return { years };
  },
};

/** The decider's state for schedules already held (e.g. the data files). */
export function calendarStateOf(schedules: readonly YearSchedule[]): CalendarState {
  return {
    years: new Map(schedules.map((s) => [s.year, { version: s.version, canonical: canonicalSchedule(s) }])),
  };
}

export const openDeadlineSchema = z.strictObject({
  deadlineId: z.string().min(1),
  start: civilDateSchema,
  workingDays: z.number().int().min(0),
  suspensions: z.array(z.unknown()).optional(),
  /** The due date as last announced. */
  due: civilDateSchema,
});

export interface OpenDeadline extends DeadlineSpec {
  readonly deadlineId: string;
  /** The due date as last announced (stored by the projection). */
  readonly due: string;
}

export interface DayChange {
  readonly date: CivilDate;
  readonly before: Pick<DayStatus, 'working' | 'kind' | 'name' | 'certain'>;
  readonly after: Pick<DayStatus, 'working' | 'kind' | 'name' | 'certain'>;
}

export const deadlineRecomputedSchema = z.strictObject({
  type: z.literal(DEADLINE_RECOMPUTED),
  schemaVersion: z.literal(1),
  data: z.strictObject({
    deadlineId: z.string(),
    oldDue: civilDateSchema,
    newDue: civilDateSchema,
    newDueAt: isoInstant,
    changed: z.boolean(),
    provisional: z.boolean(),
    calendarVersion: z.string(),
    cause: z.strictObject({ year: z.number().int(), version: z.number().int(), notice: z.string() }),
    dayChanges: z.array(
      z.strictObject({
        date: civilDateSchema,
        before: z.strictObject({ working: z.boolean(), kind: z.string(), name: z.string().optional(), certain: z.boolean() }),
        after: z.strictObject({ working: z.boolean(), kind: z.string(), name: z.string().optional(), certain: z.boolean() }),
      }),
    ),
    why: z.string(),
  }),
});

export type DeadlineRecomputed = z.infer<typeof deadlineRecomputedSchema>;

const pickStatus = (s: DayStatus): DayChange['before'] => ({
  working: s.working,
  kind: s.kind,
  ...(s.name !== undefined ? { name: s.name } : {}),
  certain: s.certain,
});

const KIND_LABEL: Record<DayStatus['kind'], string> = {
  workday: '工作日',
  weekend: '周末',
  holiday: '假日',
  'adjusted-workday': '调休上班日',
};

const describe = (s: DayChange['before']) => (s.name ? `${s.name}${KIND_LABEL[s.kind]}` : KIND_LABEL[s.kind]);

/**
 * Recomputes open deadlines after `event` is applied to `before`. A deadline
 * is recomputed when any day between its start and its old or new due date
 * is governed by the published year; each gets one `DeadlineRecomputed`
 * (also when the due date stays: it may stop being provisional).
 */
export function recomputeDeadlines(
  before: WorkingCalendar,
  event: CalendarYearPublished,
  open: readonly OpenDeadline[],
): { calendar: WorkingCalendar; recomputed: DeadlineRecomputed[] } {
  const { schedule } = event.data;
  const after = before.withSchedule(schedule);
  const notice = schedule.source.number ? `${schedule.source.title}（${schedule.source.number}）` : schedule.source.title;
  const recomputed: DeadlineRecomputed[] = [];

  for (const deadline of open) {
    const parsed = openDeadlineSchema.safeParse(deadline);
    if (!parsed.success) {
      throw new ValidationError(`open deadline ${deadline.deadlineId} is invalid`, toFieldIssues(parsed.error));
    }
    const oldDue = parsed.data.due;
    const explained = explainDeadline(after, deadline);
    const from = parsed.data.start;
    const until = maxDate(oldDue, explained.due);
    const window = datesInRange(from, until).slice(1);
    const touched = window.some((d) => before.dayStatus(d).governedBy.includes(schedule.year));
    if (!touched) continue;

    const dayChanges: DayChange[] = [];
    for (const date of window) {
      const b = pickStatus(before.dayStatus(date));
      const a = pickStatus(after.dayStatus(date));
      if (b.working !== a.working || b.kind !== a.kind || b.name !== a.name) dayChanges.push({ date, before: b, after: a });
    }
    const changed = explained.due !== oldDue;
    const lines = dayChanges.map((c) => `${c.date} 由${describe(c.before)}改为${describe(c.after)}`);
    const why =
      `${schedule.year}年节假日安排（第${schedule.version}版，${notice}）发布：` +
      (lines.length > 0 ? lines.join('；') : '期间内各日与原计算一致') +
      (changed ? `；届满日由${oldDue}改为${explained.due}` : `；届满日仍为${oldDue}`) +
      (explained.provisional ? `；仍为暂定（待${explained.awaitingYears.join('、')}年安排发布）` : '；已确定');

    recomputed.push({
      type: DEADLINE_RECOMPUTED,
      schemaVersion: 1,
      data: {
        deadlineId: deadline.deadlineId,
        oldDue,
        newDue: explained.due,
        newDueAt: explained.dueAt,
        changed,
        provisional: explained.provisional,
        calendarVersion: explained.calendar.version,
        cause: { year: schedule.year, version: schedule.version, notice },
        dayChanges,
        why,
      },
    });
  }
  return { calendar: after, recomputed };
}
