/**
 * Statistics from events (R-EVAL-4: results generated automatically and
 * published from one source; R-CONS-1: the phone first-call answer rate). The
 * read model is a fold of the evaluation, complaint and phone-call events, so
 * it rebuilds from the store alone; the API and the CSV export both read
 * `ratingStatistics`, so the two can never disagree.
 *
 * Definitions (see README):
 * - satisfied = 非常满意 + 满意 + 基本满意 (好评); bad = 不满意 + 非常不满意 (差评);
 * - satisfaction rate = satisfied / counted ratings; ratings excluded on review are not counted;
 * - rectification on-time rate = feedback within the limit / rectifications that are due
 *   (feedback given, or the limit passed without it); excluded ratings' rectifications not counted;
 * - a rating falls in the period of its Asia/Shanghai day; its rectification with it.
 */
import { civilDate, endOfShanghaiDayIso, shanghaiDateOf } from '@govsvc/calendar/civil-date';
import type { ComplaintEvent } from './complaint/complaint.ts';
import type { ConsultationChannel, ConsultationEvent, PhoneCallEvent } from './consultation/consultation.ts';
import type { EvaluationEvent } from './evaluation/events.ts';
import { isBadLevel, notLaterThan, type RatingLevel } from './values.ts';

interface RatingFact {
  readonly ratingId: string;
  readonly caseId: string;
  /** Filled in later when the rating came before the case's department was known. */
  department: string | null;
  readonly itemCode: string;
  readonly centre: string | null;
  readonly day: string;
  readonly level: RatingLevel;
  excluded: { readonly ground: 'mistaken' | 'malicious'; readonly reason: string } | null;
  rectification: { dueAt: string; completed: { readonly at: string; readonly withinLimit: boolean } | null } | null;
}

interface ComplaintFact {
  readonly department: string;
  readonly day: string;
  answered: { readonly withinLimit: boolean } | null;
}

interface ConsultationFact {
  readonly department: string;
  readonly channel: ConsultationChannel;
  readonly day: string;
  /** End of the promised day, for letters. */
  readonly promisedUntil: string | null;
  answered: { readonly withinPromise: boolean | null } | null;
}

interface CallFact {
  readonly centre: string;
  readonly day: string;
  readonly answered: boolean;
}

export interface StatisticsModel {
  readonly ratings: Map<string, RatingFact>;
  /** case id → its ratings, so a late department reaches them without a scan of every rating. */
  readonly ratingsByCase: Map<string, RatingFact[]>;
  readonly complaints: Map<string, ComplaintFact>;
  readonly calls: Map<string, CallFact>;
  readonly consultations: Map<string, ConsultationFact>;
}

export const emptyStatistics = (): StatisticsModel => ({ ratings: new Map(), ratingsByCase: new Map(), complaints: new Map(), calls: new Map(), consultations: new Map() });

export type StatisticsEvent = EvaluationEvent | ComplaintEvent | PhoneCallEvent | ConsultationEvent;

/** Folds one event in; events of other types are ignored. Mutates `model` (a projection's working copy). */
export function applyToStatistics(model: StatisticsModel, event: StatisticsEvent): void {
  switch (event.type) {
    case 'RatingSubmitted': {
      const d = event.data;
      const fact: RatingFact = {
        ratingId: d.ratingId,
        caseId: d.caseId,
        department: d.department,
        itemCode: d.itemCode,
        centre: d.serviceCentre,
        day: shanghaiDateOf(d.submittedAt),
        level: d.level,
        excluded: null,
        rectification: null,
      };
      model.ratings.set(d.ratingId, fact);
      const ofCase = model.ratingsByCase.get(d.caseId);
      if (ofCase) ofCase.push(fact);
      else model.ratingsByCase.set(d.caseId, [fact]);
      return;
    }
    case 'ResponsibleDepartmentAssigned':
      for (const fact of model.ratingsByCase.get(event.data.caseId) ?? []) if (fact.department === null) fact.department = event.data.department;
      return;
    case 'RectificationOpened': {
      const fact = model.ratings.get(event.data.ratingId);
      if (fact) fact.rectification = { dueAt: event.data.dueAt, completed: null };
      return;
    }
    case 'RectificationFeedbackGiven': {
      const fact = model.ratings.get(event.data.ratingId);
      if (fact?.rectification) fact.rectification.completed = { at: event.data.givenAt, withinLimit: event.data.withinLimit };
      return;
    }
    case 'AppealDecided': {
      // A reopened rectification is due again, by its new day: the earlier feedback no longer settles it.
      const fact = model.ratings.get(event.data.ratingId);
      if (fact?.rectification && event.data.outcome === 'reopened' && event.data.reopenedDueAt !== null) {
        fact.rectification = { dueAt: event.data.reopenedDueAt, completed: null };
      }
      return;
    }
    case 'RatingReviewed': {
      const fact = model.ratings.get(event.data.ratingId);
      if (fact && event.data.outcome !== 'stands') fact.excluded = { ground: event.data.outcome, reason: event.data.reason };
      return;
    }
    case 'ComplaintReceived':
      model.complaints.set(event.data.complaintId, { department: event.data.department, day: shanghaiDateOf(event.data.receivedAt), answered: null });
      return;
    case 'ComplaintAnswered': {
      const fact = model.complaints.get(event.data.complaintId);
      if (fact) fact.answered = { withinLimit: event.data.withinLimit };
      return;
    }
    case 'ConsultationRecorded': {
      const d = event.data;
      model.consultations.set(d.consultationId, {
        department: d.department,
        channel: d.channel,
        day: shanghaiDateOf(d.receivedAt),
        promisedUntil: d.promisedBy === null ? null : endOfShanghaiDayIso(civilDate(d.promisedBy)),
        answered: null,
      });
      return;
    }
    case 'ConsultationAnswered': {
      const fact = model.consultations.get(event.data.consultationId);
      if (fact) fact.answered = { withinPromise: event.data.withinPromise };
      return;
    }
    case 'PhoneCallLogged':
      model.calls.set(event.data.callId, { centre: event.data.serviceCentre, day: shanghaiDateOf(event.data.receivedAt), answered: event.data.answeredOnFirstAttempt });
      return;
    default:
      return;
  }
}

