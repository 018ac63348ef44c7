import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '@govsvc/errors/errors';
import { civilDate } from '@govsvc/calendar/civil-date';
import { loadSchedules } from '@govsvc/calendar/data-files';
import { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import type { YearSchedule } from '@govsvc/calendar/schedule';
import { deciderSpec } from '@govsvc/testkit/decider';
import { fold } from '@govsvc/eventstore/decider';
import {
  cardOf,
  deadlineDecider,
  nextFireAt,
  outcomeCommandId,
  type DeadlineCommand,
  type OpenDeadline,
} from './deadline-decider.ts';
import type { DeadlineEvent } from './deadline-events.ts';
import { deadlineIdOf, type DeadlineKind } from './kinds.ts';

let calendar: WorkingCalendar;
let schedules: YearSchedule[];
beforeAll(async () => {
  schedules = await loadSchedules();
  calendar = WorkingCalendar.fromSchedules(schedules);
});

const spec = deciderSpec(deadlineDecider);
const owner = { department: '北京市市场监督管理局', centre: 'centre-chaoyang', itemCode: 'ITEM-0001', itemName: '食品经营许可', guideVersion: '2025.1' };

const open = (kind: DeadlineKind, start: string, more: Partial<OpenDeadline> = {}): OpenDeadline => ({
  type: 'OpenDeadline',
  deadlineId: deadlineIdOf('BJ-1', kind, more.step ?? 'main'),
  caseId: 'BJ-1',
  kind,
  step: 'main',
  openedAt: `${start}T10:00:00+08:00`,
  start: civilDate(start),
  owner,
  cause: 'test',
  calendar,
  ...more,
});

/** Runs commands in order, each against the state the earlier ones produced; returns every event. */
function run(commands: readonly DeadlineCommand[]): DeadlineEvent[] {
  const events: DeadlineEvent[] = [];
  for (const command of commands) events.push(...deadlineDecider.decide(command, fold(deadlineDecider, events)));
  return events;
}
const tick = (now: string): DeadlineCommand => ({ type: 'FireDue', now, calendar });
const opened = (events: DeadlineEvent[]) => events.find((e) => e.type === 'DeadlineOpened')!.data as Extract<DeadlineEvent, { type: 'DeadlineOpened' }>['data'];

describe('deadline decider: due dates on the real calendar', () => {
  it('R-ACC-2: submitted Friday 2025-01-24, the acceptance decision is due on the adjusted working Sunday 2025-01-26 (调休)', () => {
    const [event] = run([open('acceptance', '2025-01-24')]);
    expect(event).toMatchObject({
      type: 'DeadlineOpened',
      data: { due: '2025-01-26', dueAt: '2025-01-26T23:59:59.999+08:00', warnAt: '2025-01-26T00:00:00+08:00', unit: 'working-days', amount: 1, provisional: false },
    });
  });

  it('R-ACC-2: submitted Monday 2025-01-27 before Spring Festival, due on Wednesday 2025-02-05 after the holiday', () => {
    expect(opened(run([open('acceptance', '2025-01-27')])).due).toBe('2025-02-05');
  });

  it('Licensing Law Art. 32: deemed acceptance 5 working days from Friday 2025-09-26 counts the adjusted Sunday and skips National Day: due 2025-10-10', () => {
    const events = run([open('deemed-acceptance', '2025-09-26')]);
    expect(opened(events)).toMatchObject({ due: '2025-10-10', automaticOutcome: 'deemed-accepted', followUpWorkingDays: 1 });
  });

  it('R-REV-1 / Art. 45: an expert review suspends the decision clock across National Day; the due date moves by the excluded working days only', () => {
    // 20 working days from 2025-09-15: 9/16–9/30 (12, incl. the 调休 Sunday 9/28), 10/9–10/17 (8, incl. the 调休 Saturday 10/11).
    const base = opened(run([open('decision-statutory', '2025-09-15', { amount: 20 })]));
    expect(base.due).toBe('2025-10-17');
    const events = run([
      open('decision-statutory', '2025-09-15', { amount: 20 }),
      { type: 'SuspendDeadline', suspensionId: 'excl-1', from: civilDate('2025-09-29'), reason: 'expert-review', at: '2025-09-28T17:00:00+08:00' },
      tick('2025-10-25T00:00:00+08:00'), // suspended: nothing fires even past the old due date
      { type: 'ResumeDeadline', suspensionId: 'excl-1', until: civilDate('2025-10-10'), at: '2025-10-10T18:00:00+08:00', calendar },
    ]);
    expect(events.map((e) => e.type)).toEqual(['DeadlineOpened', 'DeadlineSuspended', 'DeadlineResumed']);
    // Excluded: 9/29, 9/30, 10/9, 10/10 are working days (the holiday 10/1–10/8 would not have counted anyway) → 4 working days later.
    expect(events[2]).toMatchObject({ data: { due: '2025-10-23', from: '2025-09-29', until: '2025-10-10', reason: 'expert-review' } });
  });

  it('R-REV-1 / Art. 42: an approved extension of 10 working days moves the due date across a weekend', () => {
    const events = run([
      open('decision-statutory', '2025-03-03', { amount: 20 }),
      { type: 'ExtendDeadline', extensionId: 'ext-1', units: 10, reason: '情况复杂', approvedBy: 'head-1', at: '2025-03-25T09:00:00+08:00', calendar },
      { type: 'ExtendDeadline', extensionId: 'ext-1', units: 10, reason: '情况复杂', approvedBy: 'head-1', at: '2025-03-25T09:00:00+08:00', calendar },
    ]);
    expect(opened(events).due).toBe('2025-03-31');
    expect(events).toHaveLength(2); // the same extension twice extends once
    // 10 more working days after 3/31, skipping 清明 4/4: 4/1,2,3,7,8,9,10,11,14,15.
    expect(events[1]).toMatchObject({ type: 'DeadlineExtended', data: { oldDue: '2025-03-31', due: '2025-04-15', units: 10 } });
  });

  it('R-REV-4: a renewal counts calendar days up to the licence expiry', () => {
    const data = opened(run([open('renewal', '2025-03-20', { statedDue: '2025-04-30' })]));
    expect(data).toMatchObject({ unit: 'calendar-days', amount: 41, due: '2025-04-30', calendarVersion: 'calendar-days', automaticOutcome: 'renewal-deemed-granted' });
  });

  it('R-EVAL-3: a bad rating is rectified within 7 calendar days, holidays included', () => {
    expect(opened(run([open('rating-rectification', '2025-09-30', { amount: 7 })])).due).toBe('2025-10-07');
  });

  it('R-CAT-7: a new proof is filed within 15 working days', () => {
    // From 2025-04-25 (Fri): the 调休 Sunday 4/27 and 4/28–4/30 count (4), 5/1–5/5 are off, 5/6–5/20 give the other 11.
    expect(opened(run([open('proof-filing', '2025-04-25')])).due).toBe('2025-05-20');
  });

  it('R-ACC-2: a supplement deadline stated on the notice is counted as the working days up to it', () => {
    expect(opened(run([open('supplement', '2025-03-03', { statedDue: '2025-03-14' })]))).toMatchObject({ amount: 9, due: '2025-03-14' });
  });

  it('recomputes a provisional deadline when its year is published, and says why', () => {
    const without2025 = WorkingCalendar.fromSchedules(schedules.filter((s) => s.year !== 2025));
    const events = run([open('acceptance', '2025-01-24', { calendar: without2025 })]);
    expect(opened(events)).toMatchObject({ due: '2025-01-27', provisional: true });
    const schedule2025 = schedules.find((s) => s.year === 2025)!;
    const publication = { type: 'CalendarYearPublished' as const, schemaVersion: 1 as const, data: { schedule: schedule2025, publishedAt: '2024-11-12T17:00:00+08:00', publishedBy: 'ops' } };
    const state = fold(deadlineDecider, events);
    const recomputed = deadlineDecider.decide({ type: 'RecomputeDeadline', before: without2025, publication, at: '2024-11-12T17:00:01+08:00' }, state);
    expect(recomputed).toHaveLength(1);
    expect(recomputed[0]).toMatchObject({ type: 'DeadlineRecomputed', data: { oldDue: '2025-01-27', due: '2025-01-26', provisional: false, cause: { year: 2025, version: 1 } } });
    expect((recomputed[0]!.data as { why: string }).why).toContain('2025-01-26');
    // Publishing it again changes nothing.
    const after = fold(deadlineDecider, [...events, ...recomputed]);
    expect(deadlineDecider.decide({ type: 'RecomputeDeadline', before: without2025.withSchedule(schedule2025), publication, at: '2024-11-12T17:00:02+08:00' }, after)).toEqual([]);
  });
});

describe('deadline decider: warning → yellow card → red card', () => {
  it('R-REV-1: a 10-working-day promise warns 2 working days before (20%), cards yellow after the due day and red when the 3-day follow-up is missed', () => {
    const first = open('decision-promised', '2025-03-03', { amount: 10 }); // due 2025-03-17 (Mon)
    const base = run([first]);
    expect(opened(base)).toMatchObject({ due: '2025-03-17', warnAt: '2025-03-14T00:00:00+08:00' });
    const state0 = fold(deadlineDecider, base);
    expect(nextFireAt(state0)).toBe(Date.parse('2025-03-14T00:00:00+08:00'));

    // Before the warning instant nothing happens.
    spec.given(base).when(tick('2025-03-13T23:59:59+08:00')).thenNothingHappens();

    const warned = [...base, ...run([first, tick('2025-03-14T00:00:05+08:00')]).slice(1)];
    expect(warned.map((e) => e.type)).toEqual(['DeadlineOpened', 'DeadlineWarned']);
    expect(warned[1]).toMatchObject({ data: { remainingUnits: 2, due: '2025-03-17' } });
    expect(cardOf(fold(deadlineDecider, warned))).toBe('warning');
    expect(nextFireAt(fold(deadlineDecider, warned))).toBe(Date.parse('2025-03-18T00:00:00+08:00'));
    // A second tick the same day does not warn twice.
    spec.given(warned).when(tick('2025-03-14T09:00:00+08:00')).thenNothingHappens();
    // The last millisecond of the due day is still in time.
    spec.given(warned).when(tick('2025-03-17T23:59:59.999+08:00')).thenNothingHappens();

    const yellow = [...warned, ...deadlineDecider.decide(tick('2025-03-18T00:00:00+08:00'), fold(deadlineDecider, warned))];
    expect(yellow[2]).toEqual({
      type: 'DeadlineBreached',
      data: {
        deadlineId: first.deadlineId,
        caseId: 'BJ-1',
        card: 'yellow',
        at: '2025-03-18T00:00:00+08:00',
        due: civilDate('2025-03-17'),
        dueAt: '2025-03-17T23:59:59.999+08:00',
        followUpDue: civilDate('2025-03-20'),
        followUpDueAt: '2025-03-20T23:59:59.999+08:00',
      },
    });
    expect(cardOf(fold(deadlineDecider, yellow))).toBe('yellow');
    spec.given(yellow).when(tick('2025-03-20T12:00:00+08:00')).thenNothingHappens();

    spec.given(yellow).when(tick('2025-03-21T00:00:00+08:00')).then([
      {
        type: 'DeadlineEscalated',
        data: { deadlineId: first.deadlineId, caseId: 'BJ-1', card: 'red', at: '2025-03-21T00:00:00+08:00', followUpDue: civilDate('2025-03-20'), followUpDueAt: '2025-03-20T23:59:59.999+08:00' },
      },
    ]);
    const red = run([first, tick('2025-03-14T00:00:05+08:00'), tick('2025-03-18T00:00:00+08:00'), tick('2025-03-21T00:00:00+08:00')]);
    expect(cardOf(fold(deadlineDecider, red))).toBe('red');
    expect(nextFireAt(fold(deadlineDecider, red))).toBeNull();
    spec.given(red).when(tick('2025-04-30T00:00:00+08:00')).thenNothingHappens();
    // Deciding late closes it as late, and it leaves the board.
    spec.given(red).when({ type: 'CloseDeadline', at: '2025-03-24T10:00:00+08:00', resolution: 'met-or-late', cause: 'review.decision-made.v1' }).thenSatisfies((events, after) => {
      expect(events).toMatchObject([{ type: 'DeadlineClosed', data: { resolution: 'late' } }]);
      expect(cardOf(after)).toBeNull();
      expect(nextFireAt(after)).toBeNull();
    });
  });

  it('a scheduler that was down fires the yellow and the red card in one tick, and never a stale warning', () => {
    const events = run([open('decision-promised', '2025-03-03', { amount: 10 }), tick('2025-04-01T08:00:00+08:00')]);
    expect(events.map((e) => e.type)).toEqual(['DeadlineOpened', 'DeadlineBreached', 'DeadlineEscalated']);
  });

  it('R-CAT-11: a step over its own limit gets its yellow card while the whole case is still on time', () => {
    const decision = [open('decision-promised', '2025-03-03', { amount: 10 })];
    const step = [open('step', '2025-03-03', { step: 'site-inspection', deadlineId: deadlineIdOf('BJ-1', 'step', 'site-inspection'), amount: 2 })];
    const at = '2025-03-06T00:00:00+08:00'; // the step was due 2025-03-05; the case is due 2025-03-17
    expect(run([...step, tick(at)]).map((e) => e.type)).toEqual(['DeadlineOpened', 'DeadlineBreached']);
    expect(run([...decision, tick(at)]).map((e) => e.type)).toEqual(['DeadlineOpened']);
  });

  it('refuses to open a limit whose length is unknown (a step without its own limit)', () => {
    spec.given([]).when(open('step', '2025-03-03')).thenThrows(ValidationError, (e) => e.issues[0]?.path === '/amount');
  });

  it('a met deadline closes as met and never fires afterwards', () => {
    const events = run([open('acceptance', '2025-03-03'), { type: 'CloseDeadline', at: '2025-03-04T16:00:00+08:00', resolution: 'met-or-late', cause: 'intake.case-accepted.v2' }]);
    expect(events[1]).toMatchObject({ type: 'DeadlineClosed', data: { resolution: 'met' } });
    spec.given(events).when(tick('2025-03-10T00:00:00+08:00')).thenNothingHappens();
    spec.given(events).when({ type: 'CloseDeadline', at: '2025-03-05T00:00:00+08:00', resolution: 'met-or-late', cause: 'again' }).thenNothingHappens();
    spec.given(events).when(open('acceptance', '2025-03-03')).thenNothingHappens();
  });
});

describe('deadline decider: automatic outcomes', () => {
  it('Art. 32: with no notice in 5 working days, the breach requests deemed acceptance once, with a deterministic command id', () => {
    const first = open('deemed-acceptance', '2025-09-26');
    const events = run([first, tick('2025-10-11T00:00:01+08:00'), tick('2025-10-11T00:05:00+08:00')]);
    expect(events.map((e) => e.type)).toEqual(['DeadlineOpened', 'DeadlineBreached', 'AutomaticOutcomeRequested']);
    expect(events[2]).toMatchObject({
      data: { outcome: 'deemed-accepted', commandId: outcomeCommandId(first.deadlineId, 'deemed-accepted'), details: { start: '2025-09-26', due: '2025-10-10' } },
    });
    // The owning service records the deemed acceptance: the deadline closes by its automatic outcome.
    spec.given(events).when({ type: 'CloseDeadline', at: '2025-10-11T00:00:02+08:00', resolution: 'automatic-outcome', cause: 'intake.case-accepted.v2' }).then([
      { type: 'DeadlineClosed', data: { deadlineId: first.deadlineId, caseId: 'BJ-1', at: '2025-10-11T00:00:02+08:00', resolution: 'automatic-outcome', cause: 'intake.case-accepted.v2' } },
    ]);
  });

  it('R-REV-4: an undecided renewal is deemed granted after the expiry day', () => {
    const events = run([open('renewal', '2025-03-20', { statedDue: '2025-04-30' }), tick('2025-05-01T00:00:00+08:00')]);
    expect(events.slice(1).map((e) => [e.type, (e.data as { outcome?: string }).outcome])).toEqual([
      ['DeadlineBreached', undefined],
      ['AutomaticOutcomeRequested', 'renewal-deemed-granted'],
    ]);
  });

  it('R-ACC-2: tolerated deficiencies not supplemented by the stated deadline require a refusal decision', () => {
    const events = run([open('tolerated-deficiency', '2025-03-03', { statedDue: '2025-03-10' }), tick('2025-03-11T00:00:00+08:00')]);
    expect(events.at(-1)).toMatchObject({ type: 'AutomaticOutcomeRequested', data: { outcome: 'refusal-decision-required' } });
  });

  it('a deadline without an outcome in law requests none', () => {
    expect(run([open('acceptance', '2025-03-03'), tick('2025-03-05T00:00:00+08:00')]).map((e) => e.type)).toEqual(['DeadlineOpened', 'DeadlineBreached']);
  });
});
