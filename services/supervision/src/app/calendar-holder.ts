/**
 * The working calendar supervision computes with: the calendar package's data
 * files plus every `CalendarYearPublished` in the store (`calendar-<year>`
 * streams, appended by `POST /supervision/calendar/years`). Publishing a year
 * recomputes every open deadline it touches (DeadlineRecomputed, with why).
 */
import { calendarDecider, calendarStateOf, calendarYearPublishedSchema, type CalendarYearPublished } from '@govsvc/calendar/publication';
import type { YearSchedule } from '@govsvc/calendar/schedule';
import { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { handleCommand } from '@govsvc/eventstore/command-handler';
import { zodEventCodec } from '@govsvc/eventstore/event-codec';
import type { EventStore, Subscription } from '@govsvc/eventstore/port';
import type { Clock } from '@govsvc/runtime/clock';
import { executeDeadline, indexState } from './deadlines.ts';
import type { DeadlineIndex } from './deadline-index.ts';

export const CALENDAR_CATEGORY = 'calendar';
export const CALENDAR_SUBSCRIPTION = 'supervision-calendar';
const calendarCodec = zodEventCodec<CalendarYearPublished>({ CalendarYearPublished: { schemaVersion: 1, schema: calendarYearPublishedSchema.shape.data } });

export class CalendarHolder {
  private calendar: WorkingCalendar;

  constructor(
    private readonly store: EventStore,
    base: readonly YearSchedule[],
  ) {
    this.calendar = WorkingCalendar.fromSchedules(base);
  }

  current(): WorkingCalendar {
    return this.calendar;
  }

  /**
   * Takes a publication into the calendar and recomputes every open deadline
   * against it. Safe to repeat (the subscription sees the publications this
   * instance made, and a crash may interrupt a recompute): each deadline's
   * recompute is seeded by year and version, and a deadline already computed
   * on this calendar decides nothing.
   */
  async apply(publication: CalendarYearPublished, at: string, index: DeadlineIndex): Promise<{ deadlineId: string; oldDue: string; newDue: string }[]> {
    const before = this.calendar;
    this.calendar = before.withSchedule(publication.data.schedule);
    const { year, version } = publication.data.schedule;
    const recomputed: { deadlineId: string; oldDue: string; newDue: string }[] = [];
    for (const entry of await index.all()) {
      const done = await executeDeadline(this.store, entry.deadlineId, { type: 'RecomputeDeadline', before, publication, at }, {
        seed: `recompute:${year}@${version}`,
        correlationId: `calendar:${year}`,
      });
      await indexState(index, done.state, done.revision);
      // Recorded now or by a concurrent run of the same recompute (the subscription sees this publication too).
      for (const e of done.recorded) if (e.type === 'DeadlineRecomputed') recomputed.push({ deadlineId: e.data.deadlineId, oldDue: e.data.oldDue, newDue: e.data.due });
    }
    return recomputed;
  }

  /** Keeps the calendar in step with publications appended by any process (e.g. another instance). */
  subscribe(index: DeadlineIndex, clock: Clock): Subscription {
    return this.store.subscribeToAll({ subscriptionId: CALENDAR_SUBSCRIPTION, filter: { categories: [CALENDAR_CATEGORY] } }, async (events) => {
      for (const stored of events) await this.apply(calendarCodec.decode(stored), clock.now().toISOString(), index);
    });
  }

  /** Applies every publication already in the store (at start). */
  async load(): Promise<void> {
    const events = await this.store.readAll({ filter: { categories: [CALENDAR_CATEGORY] } });
    for (const stored of events) this.calendar = this.calendar.withSchedule(calendarCodec.decode(stored).data.schedule);
  }

  /**
   * Publishes a year's schedule (version 1 for a new year, the next version to
   * revise one) and recomputes the open deadlines it touches.
   */
  async publish(
    schedule: unknown,
    by: string,
    clock: Clock,
    index: DeadlineIndex,
  ): Promise<{ published: boolean; year: number; version: number; recomputed: { deadlineId: string; oldDue: string; newDue: string }[] }> {
    const year = (schedule as { year?: unknown }).year;
    const stream = `${CALENDAR_CATEGORY}-${typeof year === 'number' ? year : 'invalid'}`;
    const publishedAt = clock.now().toISOString();
    const before = this.calendar;
    // The decider knows the years in force, including those only in data files, so version numbers continue from them.
    const known = calendarStateOf(before.publishedYears().map((y) => before.schedule(y)!));
    const result = await handleCommand(
      this.store,
      stream,
      { ...calendarDecider, initialState: () => known },
      { type: 'PublishCalendarYear', schedule, publishedAt, publishedBy: by },
      { codec: calendarCodec, metadata: { correlationId: `calendar:${String(year)}`, actor: { id: by, role: 'admin' } } },
    );
    const [publication] = result.events;
    if (!publication || result.alreadyAppended) {
      const v = before.versionOf(Number(year)) ?? 0;
      return { published: false, year: Number(year), version: v, recomputed: [] };
    }
    const recomputed = await this.apply(publication, publishedAt, index);
    return { published: true, year: publication.data.schedule.year, version: publication.data.schedule.version, recomputed };
  }
}
