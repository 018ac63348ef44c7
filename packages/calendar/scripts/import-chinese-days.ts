/**
 * One-off seed: turns the chinese-days package's holiday data (2004–2026)
 * into our own year files, `data/YYYY.json`, version 1 each. After this the
 * files are ours: new years and corrections arrive by `govsvc calendar
 * publish`, not by re-running this script (which would overwrite them).
 *
 *   pnpm --filter @govsvc/calendar import:chinese-days
 *
 * chinese-days files a 元旦 bridge day in December under the year of the date;
 * the day was decided by the next year's notice, so it is filed there.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { formatScheduleJson, parseYearSchedule, type Notice, type ScheduleDay } from '../src/schedule.ts';

const require = createRequire(import.meta.url);
const packageJsonPath = require.resolve('chinese-days/package.json');
const { version } = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version: string };
const data = JSON.parse(readFileSync(new URL('dist/chinese-days.json', `file://${packageJsonPath}`), 'utf8')) as {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
};
const dataDir = fileURLToPath(new URL('../data/', import.meta.url));

const FIRST = 2004;
const LAST = 2026;

// chinese-days writes "English,中文,days"; we keep the official Chinese names of the notices.
const OFFICIAL_NAMES: Record<string, string> = {
  元旦: '元旦',
  春节: '春节',
  清明: '清明节',
  劳动节: '劳动节',
  端午: '端午节',
  中秋: '中秋节',
  国庆节: '国庆节',
  中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日: '中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日',
};

// Where each notice was published (gov.cn, as chinese-days cites them); numbers and
// dates only where checked against the published text.
const NOTICE_URLS: Record<number, string> = {
  2004: 'https://zh.wikisource.org/zh-hans/国务院办公厅关于2004年部分节假日安排的通知',
  2006: 'http://www.gov.cn/jrzg/2005-12/22/content_133837.htm',
  2007: 'http://www.gov.cn/fwxx/sh/2006-12/18/content_471877.htm',
  2008: 'http://www.gov.cn/zwgk/2007-12/18/content_837184.htm',
  2009: 'http://www.gov.cn/zwgk/2008-12/10/content_1174014.htm',
  2010: 'http://www.gov.cn/zwgk/2009-12/08/content_1482691.htm',
  2011: 'http://www.gov.cn/zwgk/2010-12/10/content_1762643.htm',
  2012: 'http://www.gov.cn/zwgk/2011-12/06/content_2012097.htm',
  2013: 'http://www.gov.cn/zwgk/2012-12/10/content_2286598.htm',
  2014: 'http://www.gov.cn/zwgk/2013-12/11/content_2546204.htm',
  2015: 'http://www.gov.cn/zhengce/content/2014-12/16/content_9302.htm',
  2016: 'http://www.gov.cn/zhengce/content/2015-12/10/content_10394.htm',
  2017: 'http://www.gov.cn/zhengce/content/2016-12/01/content_5141603.htm',
  2018: 'http://www.gov.cn/zhengce/content/2017-11/30/content_5243579.htm',
  2019: 'http://www.gov.cn/xinwen/2018-12/06/content_5346287.htm',
  2020: 'http://www.gov.cn/zhengce/content/2019-11/21/content_5454164.htm',
  2021: 'http://www.gov.cn/zhengce/content/2020-11/25/content_5564127.htm',
  2022: 'http://www.gov.cn/zhengce/content/2021-10/25/content_5644835.htm',
  2023: 'http://www.gov.cn/zhengce/content/2022-12/08/content_5730844.htm',
  2024: 'https://www.gov.cn/zhengce/content/202310/content_6911527.htm',
  2025: 'https://www.gov.cn/zhengce/zhengceku/202411/content_6986383.htm',
  2026: 'https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm',
};

const CHECKED: Record<number, { number: string; issuedOn: string }> = {
  2024: { number: '国办发明电〔2023〕7号', issuedOn: '2023-10-25' },
  2025: { number: '国办发明电〔2024〕12号', issuedOn: '2024-11-12' },
  2026: { number: '国办发明电〔2025〕7号', issuedOn: '2025-11-04' },
};

const AMENDMENTS: Record<number, Notice[]> = {
  2015: [
    {
      title: '国务院关于中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日调休放假的通知',
      url: 'http://www.gov.cn/zhengce/content/2015-05/13/content_9742.htm',
    },
  ],
  2019: [
    {
      title: '国务院办公厅关于调整2019年劳动节假期安排的通知',
      url: 'http://www.gov.cn/zhengce/content/2019-03/22/content_5375877.htm',
    },
  ],
  2020: [
    {
      title: '国务院办公厅关于延长2020年春节假期的通知',
      number: '国办发明电〔2020〕1号',
      url: 'http://www.gov.cn/zhengce/content/2020-01/27/content_5472352.htm',
    },
  ],
};

function noticeYear(date: string, name: string): number {
  const year = Number(date.slice(0, 4));
  return name === '元旦' && date.slice(5, 7) === '12' ? year + 1 : year;
}

function officialName(raw: string, date: string): string {
  const chinese = raw.split(',')[1] ?? '';
  const name = OFFICIAL_NAMES[chinese];
  if (!name) throw new Error(`${date}: unknown festival "${raw}" in chinese-days data`);
  return name;
}

const byYear = new Map<number, { holidays: ScheduleDay[]; workdays: ScheduleDay[] }>();
const bucket = (year: number) => {
  let b = byYear.get(year);
  if (!b) byYear.set(year, (b = { holidays: [], workdays: [] }));
  return b;
};
for (const [list, entries] of [['holidays', data.holidays], ['workdays', data.workdays]] as const) {
  for (const [date, raw] of Object.entries(entries)) {
    const name = officialName(raw, date);
    bucket(noticeYear(date, name))[list].push({ date: date as ScheduleDay['date'], name });
  }
}

for (let year = FIRST; year <= LAST; year++) {
  const days = byYear.get(year);
  if (!days) throw new Error(`chinese-days has no data for ${year}`);
  const schedule = parseYearSchedule(
    {
      year,
      version: 1,
      source: {
        title: `国务院办公厅关于${year}年部分节假日安排的通知`,
        ...CHECKED[year],
        ...(NOTICE_URLS[year] ? { url: encodeURI(NOTICE_URLS[year]) } : {}),
      },
      ...(AMENDMENTS[year] ? { amendments: AMENDMENTS[year] } : {}),
      importedFrom: `chinese-days@${version}`,
      holidays: days.holidays,
      workdays: days.workdays,
    },
    `chinese-days ${year}`,
  );
  writeFileSync(`${dataDir}${year}.json`, formatScheduleJson(schedule));
  console.log(`${year}: ${schedule.holidays.length} holidays, ${schedule.workdays.length} adjusted working days`);
}
