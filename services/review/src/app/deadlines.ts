/**
 * Deadlines of review on the statutory working-day calendar (Licensing Law
 * Art. 82): opinion limits, extensions (Art. 42), excluded time (Art. 45) and
 * the licence issue limit (Art. 44). The deciders receive the results.
 */
import { addDays, civilDate, shanghaiDateOf } from '@govsvc/calendar/civil-date';
import { computeDeadline } from '@govsvc/calendar/deadline';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import type { Deadline } from '../domain/values.ts';

export class ReviewDeadlines {
  constructor(private readonly calendar: WorkingCalendar) {}

  /** `workingDays` working days after the day `from` (that day not counted). */
  after(from: string, workingDays: number, alreadyProvisional = false): Deadline {
    const d = computeDeadline(this.calendar, { start: from, workingDays });
    return { date: d.due, provisional: alreadyProvisional || d.provisional };
  }

  /** The day an instant falls on in Beijing. */
  today(now: Date): string {
    return shanghaiDateOf(now);
  }

  /**
   * The deadline after a closed suspension [from, to]: the working days the
   * suspension took out of the running limit are added again, counted from
   * the later of the old due day and the day the suspension ended.
   */
  afterSuspension(due: Deadline, from: string, to: string): Deadline {
    const lastCounted = to < due.date ? to : due.date;
    if (from > lastCounted) return due;
    const taken = this.calendar.workingDaysBetween(addDays(civilDate(from), -1), lastCounted);
    if (taken === 0) return due;
    return this.after(to > due.date ? to : due.date, taken, due.provisional);
  }

  /**
   * R-REV-4: the last day a renewal may be applied for, `days` before the
   * expiry day. Calendar days (Licensing Law Art. 50) are counted back plainly;
   * working days so that exactly `days` working days lie after the application
   * day up to and including expiry (what "届满前15个工作日" asks).
   */
  renewalApplyBy(validUntil: string, days: number, unit: 'calendar-days' | 'working-days'): string {
    if (unit === 'calendar-days') return addDays(civilDate(validUntil), -days);
    let day = civilDate(validUntil);
    for (let counted = 0; counted < days; day = addDays(day, -1)) {
      if (this.calendar.isWorkingDay(day)) counted++;
    }
    return day;
  }

  /** Licensing Law Art. 44: issued within 10 working days of the approval. */
  withinIssueLimit(approvedOn: string, issuedOn: string): boolean {
    return issuedOn <= this.calendar.addWorkingDays(approvedOn, 10);
  }
}
