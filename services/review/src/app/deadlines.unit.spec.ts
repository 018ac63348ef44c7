import { describe, expect, it } from 'vitest';
import { testCalendar } from '../test-harness.ts';
import { ReviewDeadlines } from './deadlines.ts';

describe('R-REV-4: the last day to apply for a renewal', () => {
  it('calendar days (Licensing Law Art. 50) count back plainly', async () => {
    const deadlines = new ReviewDeadlines(await testCalendar());
    expect(deadlines.renewalApplyBy('2031-03-09', 30, 'calendar-days')).toBe('2031-02-07');
  });

  it('working days leave exactly that many working days after the application day, up to expiry', async () => {
    const calendar = await testCalendar();
    const deadlines = new ReviewDeadlines(calendar);
    // December 2025 has no holiday: 15 working days back from Wednesday 31 December is Thursday 11 December.
    const applyBy = deadlines.renewalApplyBy('2025-12-31', 15, 'working-days');
    expect(applyBy).toBe('2025-12-10');
    expect(calendar.workingDaysBetween(applyBy, '2025-12-31')).toBe(15);
    expect(calendar.workingDaysBetween('2025-12-11', '2025-12-31')).toBe(14);
  });

  it('working days skip the National Day holiday and count the adjusted working weekend', async () => {
    const calendar = await testCalendar();
    const deadlines = new ReviewDeadlines(calendar);
    const applyBy = deadlines.renewalApplyBy('2025-10-20', 15, 'working-days');
    expect(calendar.workingDaysBetween(applyBy, '2025-10-20')).toBe(15);
    // 1–8 October 2025 are holidays, Saturday 11 October and Sunday 28 September working days:
    // plain weekday counting would say 29 September.
    expect(applyBy).toBe('2025-09-23');
  });
});
