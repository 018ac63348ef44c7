import { describe, expect, it } from 'vitest';
import chineseDays from 'chinese-days';
import { RuleViolation } from '@govsvc/errors/errors';
import { addDays, type CivilDate } from './civil-date.ts';
import { loadCalendar } from './data-files.ts';
import {
  lunarFestivalDates,
  STATUTORY_FIRST_YEAR,
  STATUTORY_LAST_YEAR,
  statutoryHolidays,
} from './statutory-holidays.ts';

describe('statutory holidays fixed by the national rules (国务院令第798号)', () => {
  it('knows lunar new year, 端午, 中秋 and 清明 of years checked by hand', () => {
    expect(lunarFestivalDates(2025)).toEqual({
      springFestival: '2025-01-29',
      dragonBoat: '2025-05-31',
      midAutumn: '2025-10-06',
      qingming: '2025-04-04',
    });
    expect(lunarFestivalDates(2026).springFestival).toBe('2026-02-17');
    expect(lunarFestivalDates(2026).qingming).toBe('2026-04-05');
    expect(lunarFestivalDates(2027).springFestival).toBe('2027-02-06');
    expect(lunarFestivalDates(2028).springFestival).toBe('2028-01-26');
    expect(lunarFestivalDates(2030).springFestival).toBe('2030-02-03');
    expect(lunarFestivalDates(2035).springFestival).toBe('2035-02-08');
  });

  it('agrees with chinese-days lunar and solar-term computation for every year of the table', () => {
    for (let year = STATUTORY_FIRST_YEAR; year <= STATUTORY_LAST_YEAR; year++) {
      const ours = lunarFestivalDates(year);
      expect(ours.springFestival, `${year} 春节`).toBe(chineseDays.getSolarDateFromLunar(`${year}-01-01`).date);
      expect(ours.dragonBoat, `${year} 端午`).toBe(chineseDays.getSolarDateFromLunar(`${year}-05-05`).date);
      expect(ours.midAutumn, `${year} 中秋`).toBe(chineseDays.getSolarDateFromLunar(`${year}-08-15`).date);
      expect(ours.qingming, `${year} 清明`).toBe(chineseDays.getSolarTermDate(year, 4, 'pure_brightness'));
    }
  });

  it('gives 13 days a year: 元旦 1, 春节 4 from 除夕, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3', () => {
    const days = statutoryHolidays(2027);
    expect(days).toHaveLength(13);
    const count = (name: string) => days.filter((d) => d.name === name).length;
    expect([count('元旦'), count('春节'), count('清明节'), count('劳动节'), count('端午节'), count('中秋节'), count('国庆节')]).toEqual([
      1, 4, 1, 2, 1, 1, 3,
    ]);
    expect(days.find((d) => d.detail === '农历除夕')?.date).toBe('2027-02-05');
    expect(days.filter((d) => d.name === '春节').map((d) => d.date)).toEqual([
      '2027-02-05',
      '2027-02-06',
      '2027-02-07',
      '2027-02-08',
    ]);
  });

  it('every statutory day off is off in the published 2025 and 2026 schedules', async () => {
    const calendar = await loadCalendar();
    for (const year of [2025, 2026]) {
      for (const day of statutoryHolidays(year)) {
        const status = calendar.dayStatus(day.date);
        expect(status.working, `${day.date} ${day.name}`).toBe(false);
        expect(status.kind).toBe('holiday');
      }
    }
  });

  it('除夕 is the day before 正月初一, even across a month end', () => {
    const spring = lunarFestivalDates(2033).springFestival;
    expect(spring).toBe('2033-01-31');
    expect(statutoryHolidays(2033).find((d) => d.detail === '农历除夕')?.date).toBe(addDays(spring as CivilDate, -1));
  });

  it('refuses to guess beyond the table rather than inventing holidays', () => {
    expect(() => statutoryHolidays(STATUTORY_LAST_YEAR + 1)).toThrow(RuleViolation);
    expect(() => statutoryHolidays(2024)).toThrow(/refuses to guess/);
  });
});
