/**
 * R-APPT-1 on the real components: PostgreSQL holds the slot streams, Redis
 * the counters, and several AppointmentService instances (as several intake
 * processes would) book the same slot at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCalendar } from '@govsvc/calendar/data-files';
import { RuleViolation } from '@govsvc/errors/errors';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import { ControlledClock } from '@govsvc/runtime/clock';
import { randomIds } from '@govsvc/runtime/ids';
import { resolveComponent } from '@govsvc/testkit/infra';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { uniqueKeyPrefix } from '@govsvc/testkit/redis';
import { Redis } from 'ioredis';
import { chaoyangCentre, FOOD_ITEM } from '../../test/fixtures.ts';
import { AppointmentService } from './appointment-service.ts';
import { applicantRefOf } from './application-service.ts';
import { Centres } from './centres.ts';
import { Deadlines } from './deadlines.ts';
import { createRedisSlotCounter } from './redis-slot-counter.ts';
import type { SlotCounter } from './slot-counter.ts';

let schema: IsolatedSchema;
let store: EventStore;
let counters: (SlotCounter & { ping(): Promise<void> })[];
let services: AppointmentService[];
let redisUrl: string;
let prefix: string;
// The day booked is the working day after the clock's, both found from the real date: Redis expires a
// slot's counters a day after the slot ends by its own wall clock, so slots on fixed dates would have
// expired counters (and this test would fail) as soon as those dates were past.
const clock = new ControlledClock(new Date());
let bookingDay: string;
const slotAt = (hhmm: string) => `bj-chaoyang~${FOOD_ITEM}~${bookingDay.replaceAll('-', '')}~${hhmm.replace(':', '')}`;

beforeAll(async () => {
  schema = await createIsolatedSchema('intake_booking');
  store = await createPostgresEventStore({ connectionString: schema.connectionString });
  redisUrl = await resolveComponent('redis');
  prefix = uniqueKeyPrefix('intake_booking');
  const deadlines = new Deadlines(await loadCalendar());
  const clockDay = deadlines.after(deadlines.today(new Date()), 1).date;
  clock.set(`${clockDay}T10:00:00+08:00`);
  bookingDay = deadlines.after(clockDay, 1).date;
  const centres = new Centres([chaoyangCentre]);
  // Three "processes": each its own Redis connection, one shared store and key space.
  counters = [0, 1, 2].map(() => createRedisSlotCounter({ url: redisUrl, keyPrefix: prefix }));
  services = counters.map((counter) => new AppointmentService({ store, clock, centres, deadlines, counter }));
});

afterAll(async () => {
  await Promise.all(counters.map((c) => c.close()));
  await store.close();
  await schema.drop();
});

const applicant = (n: number) => {
  const id = `11010519900101${String(n).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...id].reduce((s, ch, i) => s + Number(ch) * weights[i]!, 0);
  const full = `${id}${'10X98765432'[sum % 11]}`;
  return { kind: 'person' as const, id: full, name: `申请人${n}`, ref: applicantRefOf(full) };
};
const book = (service: AppointmentService, slotId: string, n: number) =>
  service.book({ slotId, bookingId: randomIds.next(), channel: 'online', applicant: applicant(n), bookedBy: null, metadata: { correlationId: `c-${n}`, actor: { id: `a-${n}`, role: 'applicant' } } });

describe('concurrent booking on PostgreSQL + Redis (R-APPT-1)', () => {
  it('R-APPT-1: 60 parallel bookings from three processes for a slot of capacity 3: exactly 3 booked', async () => {
    const slotId = slotAt('10:00');
    const results = await Promise.allSettled(Array.from({ length: 60 }, (_, n) => book(services[n % 3]!, slotId, n)));
    const booked = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(booked).toHaveLength(3);
    expect(refused.every((r) => r.reason instanceof RuleViolation && r.reason.rule === 'R-APPT-1')).toBe(true);
    expect((await store.readStream(`appointment-${slotId}`)).filter((e) => e.type === 'AppointmentBooked')).toHaveLength(3);
    expect(await counters[0]!.taken(slotId)).toBe(3);
  });

  it('R-APPT-1: counters wiped from Redis (FLUSHALL) are rebuilt from the store before the gate is trusted again (reliability, issue 9)', async () => {
    const slotId = slotAt('14:00');
    for (const n of [301, 302, 303]) await book(services[0]!, slotId, n);
    expect(await counters[0]!.integrity!.intact()).toBe(true);
    // What FLUSHALL does to this key space: every counter and the marker gone, the store untouched.
    const redis = new Redis(redisUrl);
    try {
      const keys = await redis.keys(`${prefix}*`);
      expect(keys.length).toBeGreaterThan(1);
      await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    expect(await counters[1]!.taken(slotId)).toBe(0); // a wiped gate would admit everyone
    // The next booking, from any process, rebuilds first: the gate refuses it with the places the store holds.
    await expect(book(services[1]!, slotId, 304)).rejects.toMatchObject({ rule: 'R-APPT-1' });
    expect(await counters[2]!.taken(slotId)).toBe(3);
    expect(await counters[2]!.integrity!.intact()).toBe(true);
    // And a wipe with no booking after it is noticed by the periodic check (what the module's watchdog runs).
    const redis2 = new Redis(redisUrl);
    try {
      await redis2.del(...(await redis2.keys(`${prefix}*`)));
    } finally {
      redis2.disconnect();
    }
    expect(await services[2]!.countersWhole()).toBe(true);
    expect(await counters[0]!.taken(slotId)).toBe(3);
    expect(await services[2]!.countersWhole()).toBe(false); // whole now: nothing to do
  });

  it('R-APPT-1: a crash between hold and append leaks the place only until the hold expires', async () => {
    const slotId = slotAt('10:30');
    await book(services[0]!, slotId, 101);
    await book(services[0]!, slotId, 102);
    // A process took the last hold, then died before appending.
    expect(await counters[1]!.tryHold(slotId, 'phantom', 3, 300, new Date(Date.now() + 86_400_000))).toBe(true);
    await expect(book(services[2]!, slotId, 103)).rejects.toBeInstanceOf(RuleViolation);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await expect(book(services[2]!, slotId, 103)).resolves.toMatchObject({ alreadyBooked: false });
  });

  it('R-APPT-1: a crash between append and confirm cannot overbook: the store refuses what the counter lets through', async () => {
    const slotId = slotAt('11:00');
    for (const n of [201, 202, 203]) await book(services[0]!, slotId, n);
    // The counters forget the confirmed places (crash before confirm, or Redis lost its data).
    await counters[0]!.reset(slotId, [], new Date(Date.now() + 86_400_000));
    await expect(book(services[1]!, slotId, 204)).rejects.toThrow(/fully booked/);
    expect((await store.readStream(`appointment-${slotId}`)).filter((e) => e.type === 'AppointmentBooked')).toHaveLength(3);
    // The failed attempt released its hold; rebuilding from the store restores the truth.
    expect(await counters[0]!.taken(slotId)).toBe(0);
    await services[0]!.rebuildCounters();
    expect(await counters[0]!.taken(slotId)).toBe(3);
  });
});
