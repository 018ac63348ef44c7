/**
 * The public holidays the national rules fix before any annual notice:
 * 《全国年节及纪念日放假办法》 as revised by 国务院令第798号 (2024-11-10,
 * in force 2025-01-01), Art. 2:
 *   元旦 Jan 1; 春节 4 days (农历除夕 and 正月初一 to 初三); 清明节 the day of the
 *   清明 solar term; 劳动节 May 1–2; 端午节 5th day of the 5th lunar month;
 *   中秋节 15th day of the 8th lunar month; 国庆节 Oct 1–3.
 *
 * These are the days a year is certain to have off before its State Council
 * notice is published. What the notice adds (bridging days, 调休 working
 * weekends, the weekday given in lieu of a holiday that falls on a weekend
 * under Art. 6) is not knowable in advance, so it is not guessed here.
 */
import { RuleViolation } from '@govsvc/errors/errors';
import { addDays, civilDate, type CivilDate } from './civil-date.ts';

export const STATUTORY_RULES_SOURCE = '《全国年节及纪念日放假办法》（国务院令第798号修订，2025年1月1日起施行）第二条';

/**
 * [year, 正月初一, 端午 (五月初五), 中秋 (八月十五), day of 清明 in April].
 * Lunar dates follow GB/T 33661-2017 (《农历的编算和颁行》); 2033's leap month is
 * 闰十一月 under those rules, which puts 中秋 2033 on Sep 8, not in October.
 * Checked date by date against chinese-days' own lunar tables in the tests,
 * and against dates published in past notices.
 */
const LUNAR_AND_SOLAR_TERMS: ReadonlyArray<readonly [number, string, string, string, 4 | 5]> = [
  [2025, '01-29', '05-31', '10-06', 4],
  [2026, '02-17', '06-19', '09-25', 5],
  [2027, '02-06', '06-09', '09-15', 5],
  [2028, '01-26', '05-28', '10-03', 4],
  [2029, '02-13', '06-16', '09-22', 4],
  [2030, '02-03', '06-05', '09-12', 5],
  [2031, '01-23', '06-24', '10-01', 5],
  [2032, '02-11', '06-12', '09-19', 4],
  [2033, '01-31', '06-01', '09-08', 4],
  [2034, '02-19', '06-20', '09-27', 5],
  [2035, '02-08', '06-10', '09-16', 5],
  [2036, '01-28', '05-30', '10-04', 4],
  [2037, '02-15', '06-18', '09-24', 4],
  [2038, '02-04', '06-07', '09-13', 5],
  [2039, '01-24', '05-27', '10-02', 5],
  [2040, '02-12', '06-14', '09-20', 4],
  [2041, '02-01', '06-03', '09-10', 4],
  [2042, '01-22', '06-22', '09-28', 4],
  [2043, '02-10', '06-11', '09-17', 5],
  [2044, '01-30', '05-31', '10-05', 4],
  [2045, '02-17', '06-19', '09-25', 4],
  [2046, '02-06', '06-08', '09-15', 4],
  [2047, '01-26', '05-29', '10-04', 5],
  [2048, '02-14', '06-15', '09-22', 4],
  [2049, '02-02', '06-04', '09-11', 4],
  [2050, '01-23', '06-23', '09-30', 4],
];

export const STATUTORY_FIRST_YEAR = LUNAR_AND_SOLAR_TERMS[0]![0];
export const STATUTORY_LAST_YEAR = LUNAR_AND_SOLAR_TERMS[LUNAR_AND_SOLAR_TERMS.length - 1]![0];

export interface StatutoryHoliday {
  readonly date: CivilDate;
  /** The festival's official name, as in the notices (春节, 国庆节 …). */
  readonly name: string;
  /** Which day of the festival, e.g. 除夕 or 正月初一, for explanations. */
  readonly detail: string;
}

export interface LunarFestivalDates {
  readonly springFestival: CivilDate;
  readonly dragonBoat: CivilDate;
  readonly midAutumn: CivilDate;
  readonly qingming: CivilDate;
}

/** The lunar festival and 清明 dates of a Gregorian year, from the table. */
export function lunarFestivalDates(year: number): LunarFestivalDates {
  const row = LUNAR_AND_SOLAR_TERMS.find(([y]) => y === year);
  if (!row) {
    throw new RuleViolation(
      'calendar.horizon',
      `no statutory holiday data for ${year}: the calendar knows ${STATUTORY_FIRST_YEAR}–${STATUTORY_LAST_YEAR} ` +
        'under the current national rules; it refuses to guess beyond that',
      { year },
    );
  }
  const [, spring, dragon, autumn, qingmingDay] = row;
  return {
    springFestival: civilDate(`${year}-${spring}`),
    dragonBoat: civilDate(`${year}-${dragon}`),
    midAutumn: civilDate(`${year}-${autumn}`),
    qingming: civilDate(`${year}-04-0${qingmingDay}`),
  };
}

/** Every statutory day off of `year`, in date order (13 days since 2025). */
export function statutoryHolidays(year: number): StatutoryHoliday[] {
  const lunar = lunarFestivalDates(year);
  const on = (md: string) => civilDate(`${year}-${md}`);
  const days: StatutoryHoliday[] = [
    { date: on('01-01'), name: '元旦', detail: '1月1日' },
    { date: addDays(lunar.springFestival, -1), name: '春节', detail: '农历除夕' },
    { date: lunar.springFestival, name: '春节', detail: '正月初一' },
    { date: addDays(lunar.springFestival, 1), name: '春节', detail: '正月初二' },
    { date: addDays(lunar.springFestival, 2), name: '春节', detail: '正月初三' },
    { date: lunar.qingming, name: '清明节', detail: '清明节气当日' },
    { date: on('05-01'), name: '劳动节', detail: '5月1日' },
    { date: on('05-02'), name: '劳动节', detail: '5月2日' },
    { date: lunar.dragonBoat, name: '端午节', detail: '农历五月初五' },
    { date: lunar.midAutumn, name: '中秋节', detail: '农历八月十五' },
    { date: on('10-01'), name: '国庆节', detail: '10月1日' },
    { date: on('10-02'), name: '国庆节', detail: '10月2日' },
    { date: on('10-03'), name: '国庆节', detail: '10月3日' },
  ];
  return days.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}
