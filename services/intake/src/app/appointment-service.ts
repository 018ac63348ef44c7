/**
 * Booking, cancelling and no-shows (R-APPT-1). See slot-counter.ts for why
 * the counter gates and the slot stream decides.
 */
import { ConcurrencyError, NotFoundError, RuleViolation } from '@govsvc/errors/errors';
import { handleCommand } from '@govsvc/eventstore/command-handler';
import { zodEventCodec } from '@govsvc/eventstore/event-codec';
import type { EventMetadataInput, EventStore } from '@govsvc/eventstore/port';
import type { Clock } from '@govsvc/runtime/clock';
import { appointmentDecider, appointmentEventDefinitions, appointmentStream, placesTaken, type AppointmentCommand, type AppointmentEvent, type Booking, type BookingApplicant, type SlotState } from '../domain/appointment/decider.ts';
import { parseSlotId, slotsOn, type SlotSpec } from '../domain/appointment/schedule.ts';
import type { Centres } from './centres.ts';
import type { Deadlines } from './deadlines.ts';
import type { SlotCounter } from './slot-counter.ts';

export const appointmentCodec = zodEventCodec<AppointmentEvent>(appointmentEventDefinitions);

/** How long a hold lives when its booking never reaches the store (a crash): the place then comes back. */
export const HOLD_TTL_MS = 30_000;
/** Bookings admitted by the gate still race on the slot stream; each retry re-decides on the fresh stream. */
const MAX_APPEND_ATTEMPTS = 25;
const DAY_MS = 86_400_000;

export interface SlotView extends SlotSpec {
  readonly taken: number;
  readonly available: number;
}

export class AppointmentService {
  constructor(
    private readonly deps: { store: EventStore; clock: Clock; centres: Centres; deadlines: Deadlines; counter: SlotCounter },
  ) {}

  /** The slots a centre offers for an item on a date, with places left (read from the store, the truth). */
  async slots(centreId: string, itemCode: string, date: string): Promise<SlotView[]> {
    const centre = this.deps.centres.get(centreId);
    const specs = slotsOn(centre, itemCode, this.deps.deadlines.day(date));
    return Promise.all(
      specs.map(async (spec) => {
        const taken = placesTaken(await this.state(spec.slotId));
        return { ...spec, taken, available: Math.max(0, spec.capacity - taken) };
      }),
    );
  }

  /** The slot as the schedule defines it today; 404 for anything the centre does not offer. */
  slot(slotId: string): SlotSpec {
    const parts = parseSlotId(slotId);
    if (!parts) throw new NotFoundError(`no slot ${slotId}`);
    const centre = this.deps.centres.find(parts.centreId);
    const spec = centre && slotsOn(centre, parts.itemCode, this.deps.deadlines.day(parts.date)).find((s) => s.slotId === slotId);
    if (!spec) throw new NotFoundError(`no slot ${slotId}`);
    return spec;
  }

