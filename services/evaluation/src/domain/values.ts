/**
 * The vocabulary of good/bad ratings (好差评, 国办发〔2019〕51号, GB/T 39734-2020,
 * GB/T 39735-2020) and of the measures' Art. 13, 37 and 38, as zod schemas so
 * every boundary parses with the same definitions.
 */
import { z } from 'zod';
import { addDays, endOfShanghaiDayIso, shanghaiDateOf } from '@govsvc/calendar/civil-date';

export const Id = z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/);
export const Instant = z.iso.datetime({ offset: true });
export const Day = z.iso.date();
export const Department = z.string().min(1).max(100);

/** The five levels, best first; the wire names are the contract's (evaluation.rating-submitted.v1). */
export const RATING_LEVELS = ['very-satisfied', 'satisfied', 'basically-satisfied', 'dissatisfied', 'very-dissatisfied'] as const;
export const RatingLevel = z.enum(RATING_LEVELS);
export type RatingLevel = z.infer<typeof RatingLevel>;

export const LEVEL_LABELS: Record<RatingLevel, string> = {
  'very-satisfied': '非常满意',
  satisfied: '满意',
  'basically-satisfied': '基本满意',
  dissatisfied: '不满意',
  'very-dissatisfied': '非常不满意',
};

/** 差评: 不满意 and 非常不满意. Each opens a rectification (R-EVAL-3). */
export const isBadLevel = (level: RatingLevel): boolean => level === 'dissatisfied' || level === 'very-dissatisfied';

/**
 * Indicators scored 1 (worst) … 5 (best), after the evaluation content of
 * GB/T 39735-2020 (服务事项, 服务渠道, 服务人员, 办理结果): what a rater can judge
 * about one occasion. A bad rating must name at least one of them scored 1 or 2,
 * so the department knows what to rectify.
 */
export const INDICATORS = {
  efficiency: '办事效率',
  attitude: '服务态度',
  result: '办理结果',
  convenience: '便利程度',
  guidance: '指南清晰（信息公开）',
} as const;
export type Indicator = keyof typeof INDICATORS;
export const IndicatorName = z.enum(Object.keys(INDICATORS) as [Indicator, ...Indicator[]]);
export const IndicatorScores = z.partialRecord(IndicatorName, z.int().min(1).max(5));
export type IndicatorScores = z.infer<typeof IndicatorScores>;

/**
 * Rating channels (Art. 38(2): 评价器, 政府网站, 电话, 二维码, 自助终端), with the
 * contract's names; mobile and SMS are how the 12345 and app channels reach raters.
 */
export const RatingChannel = z.enum(['window-device', 'website', 'mobile', 'phone', 'sms', 'qr-code', 'kiosk']);
export type RatingChannel = z.infer<typeof RatingChannel>;

/** The channels open for an occasion: devices in the centre rate on-site occasions only. */
export const channelsFor = (kind: 'on-site' | 'online'): RatingChannel[] =>
  kind === 'on-site' ? ['window-device', 'qr-code', 'kiosk', 'sms', 'phone'] : ['website', 'mobile', 'sms', 'phone', 'qr-code'];

/** 一次一评 for each on-site occasion, 一事一评 for each online matter (R-EVAL-2). */
export const Occasion = z.object({ kind: z.enum(['on-site', 'online']), occasionId: Id });
export type Occasion = z.infer<typeof Occasion>;

/** The one-rating key: the case and the occasion (the channel cannot open a second door, see README). */
export const occasionKey = (o: Occasion): string => `${o.kind}:${o.occasionId}`;

/** Art. 38(3): verified and rectified within 7 days, counted as calendar days from the day after the rating (as supervision counts it). */
export const RECTIFICATION_DAYS = 7;

/** The last day (Asia/Shanghai) and the instant the 7 days run out for a rating given at `at`. */
export function rectificationDue(at: string): { readonly date: string; readonly at: string } {
  const date = addDays(shanghaiDateOf(at), RECTIFICATION_DAYS);
  return { date, at: endOfShanghaiDayIso(date) };
}

/** Same or earlier instant, compared as instants (offsets differ between writers). */
export const notLaterThan = (a: string, b: string): boolean => Date.parse(a) <= Date.parse(b);

/** Text that says something: whitespace alone is no content. */
export const hasContent = (text: string | null | undefined): text is string => typeof text === 'string' && text.trim().length > 0;

export const Staff = z.object({ staffId: Id, department: Department });
export type Staff = z.infer<typeof Staff>;
