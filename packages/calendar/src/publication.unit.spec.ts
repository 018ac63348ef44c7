import { beforeAll, describe, expect, it } from 'vitest';
import { deciderSpec } from '@govsvc/testkit/decider';
import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { hypothetical2027 } from '../test/fixtures.ts';
import { loadCalendar } from './data-files.ts';
import { computeDeadline } from './deadline.ts';
import {
  calendarDecider,
  calendarYearPublishedSchema,
  deadlineRecomputedSchema,
  recomputeDeadlines,
  type CalendarYearPublished,
  type PublishCalendarYear,
} from './publication.ts';
import { parseYearSchedule } from './schedule.ts';
import type { WorkingCalendar } from './working-calendar.ts';

const spec = deciderSpec(calendarDecider);
const publishedAt = '2026-11-20T10:00:00+08:00';
const publish = (schedule: unknown): PublishCalendarYear => ({ type: 'PublishCalendarYear', schedule, publishedAt, publishedBy: 'ops-zhang' });
const published = (schedule: unknown): CalendarYearPublished => ({
  type: 'CalendarYearPublished',
  schemaVersion: 1,
  data: { schedule: parseYearSchedule(schedule), publishedAt, publishedBy: 'ops-zhang' },
});

describe('publishing a year (CalendarYearPublished)', () => {
  it('publishes a new year as version 1, days sorted, with source, time and actor', () => {
    const shuffled = { ...hypothetical2027, holidays: [...hypothetical2027.holidays].reverse() };
    spec.given([]).when(publish(shuffled)).then([published(hypothetical2027)]);
  });

  it('the event survives JSON and its schema', () => {
    const [event] = calendarDecider.decide(publish(hypothetical2027), calendarDecider.initialState());
    expect(calendarYearPublishedSchema.parse(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it('re-publishing the version in force unchanged is a no-op', () => {
    spec.given([published(hypothetical2027)]).when(publish(hypothetical2027)).thenNothingHappens();
  });

  it('revises a year only as the next version', () => {
    const v2 = { ...hypothetical2027, version: 2, workdays: [] };
    spec.given([published(hypothetical2027)]).when(publish(v2)).then([published(v2)]);
    spec.given([]).when(publish(v2)).thenThrows(RuleViolation, (e) => e.rule === 'calendar.version-sequence');
    spec
      .given([published(hypothetical2027)])
      .when(publish({ ...hypothetical2027, workdays: [] }))
      .thenThrows(RuleViolation, (e) => /publish version 2/.test(e.message));
  });

  it('refuses a bad schedule with every problem and its path at once', () => {
    const bad = {
      ...hypothetical2027,
      source: undefined,
      holidays: [{ date: '2027-02-30', name: '春节' }, { date: '2025-10-01', name: '国庆节' }, ...hypothetical2027.holidays],
      workdays: [{ date: '2027-02-10', name: '春节' }, { date: '2027-02-22', name: '' }],
    };
    const error = spec.given([]).when(publish(bad)).thenThrows(ValidationError);
    expect(error.issues.map((i) => i.path).sort()).toEqual([
      '/holidays/0/date',
      '/holidays/1/date',
      '/source',
      '/workdays/0/date',
      '/workdays/0/date',
      '/workdays/1/date',
      '/workdays/1/name',
    ]);
    expect(error.issues.find((i) => i.path === '/holidays/1/date')?.reason).toMatch(/outside the 2027 notice's reach/);
    expect(error.issues.filter((i) => i.path === '/workdays/0/date').map((i) => i.reason).join(' ')).toMatch(/listed twice.*weekday|weekday.*listed twice/);
  });

  it('refuses a publication without time or actor', () => {
    const error = spec
      .given([])
      .when({ ...publish(hypothetical2027), publishedAt: 'now', publishedBy: ' ' })
      .thenThrows(ValidationError);
    expect(error.issues.map((i) => i.path)).toEqual(['publishedAt', 'publishedBy']);
  });
});

describe('recomputing deadlines when a year is published (DeadlineRecomputed)', () => {
  let before: WorkingCalendar;
  beforeAll(async () => {
    before = await loadCalendar();
  });

  it('recomputes a provisional deadline across 春节 2027 with old due, new due and the days that changed', () => {
    const open = { deadlineId: 'review-42', start: '2027-02-01', workingDays: 5 };
    const provisional = computeDeadline(before, open);
    expect(provisional).toMatchObject({ due: '2027-02-10', provisional: true, awaitingYears: [2027] });

    const { calendar, recomputed } = recomputeDeadlines(before, published(hypothetical2027), [{ ...open, due: provisional.due }]);
    expect(calendar.versionOf(2027)).toBe(1);
    expect(recomputed).toHaveLength(1);
    const [event] = recomputed;
    expect(deadlineRecomputedSchema.parse(event)).toEqual(event);
    expect(event?.data).toMatchObject({
      deadlineId: 'review-42',
      oldDue: '2027-02-10',
      newDue: '2027-02-16',
      newDueAt: '2027-02-16T23:59:59.999+08:00',
      changed: true,
      provisional: false,
      calendarVersion: '2027@1',
      cause: { year: 2027, version: 1 },
    });
    expect(event?.data.dayChanges.map((c) => [c.date, c.before.kind, c.after.kind, c.after.name])).toEqual([
      ['2027-02-09', 'workday', 'holiday', '春节'],
      ['2027-02-10', 'workday', 'holiday', '春节'],
      ['2027-02-11', 'workday', 'holiday', '春节'],
      ['2027-02-12', 'workday', 'holiday', '春节'],
    ]);
    expect(event?.data.why).toContain('2027-02-09 由工作日改为春节假日');
    expect(event?.data.why).toContain('届满日由2027-02-10改为2027-02-16');
  });

  it('a deadline crossing from 2026 into 2027 keeps its due date but stops being provisional', () => {
    const open = { deadlineId: 'accept-7', start: '2026-12-18', workingDays: 10 };
    const provisional = computeDeadline(before, open);
    expect(provisional).toMatchObject({ due: '2027-01-04', provisional: true });
    const { recomputed } = recomputeDeadlines(before, published(hypothetical2027), [{ ...open, due: provisional.due }]);
    expect(recomputed[0]?.data).toMatchObject({ oldDue: '2027-01-04', newDue: '2027-01-04', changed: false, provisional: false });
    expect(recomputed[0]?.data.calendarVersion).toBe('2026@1+2027@1');
    // 元旦 (Jan 1) was already known; Jan 2–3 were weekend days and are now named holidays: no working-day change.
    expect(recomputed[0]?.data.dayChanges.every((c) => c.before.working === c.after.working)).toBe(true);
  });

  it('leaves deadlines the published year does not touch alone', () => {
    const { recomputed } = recomputeDeadlines(before, published(hypothetical2027), [
      { deadlineId: 'done-in-march', start: '2026-03-02', workingDays: 20, due: '2026-03-30' },
    ]);
    expect(recomputed).toEqual([]);
  });
});
