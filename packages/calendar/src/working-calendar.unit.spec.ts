import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import chineseDays from 'chinese-days';
import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { addDays, civilDate, datesInRange, type CivilDate } from './civil-date.ts';
import { loadCalendar } from './data-files.ts';
import type { Suspension } from './suspension.ts';
import { WorkingCalendar } from './working-calendar.ts';

let calendar: WorkingCalendar;
beforeAll(async () => {
  calendar = await loadCalendar();
});

describe('2024 (国办发明电〔2023〕7号)', () => {
  it('春节: Feb 10–17 off, Sun Feb 4 and Sun Feb 18 worked; 除夕 Feb 9 was an ordinary Friday', () => {
    for (const d of datesInRange(civilDate('2024-02-10'), civilDate('2024-02-17'))) {
      expect(calendar.dayStatus(d)).toMatchObject({ working: false, kind: 'holiday', name: '春节', certain: true });
    }
    expect(calendar.dayStatus('2024-02-04')).toMatchObject({ working: true, kind: 'adjusted-workday', name: '春节' });
    expect(calendar.dayStatus('2024-02-18')).toMatchObject({ working: true, kind: 'adjusted-workday', name: '春节' });
    expect(calendar.isWorkingDay('2024-02-09')).toBe(true);
    expect(calendar.addWorkingDays('2024-02-09', 1)).toBe('2024-02-18');
  });

  it('国庆: Oct 1–7 off, Sun Sep 29 and Sat Oct 12 worked', () => {
    expect(calendar.addWorkingDays('2024-09-27', 1)).toBe('2024-09-29');
    expect(calendar.addWorkingDays('2024-09-30', 1)).toBe('2024-10-08');
    expect(calendar.addWorkingDays('2024-09-30', 5)).toBe('2024-10-12');
    expect(calendar.workingDaysBetween('2024-09-27', '2024-10-12')).toBe(7);
    expect(calendar.isWorkingDay('2024-10-13')).toBe(false);
  });

  it('R-ACC-2: an application submitted on a holiday is decided by the end of the first working day after it', () => {
    expect(calendar.addWorkingDays('2024-10-03', 1)).toBe('2024-10-08');
    expect(calendar.nextWorkingDay('2024-10-03')).toBe('2024-10-08');
  });

  it('R-ACC-2: submitted on a 调休 working Sunday, that day is not counted: due Monday', () => {
    expect(calendar.isWorkingDay('2024-02-04')).toBe(true);
    expect(calendar.addWorkingDays('2024-02-04', 1)).toBe('2024-02-05');
    expect(calendar.addWorkingDays('2024-02-02', 1)).toBe('2024-02-04');
  });
});

describe('2025 (国办发明电〔2024〕12号)', () => {
  it('春节: Jan 28–Feb 4 off, Sun Jan 26 and Sat Feb 8 worked', () => {
    expect(calendar.addWorkingDays('2025-01-24', 1)).toBe('2025-01-26');
    expect(calendar.addWorkingDays('2025-01-27', 1)).toBe('2025-02-05');
    expect(calendar.addWorkingDays('2025-01-27', 4)).toBe('2025-02-08');
    expect(calendar.dayStatus('2025-01-28')).toMatchObject({ kind: 'holiday', name: '春节' });
  });

  it('国庆 and 中秋 together: Oct 1–8 off, Sun Sep 28 and Sat Oct 11 worked', () => {
    expect(calendar.addWorkingDays('2025-09-26', 1)).toBe('2025-09-28');
    expect(calendar.addWorkingDays('2025-09-30', 1)).toBe('2025-10-09');
    expect(calendar.addWorkingDays('2025-09-30', 3)).toBe('2025-10-11');
    expect(calendar.dayStatus('2025-10-06')).toMatchObject({ kind: 'holiday', name: '中秋节' });
    expect(calendar.workingDaysBetween('2025-09-30', '2025-10-08')).toBe(0);
  });

  it('R-CAT-7: a new proof filed within 15 working days of 2025-09-22 is due on 2025-10-17', () => {
    // Sep 23–26 (4), Sun Sep 28 (5), Sep 29–30 (7), Oct 9–11 with Sat Oct 11 (10), Oct 13–17 (15).
    expect(calendar.addWorkingDays('2025-09-22', 15)).toBe('2025-10-17');
  });
});