  async book(input: {
    slotId: string;
    bookingId: string;
    channel: 'on-site' | 'phone' | 'online';
    applicant: BookingApplicant;
    bookedBy: string | null;
    metadata: EventMetadataInput;
  }): Promise<{ booking: Booking; slot: SlotSpec; alreadyBooked: boolean }> {
    const slot = this.slot(input.slotId);
    const stream = appointmentStream(slot.slotId);
    const existing = (await this.state(slot.slotId)).bookings.find((b) => b.bookingId === input.bookingId);
    if (existing) return { booking: existing, slot, alreadyBooked: true }; // an idempotent retry
    const expiresAt = new Date(Date.parse(slot.endsAt) + DAY_MS);
    const { counter } = this.deps;
    await this.countersWhole();
    if (!(await counter.tryHold(slot.slotId, input.bookingId, slot.capacity, HOLD_TTL_MS, expiresAt))) {
      throw new RuleViolation('R-APPT-1', `slot ${slot.slotId} is fully booked (${slot.capacity})`);
    }
    try {
      for (let attempt = 1; ; attempt++) {
        const command: AppointmentCommand = {
          type: 'BookAppointment',
          bookingId: input.bookingId,
          slot,
          channel: input.channel,
          applicant: input.applicant,
          bookedBy: input.bookedBy,
          at: this.deps.clock.now().toISOString(),
        };
        try {
          const result = await handleCommand(this.deps.store, stream, appointmentDecider, command, { metadata: input.metadata, codec: appointmentCodec });
          await counter.confirm(slot.slotId, input.bookingId, expiresAt);
          return { booking: result.state.bookings.find((b) => b.bookingId === input.bookingId)!, slot, alreadyBooked: false };
        } catch (error) {
          if (!(error instanceof ConcurrencyError) || attempt >= MAX_APPEND_ATTEMPTS) throw error;
          // Another admitted booking appended first: decide again on the stream that now holds it.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    } catch (error) {
      await counter.release(slot.slotId, input.bookingId).catch(() => undefined);
      throw error;
    }
  }

  async cancel(slotId: string, bookingId: string, by: string, metadata: EventMetadataInput): Promise<void> {
    await this.handle(slotId, { type: 'CancelAppointment', bookingId, by, at: this.deps.clock.now().toISOString() }, metadata);
    await this.deps.counter.release(slotId, bookingId);
  }

  async recordNoShow(slotId: string, bookingId: string, by: string, metadata: EventMetadataInput): Promise<void> {
    await this.handle(slotId, { type: 'RecordNoShow', bookingId, by, at: this.deps.clock.now().toISOString() }, metadata);
  }

  async booking(slotId: string, bookingId: string): Promise<{ booking: Booking; slot: SlotSpec } | null> {
    const state = await this.state(slotId);
    const booking = state.bookings.find((b) => b.bookingId === bookingId);
    return booking && state.slot ? { booking, slot: state.slot } : null;
  }

  private rebuilding: Promise<number> | undefined;

  /**
   * Rebuilds the counters first when they were wiped (their integrity marker gone): a wiped gate under-counts and
   * would let every attempt through to the slot decider. Concurrent bookings share one rebuild. Also what the
   * module's watchdog calls, so the counters come back without waiting for a booking.
   */
  async countersWhole(): Promise<boolean> {
    const integrity = this.deps.counter.integrity;
    if (integrity === undefined || (await integrity.intact())) return false;
    this.rebuilding ??= this.rebuildCounters().finally(() => (this.rebuilding = undefined));
    await this.rebuilding;
    return true;
  }

  /** Resets every slot counter from the store (counters are a projection, the store is the truth), then marks them whole. */
  async rebuildCounters(): Promise<number> {
    // Begun before reading: a wipe while the rebuild runs removes the token, `complete` then fails, and the next check rebuilds again.
    const token = await this.deps.counter.integrity?.begin();
    const slots = new Map<string, { state: SlotState }>();
    let after = 0n;
    for (;;) {
      const page = await this.deps.store.readAll({ after, maxCount: 1000, filter: { categories: ['appointment'] } });
      for (const stored of page) {
        const slotId = stored.stream.slice('appointment-'.length);
        const entry = slots.get(slotId) ?? { state: appointmentDecider.initialState() };
        entry.state = appointmentDecider.evolve(entry.state, appointmentCodec.decode(stored));
        slots.set(slotId, entry);
      }
      if (page.length < 1000) break;
      after = page[page.length - 1]!.globalPosition;
    }
    const now = this.deps.clock.now().getTime();
    let reset = 0;
    for (const [slotId, { state }] of slots) {
      if (!state.slot || Date.parse(state.slot.endsAt) < now) continue; // past slots need no gate
      const held = state.bookings.filter((b) => b.status !== 'cancelled').map((b) => b.bookingId);
      await this.deps.counter.reset(slotId, held, new Date(Date.parse(state.slot.endsAt) + DAY_MS));
      reset++;
    }
    if (token !== undefined) await this.deps.counter.integrity!.complete(token);
    return reset;
  }

  private async state(slotId: string): Promise<SlotState> {
    const events = await this.deps.store.readStream(appointmentStream(slotId));
    return events.reduce((s, e) => appointmentDecider.evolve(s, appointmentCodec.decode(e)), appointmentDecider.initialState());
  }

  private async handle(slotId: string, command: AppointmentCommand, metadata: EventMetadataInput): Promise<void> {
    if (!parseSlotId(slotId)) throw new NotFoundError(`no slot ${slotId}`);
    await handleCommand(this.deps.store, appointmentStream(slotId), appointmentDecider, command, { metadata, codec: appointmentCodec });
  }
}
