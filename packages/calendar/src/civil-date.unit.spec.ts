import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@govsvc/errors/errors';
import {
  addDays,
  civilDate,
  daysBetween,
  dayOfWeek,
  datesInRange,
  endOfShanghaiDay,
  endOfShanghaiDayIso,
  isCivilDate,
  shanghaiDateOf,
  weekdayName,
} from './civil-date.ts';

describe('civil dates in Asia/Shanghai', () => {
  it('knows the weekday of real dates', () => {
    expect(weekdayName(civilDate('2024-02-04'))).toBe('周日');
    expect(weekdayName(civilDate('2024-10-12'))).toBe('周六');
    expect(dayOfWeek(civilDate('2026-02-14'))).toBe(6);
    expect(dayOfWeek(civilDate('1970-01-01'))).toBe(4);
  });

  it('refuses dates that do not exist, naming the field', () => {
    expect(isCivilDate('2025-02-29')).toBe(false);
    expect(isCivilDate('2024-02-29')).toBe(true);
    expect(isCivilDate('2024-13-01')).toBe(false);
    expect(isCivilDate('2024-1-01')).toBe(false);
    const error = (() => {
      try {
        civilDate('2025-02-30', 'start');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]).toMatchObject({ path: 'start' });
  });

  it('adds days across month and year ends', () => {
    expect(addDays(civilDate('2024-02-28'), 1)).toBe('2024-02-29');
    expect(addDays(civilDate('2026-12-31'), 1)).toBe('2027-01-01');
    expect(addDays(civilDate('2025-01-01'), -1)).toBe('2024-12-31');
    expect(datesInRange(civilDate('2024-12-30'), civilDate('2025-01-02'))).toEqual([
      '2024-12-30',
      '2024-12-31',
      '2025-01-01',
      '2025-01-02',
    ]);
  });

  it('puts an instant on its Shanghai date, whatever the offset it is written in', () => {
    expect(shanghaiDateOf('2024-09-30T15:59:59.999Z')).toBe('2024-09-30');
    expect(shanghaiDateOf('2024-09-30T16:00:00Z')).toBe('2024-10-01');
    expect(shanghaiDateOf(new Date('2024-10-01T00:30:00+08:00'))).toBe('2024-10-01');
    expect(() => shanghaiDateOf('yesterday')).toThrow(ValidationError);
  });

  it('ends a due date at 23:59:59.999+08:00', () => {
    const end = endOfShanghaiDay(civilDate('2024-10-08'));
    expect(end.toISOString()).toBe('2024-10-08T15:59:59.999Z');
    expect(Date.parse(endOfShanghaiDayIso(civilDate('2024-10-08')))).toBe(end.getTime());
    expect(shanghaiDateOf(end)).toBe('2024-10-08');
    expect(shanghaiDateOf(new Date(end.getTime() + 1))).toBe('2024-10-09');
  });

  // The day arithmetic is plain integer maths (no Date objects, for speed): it must agree with
  // the platform's proleptic Gregorian calendar on every day the product can meet.
  const byPlatform = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
  const dayOfPlatform = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;

  it('counts days exactly as the platform calendar does, from 1900 to 2199, leap centuries included', () => {
    const first = dayOfPlatform('1900-01-01');
    const last = dayOfPlatform('2199-12-31');
    const epoch = civilDate('1970-01-01');
    for (let day = first; day <= last; day++) {
      const date = byPlatform(day);
      expect(addDays(epoch, day)).toBe(date);
      expect(daysBetween(epoch, civilDate(date))).toBe(day);
    }
    expect(addDays(civilDate('2000-02-28'), 1)).toBe('2000-02-29');
    expect(addDays(civilDate('2100-02-28'), 1)).toBe('2100-03-01');
  });

  it('adds and subtracts any number of days as the platform does (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -25_567, max: 84_000 }), fc.integer({ min: -20_000, max: 20_000 }), (day, delta) => {
        const date = civilDate(byPlatform(day));
        const moved = addDays(date, delta);
        expect(moved).toBe(byPlatform(day + delta));
        expect(daysBetween(date, moved)).toBe(delta);
        expect(dayOfWeek(date)).toBe(new Date(day * 86_400_000).getUTCDay());
      }),
    );
  });
});