describe('2026 (国办发明电〔2025〕7号, as chinese-days has it and the notice says)', () => {
  it('元旦 Jan 1–3 off with Sun Jan 4 worked', () => {
    expect(calendar.isWorkingDay('2026-01-02')).toBe(false);
    expect(calendar.dayStatus('2026-01-04')).toMatchObject({ kind: 'adjusted-workday', name: '元旦' });
  });

  it('春节 (正月初一 Feb 17): Feb 15–23 off, Sat Feb 14 and Sat Feb 28 worked', () => {
    expect(calendar.addWorkingDays('2026-02-13', 1)).toBe('2026-02-14');
    expect(calendar.addWorkingDays('2026-02-14', 1)).toBe('2026-02-24');
    expect(calendar.addWorkingDays('2026-02-24', 4)).toBe('2026-02-28');
    expect(datesInRange(civilDate('2026-02-15'), civilDate('2026-02-23')).every((d) => !calendar.isWorkingDay(d))).toBe(true);
  });

  it('中秋 Sep 25–27 and 国庆 Oct 1–7 off, Sun Sep 20 and Sat Oct 10 worked', () => {
    expect(calendar.addWorkingDays('2026-09-18', 1)).toBe('2026-09-20');
    expect(calendar.addWorkingDays('2026-09-24', 1)).toBe('2026-09-28');
    expect(calendar.addWorkingDays('2026-09-30', 1)).toBe('2026-10-08');
    expect(calendar.addWorkingDays('2026-10-09', 1)).toBe('2026-10-10');
  });
});

describe('clock suspension', () => {
  const expertReview: Suspension = { from: civilDate('2024-09-27'), to: civilDate('2024-10-09'), reason: 'expert-review' };

  it('R-REV-1: a suspension across 国庆 shifts the deadline by the working days it covers, holidays not twice', () => {
    expect(calendar.addWorkingDays('2024-09-23', 10)).toBe('2024-10-11');
    // Covered working days: Sep 27, Sep 29 (调休), Sep 30, Oct 8, Oct 9 = 5.
    expect(calendar.workingDaysBetween('2024-09-26', '2024-10-09') - calendar.workingDaysBetween('2024-09-26', '2024-10-09', { suspensions: [expertReview] })).toBe(5);
    const due = calendar.addWorkingDays('2024-09-23', 10, { suspensions: [expertReview] });
    expect(due).toBe('2024-10-17');
    expect(calendar.workingDaysBetween('2024-10-11', due)).toBe(5);
  });

  it('overlapping suspensions count each day once', () => {
    const testing: Suspension = { from: civilDate('2024-10-08'), to: civilDate('2024-10-10'), reason: 'testing' };
    expect(calendar.addWorkingDays('2024-09-23', 10, { suspensions: [expertReview, testing] })).toBe('2024-10-18');
    expect(calendar.addWorkingDays('2024-09-23', 10, { suspensions: [expertReview, expertReview] })).toBe('2024-10-17');
  });
});

describe('a year with no published schedule (2027 here)', () => {
  it('is computed on weekends and the statutory holidays, and says it is not certain', () => {
    expect(calendar.publishedYears()).not.toContain(2027);
    expect(calendar.dayStatus('2027-01-01')).toMatchObject({ working: false, kind: 'holiday', name: '元旦', certain: false });
    expect(calendar.dayStatus('2027-02-05')).toMatchObject({ working: false, name: '春节', certain: false });
    expect(calendar.dayStatus('2027-02-08')).toMatchObject({ working: false, name: '春节', certain: false });
    expect(calendar.dayStatus('2027-02-09')).toMatchObject({ working: true, kind: 'workday', certain: false });
    expect(calendar.dayStatus('2027-10-04')).toMatchObject({ working: true, certain: false });
  });

  it('does not repeat chinese-days\' bug of treating an unknown year\'s 1 January as a working Friday', () => {
    expect(chineseDays.isWorkday('2027-01-01')).toBe(true);
    expect(calendar.isWorkingDay('2027-01-01')).toBe(false);
    expect(chineseDays.findWorkday(1, '2026-12-31')).toBe('2027-01-01');
    expect(calendar.addWorkingDays('2026-12-31', 1)).toBe('2027-01-04');
  });

  it('treats the last days of December as uncertain until the next notice is out (元旦 has reached back before)', () => {
    expect(calendar.dayStatus('2026-12-24').certain).toBe(true);
    expect(calendar.dayStatus('2026-12-25')).toMatchObject({ certain: false, governedBy: [2026, 2027] });
    // The 2012 notice made Sat 2011-12-31 a working day.
    expect(calendar.dayStatus('2011-12-31')).toMatchObject({ working: true, kind: 'adjusted-workday', name: '元旦', certain: true });
  });

  it('refuses to count into years it knows nothing of', () => {
    expect(() => calendar.isWorkingDay('2003-05-01')).toThrow(RuleViolation);
    expect(() => calendar.addWorkingDays('2050-12-20', 30)).toThrow(/refuses to guess/);
  });
});

