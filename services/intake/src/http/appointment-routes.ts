/**
 * Appointments (R-APPT-1, Art. 14 and 31): applicants book online; clerks
 * book on site or by phone for their centre, and record no-shows. A slot of
 * another centre is 404 to a clerk; another applicant's booking is 404.
 */
import { z } from 'zod';
import { NotFoundError, RuleViolation } from '@govsvc/errors/errors';
import { deterministicId, type IdGenerator } from '@govsvc/runtime/ids';
import { checkResidentId } from '@govsvc/identifiers/resident-id';
import { checkUscc } from '@govsvc/identifiers/uscc';
import { ValidationError } from '@govsvc/errors/errors';
import type { App } from '@govsvc/service-kit/app';
import { allow } from '@govsvc/service-kit/auth';
import { applicantRefOf, type Caller } from '../app/application-service.ts';
import type { AppointmentService } from '../app/appointment-service.ts';
import type { Deadlines } from '../app/deadlines.ts';
import type { Clock } from '@govsvc/runtime/clock';
import { callerOf } from './request.ts';

const SlotParams = z.strictObject({ slotId: z.string().min(1).max(200) });
const BookingParams = z.strictObject({ slotId: z.string().min(1).max(200), bookingId: z.uuid() });

export function appointmentRoutes(deps: { appointments: AppointmentService; ids: IdGenerator; clock: Clock; deadlines: Deadlines }) {
  const { appointments } = deps;
  const metadata = (caller: Caller) => ({ correlationId: caller.correlationId, actor: { id: caller.subject, role: caller.roles[0] ?? 'unknown', ...(caller.centre ? { department: caller.centre } : {}) } });
  const ensureCentre = (caller: Caller, slotId: string) => {
    if (caller.roles.includes('clerk') && !slotId.startsWith(`${caller.centre ?? '\u0000'}~`)) throw new NotFoundError(`no slot ${slotId}`);
  };
  const ownBooking = async (caller: Caller, slotId: string, bookingId: string) => {
    ensureCentre(caller, slotId);
    const found = await appointments.booking(slotId, bookingId);
    if (!found || (caller.roles.includes('applicant') && !caller.roles.includes('clerk') && found.booking.applicant.ref !== caller.subject)) {
      throw new NotFoundError(`no booking ${bookingId}`);
    }
    return found;
  };

  return async (app: App): Promise<void> => {
    app.get(
      '/centres/:centreId/slots',
      { config: allow('applicant', 'clerk', 'supervisor'), schema: { params: z.strictObject({ centreId: z.string().min(1).max(64) }), querystring: z.strictObject({ itemCode: z.string().min(1).max(80), date: z.iso.date() }) } },
      async (request) => ({ slots: await appointments.slots(request.params.centreId, request.query.itemCode, request.query.date) }),
    );

    app.post(
      '/slots/:slotId/bookings',
      {
        config: allow('applicant', 'clerk'),
        schema: {
          params: SlotParams,
          body: z.strictObject({
            channel: z.enum(['on-site', 'phone', 'online']),
            applicant: z.strictObject({ kind: z.enum(['person', 'enterprise']), id: z.string().min(1).max(40), name: z.string().min(1).max(200) }),
          }),
        },
      },
      async (request, reply) => {
        const caller = callerOf(request);
        const { channel, applicant } = request.body;
        const today = deps.deadlines.today(deps.clock.now());
        const checked = applicant.kind === 'person' ? checkResidentId(applicant.id, { today }, '/applicant/id') : checkUscc(applicant.id, '/applicant/id');
        if (!checked.ok) throw new ValidationError('the applicant identifier is invalid', checked.issues);
        const id = checked.value.value;
        const ref = applicantRefOf(id);
        const byClerk = channel !== 'online';
        if (byClerk && !caller.roles.includes('clerk')) throw new RuleViolation('R-APPT-1', `${channel} bookings are made by a clerk`);
        if (!byClerk && ref !== caller.subject) throw new RuleViolation('R-ID-1', 'online, an applicant books under the identity they signed in with');
        ensureCentre(caller, request.params.slotId);
        const bookingId = caller.idempotencyKey ? deterministicId('intake-booking', `${caller.subject}|${caller.idempotencyKey}`) : deps.ids.next();
        const { booking, slot, alreadyBooked } = await appointments.book({
          slotId: request.params.slotId,
          bookingId,
          channel,
          applicant: { kind: applicant.kind, id, name: applicant.name, ref },
          bookedBy: byClerk ? caller.subject : null,
          metadata: metadata(caller),
        });
        return reply.code(alreadyBooked ? 200 : 201).send({ bookingId: booking.bookingId, status: booking.status, channel: booking.channel, slot });
      },
    );

    app.get('/slots/:slotId/bookings/:bookingId', { config: allow('applicant', 'clerk', 'supervisor'), schema: { params: BookingParams } }, async (request) => {
      const { booking, slot } = await ownBooking(callerOf(request), request.params.slotId, request.params.bookingId);
      return { bookingId: booking.bookingId, status: booking.status, channel: booking.channel, slot };
    });

    app.post('/slots/:slotId/bookings/:bookingId/cancel', { config: allow('applicant', 'clerk'), schema: { params: BookingParams, body: z.strictObject({}) } }, async (request) => {
      const caller = callerOf(request);
      await ownBooking(caller, request.params.slotId, request.params.bookingId);
      await appointments.cancel(request.params.slotId, request.params.bookingId, caller.subject, metadata(caller));
      return { bookingId: request.params.bookingId, status: 'cancelled' };
    });

    app.post('/slots/:slotId/bookings/:bookingId/no-show', { config: allow('clerk'), schema: { params: BookingParams, body: z.strictObject({}) } }, async (request) => {
      const caller = callerOf(request);
      await ownBooking(caller, request.params.slotId, request.params.bookingId);
      await appointments.recordNoShow(request.params.slotId, request.params.bookingId, caller.subject, metadata(caller));
      return { bookingId: request.params.bookingId, status: 'no-show' };
    });
  };
}
