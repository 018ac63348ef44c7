/**
 * One deadline as a decider. The scheduler's tick (`FireDue`, with the
 * instant it runs at) decides the warning (预警), the yellow card at breach,
 * the automatic outcome where the law names one, and the red card when the
 * follow-up (督办) is missed too; each fires once because the state
 * remembers it, whatever the index or the scheduler repeat. The calendar
 * enters commands as an immutable value, like time.
 */
import { ValidationError } from '@govsvc/errors/errors';
import { shanghaiDateOf, type CivilDate } from '@govsvc/calendar/civil-date';
import { recomputeDeadlines, type CalendarYearPublished } from '@govsvc/calendar/publication';
import type { Suspension, SuspensionReason } from '@govsvc/calendar/suspension';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import type { Decider } from '@govsvc/eventstore/decider';
import { deterministicId } from '@govsvc/runtime/ids';
import type { DeadlineEvent, DeadlineOpened, Owner } from './deadline-events.ts';
import { DEADLINE_RULES, DEFAULT_WARNING, type AutomaticOutcome, type DeadlineKind, type LimitUnit, type WarningPolicy } from './kinds.ts';
import { amountUntil, breachInstantOf, computeSchedule, followUpOf, instantOf, type Schedule, type ScheduleSpec } from './schedule.ts';

export interface OpenDeadline {
  readonly type: 'OpenDeadline';
  readonly deadlineId: string;
  readonly caseId: string;
  readonly kind: DeadlineKind;
  readonly step: string;
  readonly openedAt: string;
  readonly start: CivilDate;
  /** The limit's length; or `statedDue`, a date a notice states, from which the length is counted. */
  readonly amount?: number;
  readonly statedDue?: string;
  readonly owner: Owner;
  readonly cause: string;
  readonly calendar: WorkingCalendar;
  readonly warning?: WarningPolicy;
}

export interface SuspendDeadline {
  readonly type: 'SuspendDeadline';
  readonly suspensionId: string;
  readonly from: CivilDate;
  readonly reason: SuspensionReason;
  readonly at: string;
}

export interface ResumeDeadline {
  readonly type: 'ResumeDeadline';
  readonly suspensionId: string;
  readonly until: CivilDate;
  readonly at: string;
  readonly calendar: WorkingCalendar;
}

export interface ExtendDeadline {
  readonly type: 'ExtendDeadline';
  readonly extensionId: string;
  readonly units: number;
  readonly reason: string;
  readonly approvedBy: string | null;
  readonly at: string;
  readonly calendar: WorkingCalendar;
}

export interface RecomputeDeadline {
  readonly type: 'RecomputeDeadline';
  /** The calendar before the publication, and the publication. */
  readonly before: WorkingCalendar;
  readonly publication: CalendarYearPublished;
  readonly at: string;
}

/** The scheduler's tick: decide whatever is due at `now`. */
export interface FireDue {
  readonly type: 'FireDue';
  readonly now: string;
  readonly calendar: WorkingCalendar;
}

export interface CloseDeadline {
  readonly type: 'CloseDeadline';
  readonly at: string;
  /** `met-or-late` is judged against the due instant; the others are taken as given. */
  readonly resolution: 'met-or-late' | 'cancelled' | 'automatic-outcome';
  readonly cause: string;
}

export type DeadlineCommand = OpenDeadline | SuspendDeadline | ResumeDeadline | ExtendDeadline | RecomputeDeadline | FireDue | CloseDeadline;

export interface OpenSuspension {
  readonly suspensionId: string;
  readonly from: CivilDate;
  readonly reason: SuspensionReason;
}

export interface DeadlineState {
  readonly status: 'none' | 'open' | 'closed';
  readonly opened: DeadlineOpened['data'] | null;
  readonly unit: LimitUnit;
  readonly amount: number;
  readonly suspensions: readonly Suspension[];
  readonly suspendedSince: OpenSuspension | null;
  readonly extensionIds: readonly string[];
  readonly schedule: Schedule | null;
  readonly warned: boolean;
  readonly breach: { readonly at: string; readonly followUpDue: CivilDate; readonly followUpDueAt: string } | null;
  readonly escalated: boolean;
  readonly outcomeRequested: boolean;
  readonly closed: { readonly at: string; readonly resolution: 'met' | 'late' | 'cancelled' | 'automatic-outcome' } | null;
}

