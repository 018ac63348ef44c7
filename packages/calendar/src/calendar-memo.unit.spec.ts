/**
 * The calendar's memos (issue 8): a repeated question gets the answer the walk gives, per calendar
 * instance, shared and frozen, and never for a question that throws.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ValidationError } from '@govsvc/errors/errors';
import { hypothetical2027 } from '../test/fixtures.ts';
import { addDays, civilDate } from './civil-date.ts';
import { loadCalendar } from './data-files.ts';
import { computeDeadline, explainDeadline } from './deadline.ts';
import { parseYearSchedule } from './schedule.ts';
import { CALENDAR_MEMO_LIMIT, CalendarMemo, type WorkingCalendar } from './working-calendar.ts';

let calendar: WorkingCalendar;
beforeAll(async () => {
  calendar = await loadCalendar();
});

/** What the uncached walk says, read off the explanation (never memoized). */
const walked = (cal: WorkingCalendar, start: string, workingDays: number) => {
  const e = explainDeadline(cal, { start, workingDays });
  return { start: e.start, workingDays, due: e.due, dueAt: e.dueAt, provisional: e.provisional, awaitingYears: e.awaitingYears, calendarVersion: e.calendar.version };
};

const startDates = fc.integer({ min: 0, max: 4 * 366 }).map((offset) => addDays(civilDate('2023-12-20'), offset));

describe('calendar memos', () => {
  it('R-ACC-2: asked again, a deadline, a count and a day status are what the walk gives (2024–2027, holidays and 调休 included)', () => {
    fc.assert(
      fc.property(startDates, fc.integer({ min: 0, max: 60 }), (start, n) => {
        const first = computeDeadline(calendar, { start, workingDays: n });
        const again = computeDeadline(calendar, { start, workingDays: n });
        expect(again).toBe(first);
        expect(again).toEqual(walked(calendar, start, n));
        expect(calendar.addWorkingDays(start, n)).toBe(first.due);
        expect(calendar.addWorkingDays(start, n)).toBe(first.due);
        const status = calendar.dayStatus(first.due);
        expect(calendar.dayStatus(first.due)).toBe(status);
        expect(calendar.isWorkingDay(first.due)).toBe(n === 0 ? status.working : true);
      }),
      { numRuns: 400 },
    );
  });

  it('a newly published year gives a new calendar with answers of its own; the old one keeps its own', () => {
    const spec = { start: '2026-12-18', workingDays: 10 };
    const before = computeDeadline(calendar, spec);
    expect(before).toMatchObject({ due: '2027-01-04', provisional: true, awaitingYears: [2027] });
    const statusBefore = calendar.dayStatus('2027-01-02');

    const published = calendar.withSchedule(parseYearSchedule(hypothetical2027));
    expect(computeDeadline(published, spec)).toMatchObject({ due: '2027-01-04', provisional: false, awaitingYears: [], calendarVersion: '2026@1+2027@1' });
    expect(published.dayStatus('2027-01-02')).toMatchObject({ kind: 'holiday', name: '元旦', certain: true });
    // 2027-02-09 is an ordinary Tuesday without the 2027 notice, 春节 with it.
    expect(calendar.addWorkingDays('2027-02-08', 1)).toBe('2027-02-09');
    expect(published.addWorkingDays('2027-02-08', 1)).toBe('2027-02-15');

    expect(computeDeadline(calendar, spec)).toBe(before);
    expect(calendar.dayStatus('2027-01-02')).toBe(statusBefore);
    expect(statusBefore).toMatchObject({ kind: 'weekend', certain: false });
  });

  it('shared answers are frozen, so no caller can change another caller’s deadline', () => {
    const deadline = computeDeadline(calendar, { start: '2026-12-18', workingDays: 10 });
    expect(Object.isFrozen(deadline)).toBe(true);
    expect(Object.isFrozen(deadline.awaitingYears)).toBe(true);
    expect(() => ((deadline as { due: string }).due = '2030-01-01')).toThrow(TypeError);
    const status = calendar.dayStatus('2026-12-31');
    expect(Object.isFrozen(status) && Object.isFrozen(status.governedBy)).toBe(true);
    expect(computeDeadline(calendar, { start: '2026-12-18', workingDays: 10 }).due).toBe('2027-01-04');
  });

  it('a question that throws is never remembered: it throws every time', () => {
    for (let i = 0; i < 2; i++) {
      expect(() => computeDeadline(calendar, { start: '2026-02-30', workingDays: 1 })).toThrow(ValidationError);
      expect(() => computeDeadline(calendar, { start: '2026-03-02', workingDays: -1 })).toThrow(ValidationError);
      expect(() => calendar.addWorkingDays('2026-03-02', 1.5)).toThrow(ValidationError);
      expect(() => calendar.dayStatus('2026-13-01')).toThrow(ValidationError);
    }
  });

  it('suspensions bypass the memo: the same start and count with and without a suspension differ', () => {
    const supplement = [{ from: civilDate('2026-03-03'), to: civilDate('2026-03-04'), reason: 'supplement' as const }];
    const plain = computeDeadline(calendar, { start: '2026-03-02', workingDays: 5 });
    const suspended = computeDeadline(calendar, { start: '2026-03-02', workingDays: 5, suspensions: supplement });
    expect(plain.due).toBe('2026-03-09');
    expect(suspended.due).toBe('2026-03-11');
    expect(calendar.addWorkingDays('2026-03-02', 5, { suspensions: supplement })).toBe('2026-03-11');
    expect(calendar.addWorkingDays('2026-03-02', 5)).toBe('2026-03-09');
  });

  it('a memo stays within its bound, and keeps answering after it is emptied', () => {
    const memo = new CalendarMemo<number>();
    for (let i = 0; i < CALENDAR_MEMO_LIMIT + 10; i++) memo.set(`k${i}`, i);
    expect(memo.size).toBeLessThanOrEqual(CALENDAR_MEMO_LIMIT);
    expect(memo.get(`k${CALENDAR_MEMO_LIMIT + 9}`)).toBe(CALENDAR_MEMO_LIMIT + 9);

    // A long scan through the calendar's own memos: past the bound, answers are still the walk's.
    const own = calendar.withSchedule(calendar.schedule(2026)!);
    let date = civilDate('2010-01-01');
    for (let i = 0; i < CALENDAR_MEMO_LIMIT + 50; i++) {
      own.dayStatus(date);
      date = addDays(date, 1);
    }
    expect(own.dayStatus('2024-10-03')).toMatchObject({ kind: 'holiday', name: '国庆节' });
    expect(own.addWorkingDays('2024-09-30', 1)).toBe('2024-10-08');
  });
});
