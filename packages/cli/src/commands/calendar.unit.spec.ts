import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { ValidationError } from '@govsvc/errors/errors';
import { loadCalendar } from '@govsvc/calendar/data-files';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { hypothetical2027, tempDataDir, testContext } from '../../test/support.ts';
import { calendarAdd, calendarBetween, calendarPublish, parseDateArgument, parseSuspension, parseWorkingDays } from './calendar.ts';

let calendar: WorkingCalendar;
beforeAll(async () => {
  calendar = await loadCalendar();
});

describe('argument parsing', () => {
  it('takes a date, or an instant on its Shanghai date', () => {
    expect(parseDateArgument('2024-09-27')).toBe('2024-09-27');
    expect(parseDateArgument('2024-09-30T16:30:00Z')).toBe('2024-10-01');
    expect(() => parseDateArgument('2024-02-30')).toThrow(InvalidArgumentError);
    expect(() => parseDateArgument('tomorrow')).toThrow(/YYYY-MM-DD/);
  });

  it('takes a whole number of working days', () => {
    expect(parseWorkingDays('20')).toBe(20);
    expect(() => parseWorkingDays('-1')).toThrow(InvalidArgumentError);
    expect(() => parseWorkingDays('1.5')).toThrow(InvalidArgumentError);
    expect(() => parseWorkingDays('5000')).toThrow(/0 to 1000/);
  });

  it('collects suspensions FROM..TO:REASON[:note] and names what is wrong', () => {
    const two = parseSuspension('2024-10-08..2024-10-10:testing', parseSuspension('2024-09-27..2024-10-09:expert-review:专家评审'));
    expect(two).toEqual([
      { from: '2024-09-27', to: '2024-10-09', reason: 'expert-review', note: '专家评审' },
      { from: '2024-10-08', to: '2024-10-10', reason: 'testing' },
    ]);
    expect(() => parseSuspension('2024-10-09..2024-09-27:testing')).toThrow(/end is before the start/);
    expect(() => parseSuspension('2024-09-27..2024-10-09:nap')).toThrow(/reason 'nap' is not one of supplement/);
    expect(() => parseSuspension('2024-09-27:testing')).toThrow(/FROM..TO:REASON/);
  });
});

describe('calendar add / between', () => {
  it('R-ACC-2: gives the due date with counted and skipped days (国庆 2024)', () => {
    const result = calendarAdd(calendar, { start: '2024-09-27' as never, workingDays: 3, suspensions: [] });
    expect(result.exitCode).toBe(0);
    expect(result.json).toMatchObject({ due: '2024-10-08', provisional: false });
    expect(result.text).toContain('due      2024-10-08 (周二) until 2024-10-08T23:59:59.999+08:00');
    expect(result.text).toContain('1  2024-09-29 周日  调休上班（国庆节）');
    expect(result.text).toContain('2024-10-01 周二  国庆节假期');
    expect(result.text).toContain('calendar 2024 v1 (国办发明电〔2023〕7号)');
  });

  it('says PROVISIONAL and why when the deadline runs into 2027', () => {
    const result = calendarAdd(calendar, { start: '2026-12-18' as never, workingDays: 10, suspensions: [] });
    expect(result.json).toMatchObject({ due: '2027-01-04', provisional: true, awaitingYears: [2027] });
    expect(result.text).toContain('PROVISIONAL');
    expect(result.text).toContain('2027: no schedule yet');
    expect(result.text).toContain('2027-01-01 周五  元旦假期  (provisional)');
  });

  it('shows a suspension and its note among the skipped days', () => {
    const suspensions = parseSuspension('2024-09-27..2024-10-09:expert-review:食品安全专家评审');
    const result = calendarAdd(calendar, { start: '2024-09-23' as never, workingDays: 10, suspensions });
    expect(result.json).toMatchObject({ due: '2024-10-17' });
    expect(result.text).toContain('2024-09-30 周一  中止计时：专家评审 — 食品安全专家评审');
    expect(result.text).toContain('2024-10-02 周三  国庆节假期（中止期间：专家评审）');
  });

  it('counts working days between two dates, signed, and flags unpublished days', () => {
    expect(calendarBetween(calendar, { from: '2024-09-27' as never, to: '2024-10-12' as never, suspensions: [] }).json).toEqual({
      from: '2024-09-27',
      to: '2024-10-12',
      workingDays: 7,
      provisional: false,
      calendarVersion: '2024@1',
    });
    expect(calendarBetween(calendar, { from: '2024-10-12' as never, to: '2024-09-27' as never, suspensions: [] }).json).toMatchObject({ workingDays: -7 });
    const intoUnknown = calendarBetween(calendar, { from: '2026-12-30' as never, to: '2027-01-05' as never, suspensions: [] });
    expect(intoUnknown.json).toMatchObject({ workingDays: 3, provisional: true, calendarVersion: '2026@1+2027@provisional' });
    expect(intoUnknown.text).toContain('PROVISIONAL');
  });
});

describe('calendar publish', () => {
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  beforeEach(async () => {
    data = await tempDataDir();
  });
  afterEach(async () => {
    await data.cleanup();
  });

  it('publishes a valid file as a new version, resolving the path against the caller\'s folder', async () => {
    await writeFile(join(data.dir, 'in.json'), JSON.stringify(hypothetical2027));
    const { ctx } = testContext({ dataDir: data.dir, baseDir: data.dir });
    const result = await calendarPublish(ctx, 'in.json');
    expect(result.exitCode).toBe(0);
    expect(result.json).toMatchObject({
      published: true,
      path: join(data.dir, '2027.json'),
      event: { type: 'CalendarYearPublished', data: { publishedAt: '2026-11-26T01:00:00.000Z', publishedBy: 'ops-test' } },
    });
    expect(result.text).toContain('published 2027 version 1');
    expect(JSON.parse(await readFile(join(data.dir, '2027.json'), 'utf8'))).toMatchObject({ year: 2027, version: 1 });
    expect((await calendarPublish(ctx, 'in.json')).json).toMatchObject({ published: false });
  });

  it('refuses an invalid file with every error and its path, writing nothing', async () => {
    const bad = { ...hypothetical2027, version: 0, workdays: [{ date: '2027-02-10', name: '春节' }] };
    await writeFile(join(data.dir, 'bad.json'), JSON.stringify(bad));
    const { ctx } = testContext({ dataDir: data.dir, baseDir: data.dir });
    const error = await calendarPublish(ctx, 'bad.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path).sort()).toEqual(['/version', '/workdays/0/date', '/workdays/0/date']);
    await expect(readFile(join(data.dir, '2027.json'))).rejects.toThrow(/ENOENT/);
  });
});
