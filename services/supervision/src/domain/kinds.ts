/**
 * Every time limit the regulation and the law underneath it set, as data:
 * its legal source, how long it runs and on which calendar basis, when it
 * warns (预警), how long the follow-up (督办) after a yellow card may take
 * before the card turns red, and the automatic outcome the law names, if any.
 * Which published contract opens, suspends, resumes, extends and closes each
 * one is the other half of the table, in `triggers.ts`.
 */
import { createHash } from 'node:crypto';

export const DEADLINE_KINDS = [
  'acceptance',
  'deemed-acceptance',
  'supplement',
  'tolerated-deficiency',
  'decision-promised',
  'decision-statutory',
  'step',
  'opinion',
  'licence-issuance',
  'result-delivery',
  'renewal',
  'rating-rectification',
  'proof-filing',
  'complaint',
] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

export const AUTOMATIC_OUTCOMES = ['deemed-accepted', 'refusal-decision-required', 'renewal-deemed-granted'] as const;
export type AutomaticOutcome = (typeof AUTOMATIC_OUTCOMES)[number];

/** Working days skip weekends and statutory holidays and count 调休 days (Licensing Law Art. 82); calendar days count every day. */
export type LimitUnit = 'working-days' | 'calendar-days';

/**
 * Where the length of a limit comes from: a fixed number, the guide of the
 * item (promised or statutory limit, R-CAT-3), or the event that opens it (a
 * date stated on a notice, a step's own limit, a licence's expiry).
 */
export type LimitSource =
  | { readonly from: 'fixed'; readonly amount: number }
  | { readonly from: 'guide-promised' }
  | { readonly from: 'guide-statutory' }
  | { readonly from: 'event' };

/** Warn when this many units or this share of the limit is left, whichever is more (defaults: 1 working day or 20%). */
export interface WarningPolicy {
  readonly minUnits: number;
  readonly fraction: number;
}

export const DEFAULT_WARNING: WarningPolicy = { minUnits: 1, fraction: 0.2 };

/** Whose duty the limit is: an office's (carded against its department) or the applicant's (the office must act when it lapses). */
export type Party = 'office' | 'applicant';

export interface DeadlineRule {
  readonly kind: DeadlineKind;
  /** Shown on the console and in explanations. */
  readonly label: string;
  /** R-ID from REQUIREMENTS.md. */
  readonly requirement: string;
  /** The legal text the limit rests on. */
  readonly legalSource: string;
  readonly unit: LimitUnit;
  readonly limit: LimitSource;
  readonly party: Party;
  /** Working days the follow-up (督办) after a yellow card may take before the card turns red. */
  readonly followUpWorkingDays: number;
  readonly automaticOutcome: AutomaticOutcome | null;
}

