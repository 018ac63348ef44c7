/**
 * A year schedule: what one State Council General Office notice (国务院办公厅
 * 关于YYYY年部分节假日安排的通知) decides, as our own versioned data. The same
 * shape is the data file (`data/YYYY.json`), the body of the
 * `CalendarYearPublished` event and the input of `govsvc calendar publish`.
 */
import { z } from 'zod';
import { ValidationError, type FieldIssue } from '@govsvc/errors/errors';
import { isCivilDate, isWeekend, type CivilDate } from './civil-date.ts';

/**
 * The notice of year Y has reached back into the last days of December of
 * Y−1 when 元旦 bridged a weekend (2011-12-31 worked under the 2012 notice,
 * 2018-12-29 under the 2019 one). A schedule may therefore name dates from
 * this day of December of the year before; such dates stay uncertain until
 * that later notice is published.
 */
export const NEXT_NOTICE_REACH = '12-25';

// A refinement typed as CivilDate, not a transform to it: the value is the string itself either way, and
// without a transform every schema holding a date compiles to a plain check (@govsvc/schema-check), so
// supervision's deadline events are checked without zod's copy (issue 8).
export const civilDateSchema = z.string().refine(isCivilDate, { message: 'must be a real date written YYYY-MM-DD' }) as unknown as z.ZodType<CivilDate, string>;

export const noticeSchema = z.strictObject({
  /** Full title, e.g. 国务院办公厅关于2025年部分节假日安排的通知. */
  title: z.string().trim().min(4, 'must name the notice'),
  /** Document number, e.g. 国办发明电〔2024〕12号, where known. */
  number: z.string().trim().min(4).optional(),
  issuedOn: civilDateSchema.optional(),
  url: z.url().optional(),
});

export const scheduleDaySchema = z.strictObject({
  date: civilDateSchema,
  /** For a holiday, the festival (春节); for an adjusted working day, the festival it makes up for. */
  name: z.string().trim().min(1, 'must name the festival').max(60),
});

const yearScheduleObject = z.strictObject({
  year: z.number().int().min(1990).max(2100),
  version: z.number().int().min(1),
  source: noticeSchema,
  /** Later notices that changed this year (e.g. the 2020 extension of 春节). */
  amendments: z.array(noticeSchema).optional(),
  holidays: z.array(scheduleDaySchema),
  workdays: z.array(scheduleDaySchema),
  /** Where the data was taken from when it was not typed from the notice (provenance). */
  importedFrom: z.string().optional(),
});

export type Notice = z.infer<typeof noticeSchema>;
export type ScheduleDay = z.infer<typeof scheduleDaySchema>;
export type YearSchedule = z.infer<typeof yearScheduleObject>;

/** Rules a schedule must keep beyond its shape; each issue carries the JSON path of the offending field. */
export function scheduleRuleIssues(schedule: YearSchedule): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const earliest = `${schedule.year - 1}-${NEXT_NOTICE_REACH}`;
  const latest = `${schedule.year}-12-31`;
  const seen = new Map<string, string>();
  const check = (list: 'holidays' | 'workdays', day: ScheduleDay, index: number) => {
    // Shape problems of this entry are reported by the schema; the rules need a real date.
    if (!isCivilDate(day?.date)) return;
    const path = `/${list}/${index}/date`;
    if (day.date < earliest || day.date > latest) {
      issues.push({
        path,
        reason: `${day.date} is outside the ${schedule.year} notice's reach (${earliest} … ${latest})`,
      });
    }
    const other = seen.get(day.date);
    if (other !== undefined) {
      issues.push({ path, reason: `${day.date} is listed twice (also at ${other})` });
    } else {
      seen.set(day.date, path);
    }
    if (list === 'workdays' && !isWeekend(day.date)) {
      issues.push({ path, reason: `${day.date} is a weekday: an adjusted working day (调休上班) is always a Saturday or Sunday` });
    }
  };
  schedule.holidays.forEach((day, i) => check('holidays', day, i));
  schedule.workdays.forEach((day, i) => check('workdays', day, i));
  return issues;
}

export const yearScheduleSchema = yearScheduleObject.superRefine(
  (schedule, ctx) => {
    for (const issue of scheduleRuleIssues(schedule)) {
      ctx.addIssue({ code: 'custom', message: issue.reason, path: issue.path.split('/').slice(1).map(pathSegment) });
    }
  },
  {
    // Every problem at once: the date rules run even when, say, the source is missing.
    when: ({ value }) => {
      const v = value as Partial<Record<keyof YearSchedule, unknown>> | undefined;
      return Number.isInteger(v?.year) && Array.isArray(v?.holidays) && Array.isArray(v?.workdays);
    },
  },
);

function pathSegment(segment: string): string | number {
  return /^\d+$/.test(segment) ? Number(segment) : segment;
}

/** zod issues as our FieldIssues: `/holidays/3/date` paths. */
export function toFieldIssues(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: `${prefix}/${issue.path.map(String).join('/')}`,
    reason: issue.message,
  }));
}

/**
 * Parses untrusted input (a data file, an HTTP body) into a schedule, sorted
 * by date; throws one ValidationError listing every problem with its path.
 */
export function parseYearSchedule(input: unknown, label = 'calendar year schedule'): YearSchedule {
  const result = yearScheduleSchema.safeParse(input);
  if (!result.success) {
    const issues = toFieldIssues(result.error);
    throw new ValidationError(`${label} is invalid: ${issues.length} problem(s)`, issues);
  }
  return normalizeSchedule(result.data);
}

/** Dates sorted, so equal schedules serialize equally. */
export function normalizeSchedule(schedule: YearSchedule): YearSchedule {
  const byDate = (a: ScheduleDay, b: ScheduleDay) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0);
  return { ...schedule, holidays: [...schedule.holidays].sort(byDate), workdays: [...schedule.workdays].sort(byDate) };
}

/**
 * A schedule as the JSON of a data file: one day per line, so a revision
 * reads as a small diff in review.
 */
export function formatScheduleJson(input: YearSchedule): string {
  const schedule = normalizeSchedule(input);
  const days = (list: readonly ScheduleDay[]) =>
    list.length === 0 ? '[]' : `[\n${list.map((d) => `    { "date": ${JSON.stringify(d.date)}, "name": ${JSON.stringify(d.name)} }`).join(',\n')}\n  ]`;
  const head: Record<string, unknown> = { year: schedule.year, version: schedule.version, source: schedule.source };
  if (schedule.amendments) head.amendments = schedule.amendments;
  if (schedule.importedFrom) head.importedFrom = schedule.importedFrom;
  const headJson = JSON.stringify(head, null, 2).slice(0, -2);
  return `${headJson},\n  "holidays": ${days(schedule.holidays)},\n  "workdays": ${days(schedule.workdays)}\n}\n`;
}
