import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@govsvc/errors/errors';
import { hypothetical2027 } from '../test/fixtures.ts';
import { addDays, civilDate, isWeekend } from './civil-date.ts';
import { DEFAULT_CALENDAR_DATA_DIR, loadCalendar, loadSchedules, publishSchedule, readScheduleFile } from './data-files.ts';
import { formatScheduleJson } from './schedule.ts';

describe('the committed year files (seeded from chinese-days)', () => {
  it('hold 2004–2026, version 1 each, with a source notice', async () => {
    const schedules = await loadSchedules();
    expect(schedules.map((s) => s.year)).toEqual(Array.from({ length: 23 }, (_, i) => 2004 + i));
    expect(schedules.every((s) => s.version === 1 && s.source.title.includes(`${s.year}年`))).toBe(true);
    const numbers = Object.fromEntries(schedules.filter((s) => s.source.number).map((s) => [s.year, s.source.number]));
    expect(numbers).toEqual({ 2024: '国办发明电〔2023〕7号', 2025: '国办发明电〔2024〕12号', 2026: '国办发明电〔2025〕7号' });
  });

  it('agree with chinese-days on every day from 2004-01-01 to 2026-12-31', async () => {
    const require = createRequire(import.meta.url);
    const raw = JSON.parse(await readFile(require.resolve('chinese-days/dist/chinese-days.json'), 'utf8')) as {
      holidays: Record<string, string>;
      workdays: Record<string, string>;
    };
    const calendar = await loadCalendar();
    const disagreements: string[] = [];
    for (let d = civilDate('2004-01-01'); d <= '2026-12-31'; d = addDays(d, 1)) {
      const theirs = raw.workdays[d] !== undefined || (!isWeekend(d) && raw.holidays[d] === undefined);
      if (calendar.isWorkingDay(d) !== theirs) disagreements.push(d);
    }
    expect(disagreements).toEqual([]);
  });

  it('are written exactly as formatScheduleJson writes them (re-running the import changes nothing)', async () => {
    for (const name of ['2012.json', '2024.json', '2026.json']) {
      const path = join(DEFAULT_CALENDAR_DATA_DIR, name);
      expect(formatScheduleJson(await readScheduleFile(path))).toBe(await readFile(path, 'utf8'));
    }
  });
});

describe('publishing into a data folder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'govsvc-calendar-'));
    await copyFile(join(DEFAULT_CALENDAR_DATA_DIR, '2026.json'), join(dir, '2026.json'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const by = { publishedAt: '2026-11-20T10:00:00+08:00', publishedBy: 'ops-zhang' };

  it('writes a new year as a file and the calendar then treats it as certain', async () => {
    const before = await loadCalendar(dir);
    expect(before.dayStatus('2027-02-10').certain).toBe(false);
    const result = await publishSchedule(hypothetical2027, { dir, ...by });
    expect(result.events).toHaveLength(1);
    expect(result.path).toBe(join(dir, '2027.json'));
    const after = await loadCalendar(dir);
    expect(after.dayStatus('2027-02-10')).toMatchObject({ working: false, name: '春节', certain: true });
    expect(after.dayStatus('2026-12-28').certain).toBe(true);
  });

  it('keeps the superseded version when a year is revised, and does nothing for a repeat', async () => {
    await publishSchedule(hypothetical2027, { dir, ...by });
    expect((await publishSchedule(hypothetical2027, { dir, ...by })).events).toEqual([]);
    const v2 = { ...hypothetical2027, version: 2, workdays: [] };
    const result = await publishSchedule(v2, { dir, ...by });
    expect(result.supersededPath).toBe(join(dir, 'superseded', '2027.v1.json'));
    expect((await readScheduleFile(join(dir, '2027.json'))).version).toBe(2);
    expect((await readScheduleFile(join(dir, 'superseded', '2027.v1.json'))).workdays).toHaveLength(1);
  });

  it('writes nothing when the schedule is invalid', async () => {
    await expect(publishSchedule({ ...hypothetical2027, version: 0 }, { dir, ...by })).rejects.toBeInstanceOf(ValidationError);
    expect(await readdir(dir)).toEqual(['2026.json']);
  });

  it('refuses a file whose name does not match its year, and a file that is not JSON', async () => {
    await writeFile(join(dir, '2028.json'), formatScheduleJson({ ...hypothetical2027 } as never));
    await expect(loadSchedules(dir)).rejects.toThrow(/holds the schedule of 2027/);
    await writeFile(join(dir, '2028.json'), '{ not json');
    await expect(loadSchedules(dir)).rejects.toThrow(/is not JSON/);
  });
});
