import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '@govsvc/errors/errors';
import { loadCalendar } from './data-files.ts';
import { computeDeadline, explainDeadline } from './deadline.ts';
import type { WorkingCalendar } from './working-calendar.ts';

let calendar: WorkingCalendar;
beforeAll(async () => {
  calendar = await loadCalendar();
});

describe('explainDeadline', () => {
  it('R-ACC-2: lists counted and skipped days with reasons across 国庆 2024', () => {
    const e = explainDeadline(calendar, { start: '2024-09-27', workingDays: 3 });
    expect(e.due).toBe('2024-10-08');
    expect(e.dueAt).toBe('2024-10-08T23:59:59.999+08:00');
    expect(e.provisional).toBe(false);
    expect(e.counted.map((d) => [d.date, d.ordinal, d.kind])).toEqual([
      ['2024-09-29', 1, 'adjusted-workday'],
      ['2024-09-30', 2, 'workday'],
      ['2024-10-08', 3, 'workday'],
    ]);
    expect(e.counted[0]).toMatchObject({ weekday: '周日', festival: '国庆节' });
    expect(e.skipped.map((d) => [d.date, d.reason.kind])).toEqual([
      ['2024-09-28', 'weekend'],
      ...['01', '02', '03', '04', '05', '06', '07'].map((d) => [`2024-10-${d}`, 'holiday']),
    ]);
    expect(e.skipped[1]?.reason).toEqual({ kind: 'holiday', name: '国庆节', label: '国庆节假期' });
    expect(e.calendar).toEqual({
      version: '2024@1',
      years: [{ year: 2024, version: 1, source: '国办发明电〔2023〕7号' }],
    });
    expect(e.convention).toMatch(/第八十二条/);
  });

  it('names the suspension and its reason for suspended working days, and keeps the holiday reason for holidays inside it', () => {
    const e = explainDeadline(calendar, {
      start: '2024-09-23',
      workingDays: 10,
      suspensions: [{ from: '2024-09-27', to: '2024-10-09', reason: 'expert-review', note: '食品安全专家评审' } as never],
    });
    expect(e.due).toBe('2024-10-17');
    const byDate = new Map<string, (typeof e.skipped)[number]>(e.skipped.map((d) => [d.date, d]));
    expect(byDate.get('2024-09-30')?.reason).toEqual({
      kind: 'suspension',
      reason: 'expert-review',
      note: '食品安全专家评审',
      label: '中止计时：专家评审',
    });
    expect(byDate.get('2024-10-02')).toMatchObject({ reason: { kind: 'holiday', name: '国庆节' }, duringSuspension: 'expert-review' });
    expect(e.skipped.filter((d) => d.reason.kind === 'suspension')).toHaveLength(5);
    expect(e.counted).toHaveLength(10);
  });

  it('marks a deadline that runs into 2027 as provisional and names the year it awaits', () => {
    const e = explainDeadline(calendar, { start: '2026-12-18', workingDays: 10 });
    expect(e.due).toBe('2027-01-04');
    expect(e.provisional).toBe(true);
    expect(e.awaitingYears).toEqual([2027]);
    expect(e.calendar.version).toBe('2026@1+2027@provisional');
    expect(e.skipped.find((d) => d.date === '2027-01-01')).toMatchObject({ reason: { kind: 'holiday', name: '元旦' }, certain: false });
    expect(e.counted.filter((d) => !d.certain).map((d) => d.date)).toEqual([
      '2026-12-25',
      '2026-12-28',
      '2026-12-29',
      '2026-12-30',
      '2026-12-31',
      '2027-01-04',
    ]);
  });

  it('a deadline wholly inside published years is certain', () => {
    const d = computeDeadline(calendar, { start: '2026-03-02', workingDays: 20 });
    expect(d).toMatchObject({ provisional: false, awaitingYears: [], calendarVersion: '2026@1' });
    expect(d.due).toBe('2026-03-30');
  });

  it('zero working days is due on the start day and counts nothing', () => {
    const e = explainDeadline(calendar, { start: '2024-10-03', workingDays: 0 });
    expect(e).toMatchObject({ due: '2024-10-03', counted: [], skipped: [], provisional: false });
  });

  it('reports malformed suspensions with their paths', () => {
    let caught: unknown;
    try {
      explainDeadline(calendar, {
        start: '2024-09-23',
        workingDays: 3,
        suspensions: [{ from: '2024-10-09', to: '2024-09-27', reason: 'nap' } as never],
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).issues.map((i) => i.path).sort()).toEqual(['/suspensions/0/reason', '/suspensions/0/to']);
  });
});
