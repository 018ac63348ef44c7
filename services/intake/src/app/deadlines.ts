/** Deadlines on the statutory working-day calendar, as the domain takes them (data, computed here). */
import { civilDate, dayOfWeek, shanghaiDateOf } from '@govsvc/calendar/civil-date';
import { computeDeadline } from '@govsvc/calendar/deadline';
import type { Suspension } from '@govsvc/calendar/suspension';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import type { Deadline } from '../domain/document.ts';
import type { DayInfo } from '../domain/appointment/schedule.ts';

export class Deadlines {
  constructor(private readonly calendar: WorkingCalendar) {}

  /** The day `workingDays` working days after `start` (the start day not counted), ending 24:00 that day. */
  after(start: string, workingDays: number, suspensions: readonly Suspension[] = []): Deadline {
    const d = computeDeadline(this.calendar, { start, workingDays, suspensions });
    return { date: d.due, endsAt: d.dueAt, provisional: d.provisional };
  }

  today(now: Date): string {
    return shanghaiDateOf(now);
  }

  day(date: string): DayInfo {
    const status = this.calendar.dayStatus(date);
    return { date, working: status.working, kind: status.kind, dayOfWeek: dayOfWeek(civilDate(date)) };
  }
}
