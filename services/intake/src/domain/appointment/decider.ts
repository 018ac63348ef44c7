/**
 * One stream per slot (`appointment-<slotId>`): the store is the truth about
 * a slot's bookings. The decider refuses a booking beyond capacity, so two
 * bookings racing for the last place cannot both be appended: one of them
 * meets the expected-revision check and is decided again against the stream
 * that now holds the other. Redis counters (app layer) only keep the crowd
 * away from the stream; they never decide.
 */
import { z } from 'zod';
import { RuleViolation } from '@govsvc/errors/errors';
import type { Decider } from '@govsvc/eventstore/decider';
import type { EventDefinitions } from '@govsvc/eventstore/event-codec';
import { slotSpecSchema, type SlotSpec } from './schedule.ts';

const instant = z.iso.datetime({ offset: true });

export const bookingApplicantSchema = z.object({
  kind: z.enum(['person', 'enterprise']),
  id: z.string().length(18),
  name: z.string().min(1).max(200),
  /** The applicant's one identity (see `applicantRefOf`): who may cancel online. */
  ref: z.uuid(),
});
export type BookingApplicant = z.infer<typeof bookingApplicantSchema>;

export const appointmentEventSchemas = {
  AppointmentBooked: z.object({
    bookingId: z.uuid(),
    slot: slotSpecSchema,
    /** Art. 14: on site, by phone, online. */
    channel: z.enum(['on-site', 'phone', 'online']),
    applicant: bookingApplicantSchema,
    bookedAt: instant,
    /** The clerk who booked on site or by phone; null online. */
    bookedBy: z.string().nullable(),
  }),
  AppointmentCancelled: z.object({ bookingId: z.uuid(), cancelledAt: instant, by: z.string().min(1) }),
  AppointmentNoShowRecorded: z.object({ bookingId: z.uuid(), recordedAt: instant, by: z.string().min(1) }),
} as const;

type Schemas = typeof appointmentEventSchemas;
export type AppointmentEvent = { [T in keyof Schemas]: { readonly type: T; readonly data: z.infer<Schemas[T]> } }[keyof Schemas];

export const appointmentEventDefinitions = Object.fromEntries(
  Object.entries(appointmentEventSchemas).map(([type, schema]) => [type, { schemaVersion: 1, schema }]),
) as unknown as EventDefinitions<AppointmentEvent>;

export interface Booking {
  readonly bookingId: string;
  readonly applicant: BookingApplicant;
  readonly channel: 'on-site' | 'phone' | 'online';
  readonly status: 'booked' | 'cancelled' | 'no-show';
}

export interface SlotState {
  readonly slot: SlotSpec | null;
  readonly bookings: readonly Booking[];
}

export type AppointmentCommand =
  | {
      readonly type: 'BookAppointment';
      readonly bookingId: string;
      readonly slot: SlotSpec;
      readonly channel: 'on-site' | 'phone' | 'online';
      readonly applicant: BookingApplicant;
      readonly bookedBy: string | null;
      readonly at: string;
    }
  | { readonly type: 'CancelAppointment'; readonly bookingId: string; readonly by: string; readonly at: string }
  | { readonly type: 'RecordNoShow'; readonly bookingId: string; readonly by: string; readonly at: string };

/** Bookings holding a place: booked, or no-show (the time is gone either way). */
export const placesTaken = (state: SlotState): number => state.bookings.filter((b) => b.status !== 'cancelled').length;

const before = (a: string, b: string) => Date.parse(a) < Date.parse(b);

function bookingOf(state: SlotState, bookingId: string): Booking {
  const booking = state.bookings.find((b) => b.bookingId === bookingId);
  if (!booking || !state.slot) throw new RuleViolation('R-APPT-1', `no booking ${bookingId} in this slot`);
  return booking;
}

export const appointmentDecider: Decider<SlotState, AppointmentCommand, AppointmentEvent> = {
  initialState: () => ({ slot: null, bookings: [] }),
  evolve(state, event) {
    switch (event.type) {
      case 'AppointmentBooked':
        return {
          slot: state.slot ?? event.data.slot,
          bookings: [...state.bookings, { bookingId: event.data.bookingId, applicant: event.data.applicant, channel: event.data.channel, status: 'booked' }],
        };
      case 'AppointmentCancelled':
        return { ...state, bookings: state.bookings.map((b) => (b.bookingId === event.data.bookingId ? { ...b, status: 'cancelled' } : b)) };
      case 'AppointmentNoShowRecorded':
        return { ...state, bookings: state.bookings.map((b) => (b.bookingId === event.data.bookingId ? { ...b, status: 'no-show' } : b)) };
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'BookAppointment': {
        const slot = state.slot ?? command.slot;
        if (!before(command.at, slot.startsAt)) throw new RuleViolation('R-APPT-1', `slot ${slot.slotId} has already started`);
        if (command.channel !== 'online' && command.bookedBy === null) {
          throw new RuleViolation('R-APPT-1', `a ${command.channel} booking is made by a clerk on the applicant's behalf`);
        }
        if (state.bookings.some((b) => b.status === 'booked' && b.applicant.id === command.applicant.id)) {
          throw new RuleViolation('R-APPT-1', 'the applicant already holds a booking in this slot');
        }
        if (placesTaken(state) >= slot.capacity) throw new RuleViolation('R-APPT-1', `slot ${slot.slotId} is fully booked (${slot.capacity})`);
        return [
          {
            type: 'AppointmentBooked',
            data: { bookingId: command.bookingId, slot, channel: command.channel, applicant: command.applicant, bookedAt: command.at, bookedBy: command.bookedBy },
          },
        ];
      }
      case 'CancelAppointment': {
        const booking = bookingOf(state, command.bookingId);
        if (booking.status !== 'booked') throw new RuleViolation('R-APPT-1', `booking ${command.bookingId} is ${booking.status}`);
        if (!before(command.at, state.slot!.startsAt)) throw new RuleViolation('R-APPT-1', 'a booking is cancelled before its slot starts; afterwards it is a no-show');
        return [{ type: 'AppointmentCancelled', data: { bookingId: command.bookingId, cancelledAt: command.at, by: command.by } }];
      }
      case 'RecordNoShow': {
        const booking = bookingOf(state, command.bookingId);
        if (booking.status !== 'booked') throw new RuleViolation('R-APPT-1', `booking ${command.bookingId} is ${booking.status}`);
        if (before(command.at, state.slot!.endsAt)) throw new RuleViolation('R-APPT-1', 'a no-show is recorded only after the slot has ended');
        return [{ type: 'AppointmentNoShowRecorded', data: { bookingId: command.bookingId, recordedAt: command.at, by: command.by } }];
      }
    }
  },
};

export const appointmentStream = (slotId: string): string => `appointment-${slotId}`;