export const initialDeadlineState = (): DeadlineState => ({
  status: 'none',
  opened: null,
  unit: 'working-days',
  amount: 0,
  suspensions: [],
  suspendedSince: null,
  extensionIds: [],
  schedule: null,
  warned: false,
  breach: null,
  escalated: false,
  outcomeRequested: false,
  closed: null,
});

const specOf = (state: DeadlineState, opened: DeadlineOpened['data'], extra: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  start: opened.start,
  unit: state.unit,
  amount: state.amount,
  suspensions: state.suspensions,
  ...extra,
});

const scheduleFields = (s: Schedule) => ({
  due: s.due,
  dueAt: s.dueAt,
  warnAt: s.warnAt,
  provisional: s.provisional,
  calendarVersion: s.calendarVersion,
});

/** The id of the command an automatic outcome sends: the same for every firing of one deadline. */
export const outcomeCommandId = (deadlineId: string, outcome: AutomaticOutcome): string =>
  deterministicId('supervision-automatic-outcome', `${deadlineId}\u0000${outcome}`);

function decide(command: DeadlineCommand, state: DeadlineState): DeadlineEvent[] {
  if (command.type === 'OpenDeadline') return decideOpen(command, state);
  const opened = state.opened;
  // Everything but opening is about a running deadline; a late or repeated
  // contract (a close after the close, a tick after the close) changes nothing.
  if (state.status !== 'open' || opened === null) return [];
  const ids = { deadlineId: opened.deadlineId, caseId: opened.caseId };

  switch (command.type) {
    case 'SuspendDeadline':
      if (state.suspendedSince !== null || state.breach !== null) return [];
      if (state.suspensions.some((s) => s.note === command.suspensionId)) return [];
      return [{ type: 'DeadlineSuspended', data: { ...ids, suspensionId: command.suspensionId, from: command.from, reason: command.reason, at: command.at } }];

    case 'ResumeDeadline': {
      const open = state.suspendedSince;
      if (open === null || open.suspensionId !== command.suspensionId) return [];
      // A resumption dated before its start means nothing was excluded: count it as the empty interval.
      const until = command.until < open.from ? open.from : command.until;
      const suspensions = [...state.suspensions, { from: open.from, to: until, reason: open.reason, note: open.suspensionId }];
      const schedule = computeSchedule(command.calendar, specOf(state, opened, { suspensions }), opened.warning);
      return [
        {
          type: 'DeadlineResumed',
          data: { ...ids, suspensionId: open.suspensionId, from: open.from, until, reason: open.reason, at: command.at, ...scheduleFields(schedule) },
        },
      ];
    }

    case 'ExtendDeadline': {
      if (state.extensionIds.includes(command.extensionId) || state.schedule === null) return [];
      const schedule = computeSchedule(command.calendar, specOf(state, opened, { amount: state.amount + command.units }), opened.warning);
      return [
        {
          type: 'DeadlineExtended',
          data: {
            ...ids,
            extensionId: command.extensionId,
            units: command.units,
            reason: command.reason,
            approvedBy: command.approvedBy,
            at: command.at,
            oldDue: state.schedule.due,
            ...scheduleFields(schedule),
          },
        },
      ];
    }

    case 'RecomputeDeadline': {
      // Calendar days do not depend on holidays; a carded or suspended deadline keeps the date it was carded against.
      if (state.unit !== 'working-days' || state.schedule === null || state.breach !== null || state.suspendedSince !== null) return [];
      const [recomputed] = recomputeDeadlines(command.before, command.publication, [
        { deadlineId: opened.deadlineId, start: opened.start, workingDays: state.amount, suspensions: state.suspensions, due: state.schedule.due },
      ]).recomputed;
      if (!recomputed) return [];
      const after = command.before.withSchedule(command.publication.data.schedule);
      const schedule = computeSchedule(after, specOf(state, opened), opened.warning);
      const current = state.schedule;
      if (schedule.due === current.due && schedule.provisional === current.provisional && schedule.calendarVersion === current.calendarVersion) return [];
      return [
        {
          type: 'DeadlineRecomputed',
          data: { ...ids, at: command.at, oldDue: current.due, ...scheduleFields(schedule), why: recomputed.data.why, cause: recomputed.data.cause },
        },
      ];
    }

    case 'FireDue':
      return decideFire(command, state, opened);

    case 'CloseDeadline': {
      const resolution =
        command.resolution !== 'met-or-late'
          ? command.resolution
          : state.suspendedSince !== null || state.schedule === null || Date.parse(command.at) <= Date.parse(state.schedule.dueAt)
            ? 'met'
            : 'late';
      return [{ type: 'DeadlineClosed', data: { ...ids, at: command.at, resolution, cause: command.cause } }];
    }
  }
}