describe('input checks', () => {
  it('refuses a malformed start or count with the field named', () => {
    expect(() => calendar.addWorkingDays('2024-02-30', 1)).toThrow(ValidationError);
    expect(() => calendar.addWorkingDays('2024-02-01', -1)).toThrow(/workingDays/);
    expect(() => calendar.addWorkingDays('2024-02-01', 1.5)).toThrow(ValidationError);
    expect(() => WorkingCalendar.fromSchedules([calendar.schedule(2024)!, calendar.schedule(2024)!])).toThrow(ValidationError);
  });
});

describe('properties', () => {
  const day0 = civilDate('2004-01-01');
  const dates = (from: string, to: string) =>
    fc.integer({ min: 0, max: datesInRange(civilDate(from), civilDate(to)).length - 1 }).map((i) => addDays(civilDate(from), i));
  const published = dates('2004-01-01', '2026-06-30');
  const recent = dates('2023-01-01', '2026-12-31');
  const anyKnown = dates('2004-01-01', '2049-06-30');
  const suspension = fc
    .tuple(fc.integer({ min: 0, max: 8400 }), fc.integer({ min: 0, max: 40 }), fc.constantFrom('hearing', 'testing', 'supplement' as const))
    .map(([offset, length, reason]): Suspension => ({ from: addDays(day0, offset), to: addDays(day0, offset + length), reason }));

  it('workingDaysBetween(a, addWorkingDays(a, n)) === n, with or without suspensions', () => {
    fc.assert(
      fc.property(anyKnown, fc.integer({ min: 0, max: 120 }), fc.array(suspension, { maxLength: 3 }), (a, n, suspensions) => {
        expect(calendar.workingDaysBetween(a, calendar.addWorkingDays(a, n))).toBe(n);
        expect(calendar.workingDaysBetween(a, calendar.addWorkingDays(a, n, { suspensions }), { suspensions })).toBe(n);
      }),
      { numRuns: 150 },
    );
  });

  it('the due date is a working day, never before the start, and monotone in n and in the start', () => {
    fc.assert(
      fc.property(published, published, fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 30 }), (a, b, n, extra) => {
        const due = calendar.addWorkingDays(a, n);
        expect(calendar.isWorkingDay(due)).toBe(true);
        expect(due > a).toBe(true);
        expect(calendar.addWorkingDays(a, n + extra) >= due).toBe(true);
        const [early, late] = a <= b ? [a, b] : [b, a];
        expect(calendar.addWorkingDays(early, n) <= calendar.addWorkingDays(late, n)).toBe(true);
        expect(calendar.nextWorkingDay(a)).toBe(calendar.addWorkingDays(a, 1));
      }),
      { numRuns: 150 },
    );
  });

  it('a suspension never brings a deadline forward', () => {
    fc.assert(
      fc.property(published, fc.integer({ min: 0, max: 60 }), fc.array(suspension, { maxLength: 3 }), (a, n, suspensions) => {
        expect(calendar.addWorkingDays(a, n, { suspensions }) >= calendar.addWorkingDays(a, n)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('workingDaysBetween is antisymmetric and additive', () => {
    fc.assert(
      fc.property(recent, recent, recent, (a, b, c) => {
        expect(calendar.workingDaysBetween(a, b) + calendar.workingDaysBetween(b, a)).toBe(0);
        expect(Object.is(calendar.workingDaysBetween(a, b), -0)).toBe(false);
        const [x, y, z] = [a, b, c].sort() as [CivilDate, CivilDate, CivilDate];
        expect(calendar.workingDaysBetween(x, z)).toBe(calendar.workingDaysBetween(x, y) + calendar.workingDaysBetween(y, z));
      }),
      { numRuns: 60 },
    );
  });
});
