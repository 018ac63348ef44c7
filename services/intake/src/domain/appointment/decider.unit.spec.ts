import { describe, expect, it } from 'vitest';
import { RuleViolation } from '@govsvc/errors/errors';
import { deciderSpec } from '@govsvc/testkit/decider';
import { chaoyangCentre, ENTERPRISE_USCC, FOOD_ITEM, PERSON_ID } from '../../../test/fixtures.ts';
import { appointmentDecider, type AppointmentEvent, type BookingApplicant } from './decider.ts';
import { slotsOn } from './schedule.ts';

const spec = deciderSpec(appointmentDecider);
const thursday = { date: '2026-11-26', working: true, kind: 'workday' as const, dayOfWeek: 4 };
const slot = slotsOn(chaoyangCentre, FOOD_ITEM, thursday).find((s) => s.start === '10:00')!;
const person = (n: number): BookingApplicant => ({ kind: 'person', id: `${PERSON_ID.slice(0, 16)}${n}X`, name: `申请人${n}`, ref: `00000000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}` });
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const book = (n: number, at = '2026-11-25T12:00:00+08:00') => ({
  type: 'BookAppointment' as const,
  bookingId: id(n),
  slot,
  channel: 'online' as const,
  applicant: person(n),
  bookedBy: null,
  at,
});
const booked = (n: number): AppointmentEvent => ({
  type: 'AppointmentBooked',
  data: { bookingId: id(n), slot, channel: 'online', applicant: person(n), bookedAt: '2026-11-25T12:00:00+08:00', bookedBy: null },
});

describe('appointments (R-APPT-1)', () => {
  it('R-APPT-1: books a place while the slot has capacity', () => {
    spec.given([booked(1), booked(2)]).when(book(3)).then([booked(3)]);
  });

  it('R-APPT-1: refuses a booking beyond capacity (no overbooking)', () => {
    spec.given([booked(1), booked(2), booked(3)]).when(book(4)).thenThrows(RuleViolation, (e) => e.rule === 'R-APPT-1' && e.message.includes('fully booked'));
  });

  it('R-APPT-1: a cancellation gives the place back; a no-show does not', () => {
    const cancelled: AppointmentEvent = { type: 'AppointmentCancelled', data: { bookingId: id(1), cancelledAt: '2026-11-25T13:00:00+08:00', by: 'acct-1' } };
    spec.given([booked(1), booked(2), booked(3), cancelled]).when(book(4)).thenSatisfies((events) => expect(events).toHaveLength(1));
    const noShow: AppointmentEvent = { type: 'AppointmentNoShowRecorded', data: { bookingId: id(1), recordedAt: '2026-11-26T10:31:00+08:00', by: 'clerk-li' } };
    spec.given([booked(1), booked(2), booked(3), noShow]).when(book(4)).thenThrows(RuleViolation);
  });

  it('R-APPT-1: phone and on-site bookings are made by a clerk', () => {
    spec.given([]).when({ ...book(1), channel: 'phone' }).thenThrows(RuleViolation, (e) => e.rule === 'R-APPT-1');
    spec.given([]).when({ ...book(1), channel: 'on-site', bookedBy: 'clerk-li' }).thenSatisfies((events) => expect(events[0]!.data).toMatchObject({ channel: 'on-site', bookedBy: 'clerk-li' }));
  });

  it('R-APPT-1: one booking per applicant per slot, none after the slot started', () => {
    spec.given([booked(1)]).when({ ...book(2), applicant: person(1) }).thenThrows(RuleViolation, (e) => e.message.includes('already holds'));
    spec.given([]).when(book(1, '2026-11-26T10:00:00+08:00')).thenThrows(RuleViolation, (e) => e.message.includes('started'));
  });

  it('R-APPT-1: cancel before the slot starts; no-show only after it ended', () => {
    const cancel = (at: string) => ({ type: 'CancelAppointment' as const, bookingId: id(1), by: 'acct-1', at });
    const noShow = (at: string) => ({ type: 'RecordNoShow' as const, bookingId: id(1), by: 'clerk-li', at });
    spec.given([booked(1)]).when(cancel('2026-11-26T10:05:00+08:00')).thenThrows(RuleViolation);
    spec.given([booked(1)]).when(cancel('2026-11-26T09:55:00+08:00')).thenSatisfies((events) => expect(events[0]!.type).toBe('AppointmentCancelled'));
    spec.given([booked(1)]).when(noShow('2026-11-26T10:20:00+08:00')).thenThrows(RuleViolation, (e) => e.message.includes('ended'));
    spec.given([booked(1)]).when(noShow('2026-11-26T10:30:00+08:00')).thenSatisfies((events) => expect(events[0]!.type).toBe('AppointmentNoShowRecorded'));
    spec.given([booked(1)]).when({ ...cancel('2026-11-26T09:00:00+08:00'), bookingId: id(9) }).thenThrows(RuleViolation, (e) => e.message.includes('no booking'));
  });
});

describe('slot schedule (R-APPT-1, measures Art. 31)', () => {
  it('R-APPT-1: a working day has early, normal, lunch-time and late slots', () => {
    const slots = slotsOn(chaoyangCentre, FOOD_ITEM, thursday);
    expect(slots[0]).toMatchObject({ start: '08:00', kind: 'early', capacity: 3, startsAt: '2026-11-26T08:00:00+08:00' });
    expect(slots.filter((s) => s.kind === 'lunch').map((s) => s.start)).toEqual(['12:00', '12:30']);
    expect(slots.at(-1)).toMatchObject({ start: '17:30', end: '18:00', kind: 'late' });
    expect(slots).toHaveLength(20);
  });

  it('R-APPT-1: without extended hours configured, only normal hours, lunch closed', () => {
    const plain = { ...chaoyangCentre, extended: { earlyLate: false, lunchService: false, saturday: null } };
    const slots = slotsOn(plain, FOOD_ITEM, thursday);
    expect(slots.every((s) => s.kind === 'normal')).toBe(true);
    expect(slots.map((s) => s.start)).not.toContain('12:00');
  });

  it('R-APPT-1: Saturday service only for frequent personal items, none on a holiday Saturday', () => {
    const saturday = { date: '2026-11-28', working: false, kind: 'weekend' as const, dayOfWeek: 6 };
    expect(slotsOn(chaoyangCentre, FOOD_ITEM, saturday)).toEqual([]);
    const residence = slotsOn(chaoyangCentre, 'RESIDENCE-PERMIT', saturday);
    expect(residence.map((s) => s.kind)).toEqual(Array(6).fill('saturday'));
    expect(slotsOn(chaoyangCentre, 'RESIDENCE-PERMIT', { ...saturday, kind: 'holiday' })).toEqual([]);
    expect(slotsOn(chaoyangCentre, 'RESIDENCE-PERMIT', { ...saturday, date: '2026-11-29', dayOfWeek: 0 })).toEqual([]);
  });

  it('R-APPT-1: an adjusted working Saturday (调休) is a working day', () => {
    const adjusted = { date: '2026-10-10', working: true, kind: 'adjusted-workday' as const, dayOfWeek: 6 };
    expect(slotsOn(chaoyangCentre, FOOD_ITEM, adjusted).some((s) => s.kind === 'normal')).toBe(true);
  });

  it('R-APPT-1: an item the centre does not offer has no slots', () => {
    expect(slotsOn(chaoyangCentre, 'UNKNOWN-ITEM', thursday)).toEqual([]);
  });
});

// Keep the fixtures honest: the enterprise code in them is used by the booking API tests too.
it('fixtures: the enterprise identifier is 18 characters', () => expect(ENTERPRISE_USCC).toHaveLength(18));