function decideOpen(command: OpenDeadline, state: DeadlineState): DeadlineEvent[] {
  // The opening contract may be redelivered, and a deadline is opened once.
  if (state.status !== 'none') return [];
  const rule = DEADLINE_RULES[command.kind];
  const amount =
    command.amount ??
    (command.statedDue !== undefined
      ? amountUntil(command.calendar, rule.unit, command.start, command.statedDue)
      : rule.limit.from === 'fixed'
        ? rule.limit.amount
        : undefined);
  // A contract that cannot say how long its limit runs is refused (dead-lettered, not retried).
  if (amount === undefined) {
    throw new ValidationError(`${command.kind} deadline ${command.deadlineId} has neither a length nor a stated due date`, [{ path: '/amount', reason: 'required for this kind' }]);
  }
  const warning = command.warning ?? DEFAULT_WARNING;
  const schedule = computeSchedule(command.calendar, { start: command.start, unit: rule.unit, amount, suspensions: [] }, warning);
  return [
    {
      type: 'DeadlineOpened',
      data: {
        deadlineId: command.deadlineId,
        caseId: command.caseId,
        kind: command.kind,
        step: command.step,
        openedAt: command.openedAt,
        start: command.start,
        unit: rule.unit,
        amount,
        ...scheduleFields(schedule),
        warning,
        followUpWorkingDays: rule.followUpWorkingDays,
        automaticOutcome: rule.automaticOutcome,
        owner: command.owner,
        cause: command.cause,
      },
    },
  ];
}

function decideFire(command: FireDue, state: DeadlineState, opened: DeadlineOpened['data']): DeadlineEvent[] {
  // A suspended clock does not run: nothing warns or breaches until it resumes.
  if (state.suspendedSince !== null || state.schedule === null) return [];
  const now = Date.parse(command.now);
  const schedule = state.schedule;
  const ids = { deadlineId: opened.deadlineId, caseId: opened.caseId };
  const events: DeadlineEvent[] = [];
  const breachAt = breachInstantOf(schedule.dueAt);

  if (!state.warned && state.breach === null && now >= Date.parse(schedule.warnAt) && now < breachAt) {
    events.push({
      type: 'DeadlineWarned',
      data: { ...ids, at: command.now, due: schedule.due, dueAt: schedule.dueAt, remainingUnits: remainingUnits(command.calendar, state, command.now) },
    });
  }

  let breach = state.breach;
  if (breach === null && now >= breachAt) {
    const followUp = followUpOf(command.calendar, schedule.due, opened.followUpWorkingDays);
    breach = { at: command.now, followUpDue: followUp.due, followUpDueAt: followUp.dueAt };
    events.push({
      type: 'DeadlineBreached',
      data: { ...ids, card: 'yellow', at: command.now, due: schedule.due, dueAt: schedule.dueAt, followUpDue: followUp.due, followUpDueAt: followUp.dueAt },
    });
  }

  if (breach !== null && opened.automaticOutcome !== null && !state.outcomeRequested) {
    events.push({
      type: 'AutomaticOutcomeRequested',
      data: {
        ...ids,
        outcome: opened.automaticOutcome,
        commandId: outcomeCommandId(opened.deadlineId, opened.automaticOutcome),
        at: command.now,
        details: { step: opened.step, start: opened.start, due: schedule.due },
      },
    });
  }

  if (breach !== null && !state.escalated && now >= breachInstantOf(breach.followUpDueAt)) {
    events.push({ type: 'DeadlineEscalated', data: { ...ids, card: 'red', at: command.now, followUpDue: breach.followUpDue, followUpDueAt: breach.followUpDueAt } });
  }
  return events;
}

