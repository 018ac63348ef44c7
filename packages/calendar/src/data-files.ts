/**
 * The calendar's data files: `data/YYYY.json`, one per published year, each
 * a year schedule with its version. This module is the I/O edge of the
 * package; everything else is pure. Publishing moves the version in force
 * to `data/superseded/YYYY.vN.json` so older versions stay readable.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@govsvc/errors/errors';
import { calendarDecider, calendarStateOf, type CalendarYearPublished } from './publication.ts';
import { formatScheduleJson, parseYearSchedule, type YearSchedule } from './schedule.ts';
import { WorkingCalendar } from './working-calendar.ts';

export const DEFAULT_CALENDAR_DATA_DIR = fileURLToPath(new URL('../data/', import.meta.url));

const YEAR_FILE = /^(\d{4})\.json$/;

/** Reads and validates one schedule file; every problem is reported with its JSON path. */
export async function readScheduleFile(path: string): Promise<YearSchedule> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`cannot read ${path}`, [{ path: '/', reason: (error as Error).message }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${path} is not JSON`, [{ path: '/', reason: (error as Error).message }]);
  }
  return parseYearSchedule(json, path);
}

/** Every year schedule in `dir`, by year. */
export async function loadSchedules(dir = DEFAULT_CALENDAR_DATA_DIR): Promise<YearSchedule[]> {
  const names = (await readdir(dir)).filter((name) => YEAR_FILE.test(name)).sort();
  return Promise.all(
    names.map(async (name) => {
      const schedule = await readScheduleFile(join(dir, name));
      const fileYear = Number(YEAR_FILE.exec(name)?.[1]);
      if (schedule.year !== fileYear) {
        throw new ValidationError(`${name} holds the schedule of ${schedule.year}`, [
          { path: '/year', reason: `${schedule.year} does not match the file name ${name}` },
        ]);
      }
      return schedule;
    }),
  );
}

export async function loadCalendar(dir = DEFAULT_CALENDAR_DATA_DIR): Promise<WorkingCalendar> {
  return WorkingCalendar.fromSchedules(await loadSchedules(dir));
}

export interface PublishResult {
  /** Empty when the same version with the same content is already in force. */
  readonly events: CalendarYearPublished[];
  readonly path: string;
  readonly supersededPath?: string;
}

/**
 * Publishes a schedule into the data folder through the decider, so the
 * folder only ever holds what a `CalendarYearPublished` event would.
 */
export async function publishSchedule(
  schedule: unknown,
  options: { readonly dir?: string; readonly publishedAt: string; readonly publishedBy: string },
): Promise<PublishResult> {
  const dir = options.dir ?? DEFAULT_CALENDAR_DATA_DIR;
  const held = await loadSchedules(dir);
  const events = calendarDecider.decide(
    { type: 'PublishCalendarYear', schedule, publishedAt: options.publishedAt, publishedBy: options.publishedBy },
    calendarStateOf(held),
  );
  const published = events[0]?.data.schedule;
  const year = published?.year ?? (schedule as { year?: number }).year;
  const path = join(dir, `${year}.json`);
  if (!published) return { events, path };

  const previous = held.find((s) => s.year === published.year);
  let supersededPath: string | undefined;
  if (previous) {
    await mkdir(join(dir, 'superseded'), { recursive: true });
    supersededPath = join(dir, 'superseded', `${previous.year}.v${previous.version}.json`);
    await rename(path, supersededPath);
  }
  await writeFile(path, formatScheduleJson(published));
  return { events, path, ...(supersededPath ? { supersededPath } : {}) };
}
