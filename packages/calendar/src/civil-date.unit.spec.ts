import { describe, expect, it } from 'vitest';
import { ValidationError } from '@govsvc/errors/errors';
import {
  addDays,
  civilDate,
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
});