export const GROUPINGS = ['department', 'item', 'centre', 'month', 'day', 'all'] as const;
export type Grouping = (typeof GROUPINGS)[number];

export interface StatisticsQuery {
  readonly groupBy: Grouping;
  /** Inclusive Asia/Shanghai days; open when absent. */
  readonly from?: string;
  readonly to?: string;
  readonly department?: string;
  readonly itemCode?: string;
  readonly centre?: string;
  /** The instant "overdue" is judged at: an open rectification past its day counts as late. */
  readonly asOf: string;
}

export interface RatingStatisticsRow {
  /** The department, item code, centre, month (YYYY-MM) or day; null when the rating has none (an online case without a centre). */
  readonly key: string | null;
  readonly ratings: number;
  readonly satisfied: number;
  readonly bad: number;
  readonly byLevel: Readonly<Record<RatingLevel, number>>;
  readonly excluded: number;
  /** satisfied / ratings; null without ratings. */
  readonly satisfactionRate: number | null;
  readonly rectificationsDue: number;
  readonly rectifiedOnTime: number;
  readonly rectificationsOpen: number;
  /** rectifiedOnTime / rectificationsDue; null when none is due yet. */
  readonly rectificationOnTimeRate: number | null;
}

export interface RatingStatistics {
  readonly groupBy: Grouping;
  readonly from: string | null;
  readonly to: string | null;
  readonly asOf: string;
  readonly rows: readonly RatingStatisticsRow[];
  readonly total: RatingStatisticsRow;
}

const keyOf = (fact: RatingFact, groupBy: Grouping): string | null => {
  switch (groupBy) {
    case 'department':
      return fact.department;
    case 'item':
      return fact.itemCode;
    case 'centre':
      return fact.centre;
    case 'month':
      return fact.day.slice(0, 7);
    case 'day':
      return fact.day;
    case 'all':
      return 'all';
  }
};

/** Rates are rounded to 4 decimals: two decimals of a percentage, what gets published. */
const rate = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

function summarize(key: string | null, facts: readonly RatingFact[], asOf: string): RatingStatisticsRow {
  const byLevel: Record<RatingLevel, number> = { 'very-satisfied': 0, satisfied: 0, 'basically-satisfied': 0, dissatisfied: 0, 'very-dissatisfied': 0 };
  let ratings = 0;
  let bad = 0;
  let excluded = 0;
  let due = 0;
  let onTime = 0;
  let open = 0;
  for (const fact of facts) {
    if (fact.excluded) {
      excluded++;
      continue;
    }
    ratings++;
    byLevel[fact.level]++;
    if (isBadLevel(fact.level)) bad++;
    const r = fact.rectification;
    if (!r) continue;
    if (r.completed) {
      due++;
      if (r.completed.withinLimit) onTime++;
    } else {
      open++;
      if (!notLaterThan(asOf, r.dueAt)) due++;
    }
  }
  const satisfied = ratings - bad;
  return {
    key,
    ratings,
    satisfied,
    bad,
    byLevel,
    excluded,
    satisfactionRate: rate(satisfied, ratings),
    rectificationsDue: due,
    rectifiedOnTime: onTime,
    rectificationsOpen: open,
    rectificationOnTimeRate: rate(onTime, due),
  };
}

