/**
 * The CSV export of the rating statistics (R-EVAL-4): the same rows the API
 * returns, written for Excel as Chinese offices open it.
 * - RFC 4180: CRLF line ends; a field with a comma, quote, CR or LF is quoted
 *   and its quotes doubled.
 * - UTF-8 with a byte-order mark: without it Excel on a Chinese Windows reads
 *   the file as GBK and the headers and department names come out garbled.
 * - A text field starting with = + - @ (or a tab / CR) is prefixed with `'` so
 *   Excel shows it instead of running it as a formula (CSV injection).
 */
import { LEVEL_LABELS, RATING_LEVELS } from './values.ts';
import type { Grouping, RatingStatistics, RatingStatisticsRow } from './statistics.ts';

export const UTF8_BOM = '\uFEFF';

const KEY_HEADERS: Record<Grouping, string> = {
  department: '部门',
  item: '事项编码',
  centre: '政务服务中心',
  month: '月份',
  day: '日期',
  all: '范围',
};

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const percent = (rate: number | null): string | null => (rate === null ? null : `${(rate * 100).toFixed(2)}%`);

function line(fields: readonly (string | number | null)[]): string {
  return fields.map(csvField).join(',');
}

function rowFields(key: string | null, row: RatingStatisticsRow): (string | number | null)[] {
  return [
    key,
    row.ratings,
    ...RATING_LEVELS.map((level) => row.byLevel[level]),
    row.satisfied,
    row.bad,
    percent(row.satisfactionRate),
    row.excluded,
    row.rectificationsDue,
    row.rectifiedOnTime,
    row.rectificationsOpen,
    percent(row.rectificationOnTimeRate),
  ];
}

/** The whole file, BOM first, a total line last. */
export function ratingStatisticsCsv(stats: RatingStatistics): string {
  const header = [
    KEY_HEADERS[stats.groupBy],
    '有效评价数',
    ...RATING_LEVELS.map((level) => LEVEL_LABELS[level]),
    '好评数',
    '差评数',
    '满意率',
    '复核剔除数',
    '应整改数',
    '按期整改数',
    '整改中',
    '整改按期率',
  ];
  const lines = [line(header), ...stats.rows.map((row) => line(rowFields(row.key, row))), line(rowFields('合计', stats.total))];
  return `${UTF8_BOM}${lines.join('\r\n')}\r\n`;
}