export const DEADLINE_RULES: { readonly [K in DeadlineKind]: DeadlineRule & { readonly kind: K } } = {
  acceptance: {
    kind: 'acceptance',
    label: '受理决定',
    requirement: 'R-ACC-2',
    legalSource: '《北京市政务服务标准化管理办法》第十五条：自收到申请之日起1个工作日内作出受理决定',
    unit: 'working-days',
    limit: { from: 'fixed', amount: 1 },
    party: 'office',
    followUpWorkingDays: 1,
    automaticOutcome: null,
  },
  'deemed-acceptance': {
    kind: 'deemed-acceptance',
    label: '补正告知（逾期视为受理）',
    requirement: 'R-ACC-2',
    legalSource: '《行政许可法》第三十二条：材料不齐全的应当当场或者在五日内一次告知，逾期不告知的，自收到申请材料之日起即为受理',
    unit: 'working-days',
    limit: { from: 'fixed', amount: 5 },
    party: 'office',
    followUpWorkingDays: 1,
    automaticOutcome: 'deemed-accepted',
  },
  supplement: {
    kind: 'supplement',
    label: '申请人补齐补正',
    requirement: 'R-ACC-2',
    legalSource: '《北京市政务服务标准化管理办法》第十五条：补齐补正通知书载明的补正期限',
    unit: 'working-days',
    limit: { from: 'event' },
    party: 'applicant',
    followUpWorkingDays: 2,
    automaticOutcome: null,
  },
  'tolerated-deficiency': {
    kind: 'tolerated-deficiency',
    label: '容缺材料补正',
    requirement: 'R-ACC-2',
    legalSource: '《北京市政务服务标准化管理办法》第十五条：容缺受理后逾期未补正或补正仍不符合要求的，作出不予许可决定并说明理由',
    unit: 'working-days',
    limit: { from: 'event' },
    party: 'applicant',
    followUpWorkingDays: 2,
    automaticOutcome: 'refusal-decision-required',
  },
  'decision-promised': {
    kind: 'decision-promised',
    label: '承诺时限内办结',
    requirement: 'R-REV-1',
    legalSource: '《北京市政务服务标准化管理办法》第十六条：在承诺时限内办结；服务指南载明的承诺时限',
    unit: 'working-days',
    limit: { from: 'guide-promised' },
    party: 'office',
    followUpWorkingDays: 3,
    automaticOutcome: null,
  },
  'decision-statutory': {
    kind: 'decision-statutory',
    label: '法定时限内决定',
    requirement: 'R-REV-1',
    legalSource: '《行政许可法》第四十二条（二十日，经批准可延长十日）、第四十五条（听证、检验、检测、鉴定、专家评审等时间不计入）',
    unit: 'working-days',
    limit: { from: 'guide-statutory' },
    party: 'office',
    followUpWorkingDays: 3,
    automaticOutcome: null,
  },
  step: {
    kind: 'step',
    label: '环节时限',
    requirement: 'R-CAT-11',
    legalSource: '《北京市政务服务标准化管理办法》第八条：办理流程中各环节的办理时限',
    unit: 'working-days',
    limit: { from: 'event' },
    party: 'office',
    followUpWorkingDays: 1,
    automaticOutcome: null,
  },
  opinion: {
    kind: 'opinion',
    label: '协办部门意见',
    requirement: 'R-COLLAB-1',
    legalSource: '《北京市政务服务标准化管理办法》第二十条：牵头部门确定时限，协办部门限时办理',
    unit: 'working-days',
    limit: { from: 'event' },
    party: 'office',
    followUpWorkingDays: 2,
    automaticOutcome: null,
  },
  'licence-issuance': {
    kind: 'licence-issuance',
    label: '颁发送达证件',
    requirement: 'R-REV-3',
    legalSource: '《行政许可法》第四十四条：作出准予许可决定之日起十日内颁发、送达行政许可证件',
    unit: 'working-days',
    limit: { from: 'fixed', amount: 10 },
    party: 'office',
    followUpWorkingDays: 2,
    automaticOutcome: null,
  },
  'result-delivery': {
    kind: 'result-delivery',
    label: '送达办理结果',
    requirement: 'R-DELIV-1',
    legalSource: '《行政许可法》第四十四条：作出准予许可决定之日起十日内向申请人颁发、送达行政许可证件；《北京市政务服务标准化管理办法》第十八条',
    unit: 'working-days',
    limit: { from: 'fixed', amount: 10 },
    party: 'office',
    followUpWorkingDays: 2,
    automaticOutcome: null,
  },
  renewal: {
    kind: 'renewal',
    label: '延续决定（逾期视为准予延续）',
    requirement: 'R-REV-4',
    legalSource: '《北京市政务服务标准化管理办法》第十六条；《行政许可法》第五十条：有效期届满前未作决定的，视为准予延续',
    unit: 'calendar-days',
    limit: { from: 'event' },
    party: 'office',
    followUpWorkingDays: 1,
    automaticOutcome: 'renewal-deemed-granted',
  },
  'rating-rectification': {
    kind: 'rating-rectification',
    label: '差评整改',
    requirement: 'R-EVAL-3',
    legalSource: '《北京市政务服务标准化管理办法》第三十八条：差评7日内核实整改并反馈',
    unit: 'calendar-days',
    limit: { from: 'fixed', amount: 7 },
    party: 'office',
    followUpWorkingDays: 2,
    automaticOutcome: null,
  },
  'proof-filing': {
    kind: 'proof-filing',
    label: '新增证明备案',
    requirement: 'R-CAT-7',
    legalSource: '《北京市政务服务标准化管理办法》第七条：新设证明事项15个工作日内备案并同步更新服务指南',
    unit: 'working-days',
    limit: { from: 'fixed', amount: 15 },
    party: 'office',
    followUpWorkingDays: 3,
    automaticOutcome: null,
  },
  complaint: {
    kind: 'complaint',
    label: '投诉办理',
    requirement: 'R-EVAL-1',
    legalSource: '《北京市政务服务标准化管理办法》第三十七条：投诉件件有回复、事事有着落',
    unit: 'working-days',
    limit: { from: 'event' },
    party: 'office',
    followUpWorkingDays: 2,
    automaticOutcome: null,
  },
};

export const CARD_LABELS = { warning: '预警', yellow: '黄牌', red: '红牌' } as const;
export type CardColour = keyof typeof CARD_LABELS;

/**
 * The deadline's id: readable and deterministic from case, kind and step, so
 * every redelivery of the opening contract addresses the same stream. Within
 * the published OpaqueId alphabet (`[A-Za-z0-9._:-]`, at most 100 characters).
 */
export function deadlineIdOf(caseId: string, kind: DeadlineKind, step: string): string {
  const clean = step.replace(/[^A-Za-z0-9._-]/g, '_');
  const readable = `${caseId}:${kind}:${clean}`;
  if (readable.length <= 100) return readable;
  // Too long to stay readable: keep what fits and a digest of the step, still deterministic.
  const digest = createHash('sha256').update(step).digest('hex').slice(0, 16);
  return `${`${caseId}:${kind}:`.slice(0, 83)}${digest}`;
}

export const deadlineStream = (deadlineId: string): string => `deadline-${deadlineId}`;
