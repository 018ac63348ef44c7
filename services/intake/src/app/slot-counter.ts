/**
 * Slot counters: a fast admission gate in front of a slot's stream (R-APPT-1).
 *
 * A booking first takes a *hold* (check-and-increment, atomic), then its
 * event is appended to the slot stream, then the hold is *confirmed*. The
 * store stays the truth, and the two crash windows are safe:
 * - crash after the hold, before the append: the hold expires after its TTL,
 *   the place comes back (no capacity leaks forever);
 * - crash after the append, before the confirm: the hold expires and the
 *   gate may admit one attempt too many, but the slot decider, deciding on
 *   the stream that holds the booking, refuses it (no overbooking). The
 *   counters are reset from the store at start-up (`rebuildSlotCounters`).
 * Counters never confirm a booking; only the appended event does.
 */
import type { Clock } from '@govsvc/runtime/clock';
import type { ProjectionIntegrity } from '@govsvc/service-kit/projection-integrity';

export interface SlotCounter {
  /**
   * Takes a hold for `bookingId` when confirmed + live holds < capacity, or
   * refreshes one it already has. True when admitted. `expiresAt`: when the
   * slot's keys may be forgotten (after the slot is over).
   */
  tryHold(slotId: string, bookingId: string, capacity: number, holdTtlMs: number, expiresAt: Date): Promise<boolean>;
  /** The booking's event is stored: the hold becomes a confirmed place. */
  confirm(slotId: string, bookingId: string, expiresAt: Date): Promise<void>;
  /** Gives the place back (a failed attempt or a cancellation). */
  release(slotId: string, bookingId: string): Promise<void>;
  /** Places taken: confirmed plus live holds. */
  taken(slotId: string): Promise<number>;
  /** Replaces a slot's confirmed places with those the store knows, dropping holds. */
  reset(slotId: string, confirmed: readonly string[], expiresAt: Date): Promise<void>;
  /**
   * Counters kept where they can be wiped behind intake's back (Redis FLUSHALL, an empty replica) carry a
   * marker set when a rebuild from the store completes: its absence means the gate under-counts (an empty
   * slot admits everyone) and the counters must be rebuilt before they are trusted again.
   */
  readonly integrity?: ProjectionIntegrity;
  close(): Promise<void>;
}

/** In-process counters (standalone mode, tests): one JavaScript thread makes each method atomic. */
export class InMemorySlotCounter implements SlotCounter {
  private readonly confirmed = new Map<string, Set<string>>();
  private readonly holds = new Map<string, Map<string, number>>();

  constructor(private readonly clock: Clock) {}

  async tryHold(slotId: string, bookingId: string, capacity: number, holdTtlMs: number): Promise<boolean> {
    const now = this.clock.now().getTime();
    const holds = this.liveHolds(slotId, now);
    const confirmed = this.confirmed.get(slotId) ?? new Set();
    if (confirmed.has(bookingId)) return true;
    if (holds.has(bookingId) || confirmed.size + holds.size < capacity) {
      holds.set(bookingId, now + holdTtlMs);
      return true;
    }
    return false;
  }

  async confirm(slotId: string, bookingId: string): Promise<void> {
    this.holds.get(slotId)?.delete(bookingId);
    const set = this.confirmed.get(slotId) ?? new Set<string>();
    set.add(bookingId);
    this.confirmed.set(slotId, set);
  }

  async release(slotId: string, bookingId: string): Promise<void> {
    this.holds.get(slotId)?.delete(bookingId);
    this.confirmed.get(slotId)?.delete(bookingId);
  }

  async taken(slotId: string): Promise<number> {
    return (this.confirmed.get(slotId)?.size ?? 0) + this.liveHolds(slotId, this.clock.now().getTime()).size;
  }

  async reset(slotId: string, confirmed: readonly string[]): Promise<void> {
    this.holds.delete(slotId);
    this.confirmed.set(slotId, new Set(confirmed));
  }

  async close(): Promise<void> {}

  private liveHolds(slotId: string, now: number): Map<string, number> {
    const holds = this.holds.get(slotId) ?? new Map<string, number>();
    for (const [id, until] of holds) if (until <= now) holds.delete(id);
    this.holds.set(slotId, holds);
    return holds;
  }
}