export function ratingStatistics(model: StatisticsModel, query: StatisticsQuery): RatingStatistics {
  const selected = [...model.ratings.values()].filter(
    (f) =>
      (query.from === undefined || f.day >= query.from) &&
      (query.to === undefined || f.day <= query.to) &&
      (query.department === undefined || f.department === query.department) &&
      (query.itemCode === undefined || f.itemCode === query.itemCode) &&
      (query.centre === undefined || f.centre === query.centre),
  );
  const groups = new Map<string | null, RatingFact[]>();
  for (const fact of selected) {
    const key = keyOf(fact, query.groupBy);
    const group = groups.get(key);
    if (group) group.push(fact);
    else groups.set(key, [fact]);
  }
  // Stable order for publication and diffs: by key, the keyless group last.
  const keys = [...groups.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
  return {
    groupBy: query.groupBy,
    from: query.from ?? null,
    to: query.to ?? null,
    asOf: query.asOf,
    rows: keys.map((key) => summarize(key, groups.get(key) ?? [], query.asOf)),
    total: summarize('total', selected, query.asOf),
  };
}

/** Art. 13(2): the consultation line's first-call answer rate must be above 90%. */
export const FIRST_CALL_ANSWER_TARGET = 0.9;

export interface PhoneAnswerRow {
  readonly centre: string;
  readonly calls: number;
  readonly answeredOnFirstAttempt: number;
  readonly rate: number | null;
  /** True when the rate is not above 90% (高于90% is the requirement, so exactly 90% is flagged). */
  readonly belowTarget: boolean;
}

export function phoneAnswerRates(model: StatisticsModel, query: { readonly from?: string; readonly to?: string; readonly centre?: string }): PhoneAnswerRow[] {
  const byCentre = new Map<string, { calls: number; answered: number }>();
  for (const call of model.calls.values()) {
    if ((query.from !== undefined && call.day < query.from) || (query.to !== undefined && call.day > query.to)) continue;
    if (query.centre !== undefined && call.centre !== query.centre) continue;
    const entry = byCentre.get(call.centre) ?? { calls: 0, answered: 0 };
    entry.calls++;
    if (call.answered) entry.answered++;
    byCentre.set(call.centre, entry);
  }
  return [...byCentre.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([centre, { calls, answered }]) => {
      const r = rate(answered, calls);
      return { centre, calls, answeredOnFirstAttempt: answered, rate: r, belowTarget: r === null || r <= FIRST_CALL_ANSWER_TARGET };
    });
}

export interface ComplaintRow {
  readonly department: string;
  readonly received: number;
  readonly answered: number;
  readonly answeredOnTime: number;
}

export function complaintStatistics(model: StatisticsModel, query: { readonly from?: string; readonly to?: string }): ComplaintRow[] {
  const byDepartment = new Map<string, { received: number; answered: number; onTime: number }>();
  for (const c of model.complaints.values()) {
    if ((query.from !== undefined && c.day < query.from) || (query.to !== undefined && c.day > query.to)) continue;
    const entry = byDepartment.get(c.department) ?? { received: 0, answered: 0, onTime: 0 };
    entry.received++;
    if (c.answered) entry.answered++;
    if (c.answered?.withinLimit) entry.onTime++;
    byDepartment.set(c.department, entry);
  }
  return [...byDepartment.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([department, e]) => ({ department, received: e.received, answered: e.answered, answeredOnTime: e.onTime }));
}

export interface ConsultationRow {
  readonly department: string;
  readonly byChannel: Readonly<Record<ConsultationChannel, number>>;
  readonly letters: number;
  readonly lettersAnswered: number;
  /** Answered once and completely within the promised day (R-CONS-1). */
  readonly lettersAnsweredInTime: number;
  /** Unanswered letters whose promised day has passed. */
  readonly lettersOverdue: number;
}

export function consultationStatistics(model: StatisticsModel, query: { readonly from?: string; readonly to?: string; readonly asOf: string }): ConsultationRow[] {
  const byDepartment = new Map<string, { byChannel: Record<ConsultationChannel, number>; letters: number; answered: number; inTime: number; overdue: number }>();
  for (const c of model.consultations.values()) {
    if ((query.from !== undefined && c.day < query.from) || (query.to !== undefined && c.day > query.to)) continue;
    const entry = byDepartment.get(c.department) ?? { byChannel: { window: 0, phone: 0, online: 0, letter: 0 }, letters: 0, answered: 0, inTime: 0, overdue: 0 };
    entry.byChannel[c.channel]++;
    if (c.channel === 'letter') {
      entry.letters++;
      if (c.answered) {
        entry.answered++;
        if (c.answered.withinPromise) entry.inTime++;
      } else if (c.promisedUntil !== null && !notLaterThan(query.asOf, c.promisedUntil)) {
        entry.overdue++;
      }
    }
    byDepartment.set(c.department, entry);
  }
  return [...byDepartment.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([department, e]) => ({ department, byChannel: e.byChannel, letters: e.letters, lettersAnswered: e.answered, lettersAnsweredInTime: e.inTime, lettersOverdue: e.overdue }));
}