/** Units left at `now`, counting today when it still counts (what the warning tells the handler). */
function remainingUnits(calendar: WorkingCalendar, state: DeadlineState, now: string): number {
  const schedule = state.schedule!;
  const today = shanghaiDateOf(now);
  const remaining =
    state.unit === 'working-days'
      ? calendar.workingDaysBetween(today, schedule.due, { suspensions: state.suspensions }) + (calendar.isWorkingDay(today) ? 1 : 0)
      : amountUntil(calendar, 'calendar-days', today, schedule.due) + 1;
  return Math.max(0, remaining);
}

function evolve(state: DeadlineState, event: DeadlineEvent): DeadlineState {
  switch (event.type) {
    case 'DeadlineOpened': {
      const d = event.data;
      return {
        ...state,
        status: 'open',
        opened: d,
        unit: d.unit,
        amount: d.amount,
        schedule: { due: d.due, dueAt: d.dueAt, warnAt: d.warnAt, warnRemaining: 0, provisional: d.provisional, calendarVersion: d.calendarVersion },
      };
    }
    case 'DeadlineSuspended':
      return { ...state, suspendedSince: { suspensionId: event.data.suspensionId, from: event.data.from, reason: event.data.reason } };
    case 'DeadlineResumed': {
      const d = event.data;
      return {
        ...state,
        suspendedSince: null,
        suspensions: [...state.suspensions, { from: d.from, to: d.until, reason: d.reason, note: d.suspensionId }],
        schedule: { ...scheduleOf(d), warnRemaining: 0 },
        // A later due date may open a new warning window.
        warned: state.warned && Date.parse(d.warnAt) <= Date.parse(d.at),
      };
    }
    case 'DeadlineExtended': {
      const d = event.data;
      return {
        ...state,
        amount: state.amount + d.units,
        extensionIds: [...state.extensionIds, d.extensionId],
        schedule: { ...scheduleOf(d), warnRemaining: 0 },
        warned: state.warned && Date.parse(d.warnAt) <= Date.parse(d.at),
      };
    }
    case 'DeadlineRecomputed':
      return { ...state, schedule: { ...scheduleOf(event.data), warnRemaining: 0 }, warned: state.warned && Date.parse(event.data.warnAt) <= Date.parse(event.data.at) };
    case 'DeadlineWarned':
      return { ...state, warned: true };
    case 'DeadlineBreached':
      return { ...state, breach: { at: event.data.at, followUpDue: event.data.followUpDue, followUpDueAt: event.data.followUpDueAt } };
    case 'DeadlineEscalated':
      return { ...state, escalated: true };
    case 'AutomaticOutcomeRequested':
      return { ...state, outcomeRequested: true };
    case 'DeadlineClosed':
      return { ...state, status: 'closed', closed: { at: event.data.at, resolution: event.data.resolution } };
  }
}

const scheduleOf = (d: { due: CivilDate; dueAt: string; warnAt: string; provisional: boolean; calendarVersion: string }) => ({
  due: d.due,
  dueAt: d.dueAt,
  warnAt: d.warnAt,
  provisional: d.provisional,
  calendarVersion: d.calendarVersion,
});

export const deadlineDecider: Decider<DeadlineState, DeadlineCommand, DeadlineEvent> = {
  decide,
  evolve,
  initialState: initialDeadlineState,
};

/**
 * The next instant the scheduler must look at this deadline, or null when
 * nothing more fires (closed, suspended, or already red). What the index
 * sorts by.
 */
export function nextFireAt(state: DeadlineState): number | null {
  if (state.status !== 'open' || state.suspendedSince !== null || state.schedule === null) return null;
  const s = state.schedule;
  if (state.breach === null) {
    const breachAt = breachInstantOf(s.dueAt);
    const warnAt = instantOf(s.warnAt);
    return !state.warned && warnAt < breachAt ? warnAt : breachAt;
  }
  if (!state.escalated) return breachInstantOf(state.breach.followUpDueAt);
  return null;
}

/** The colour a deadline shows on the console: the strongest signal it has received and that still stands. */
export function cardOf(state: DeadlineState): 'warning' | 'yellow' | 'red' | null {
  if (state.status !== 'open') return null;
  if (state.escalated) return 'red';
  if (state.breach !== null) return 'yellow';
  if (state.warned) return 'warning';
  return null;
}
