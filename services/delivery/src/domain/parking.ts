/**
 * Notices that arrive before the case's preferences (reliability finding 7).
 * intake publishes a case's preferences before any acceptance outcome, on the
 * same key, but a replay or a republish after a restore can bring them later,
 * and review's topic is not ordered with intake's at all. A notice requested
 * before the preferences would stand in the delivery stream ahead of them,
 * so such a notice waits here, in the case's parking stream
 * (`deliveryparked-<caseId>`), and is requested on the delivery stream as soon
 * as the preferences are recorded, with the ids it would have had in order.
 *
 * This decider only keeps the ledger: what waits, what was released. Parking a
 * notice twice (a redelivered contract) or releasing it twice changes nothing.
 */
import { z } from 'zod';
import type { Decider } from '@govsvc/eventstore/decider';
import { noticeFactsSchema, type NoticeFacts } from './events.ts';

const instant = z.iso.datetime({ offset: true });
const id = z.string().min(1).max(500);

/** What the notice's own request would have carried: the seed of its event ids and its metadata. */
export const parkedCauseSchema = z.object({
  seed: id,
  actor: z.object({ id, role: id }),
  correlationId: id,
  causationId: id.nullable(),
});
export type ParkedCause = z.infer<typeof parkedCauseSchema>;

export const parkingEventSchemas = {
  NoticeParked: z.object({ parkId: id, noticeKey: id, facts: noticeFactsSchema, cause: parkedCauseSchema, parkedAt: instant }),
  NoticeReleased: z.object({ parkId: id, releasedAt: instant }),
} as const;

type Schemas = typeof parkingEventSchemas;
export type ParkingEvent = { [K in keyof Schemas]: { readonly type: K; readonly data: z.infer<Schemas[K]> } }[keyof Schemas];

export interface ParkedNotice {
  readonly parkId: string;
  readonly noticeKey: string;
  readonly facts: NoticeFacts;
  readonly cause: ParkedCause;
  readonly parkedAt: string;
}

export interface ParkingState {
  /** Waiting, in the order they were parked. */
  readonly waiting: readonly ParkedNotice[];
  readonly released: ReadonlySet<string>;
}

export type ParkingCommand =
  | { readonly type: 'ParkNotice'; readonly data: Omit<ParkedNotice, 'parkedAt'>; readonly now: string }
  | { readonly type: 'ReleaseNotice'; readonly data: { readonly parkId: string }; readonly now: string };

export const initialParkingState = (): ParkingState => ({ waiting: [], released: new Set() });

export function evolveParking(state: ParkingState, event: ParkingEvent): ParkingState {
  switch (event.type) {
    case 'NoticeParked':
      return { ...state, waiting: [...state.waiting, event.data] };
    case 'NoticeReleased':
      return { waiting: state.waiting.filter((p) => p.parkId !== event.data.parkId), released: new Set([...state.released, event.data.parkId]) };
  }
}

export function decideParking(command: ParkingCommand, state: ParkingState): ParkingEvent[] {
  const known = (parkId: string) => state.released.has(parkId) || state.waiting.some((p) => p.parkId === parkId);
  switch (command.type) {
    case 'ParkNotice':
      // A contract delivered again after its notice was released must not wait a second time.
      if (known(command.data.parkId)) return [];
      return [{ type: 'NoticeParked', data: { ...command.data, parkedAt: command.now } }];
    case 'ReleaseNotice':
      if (!state.waiting.some((p) => p.parkId === command.data.parkId)) return [];
      return [{ type: 'NoticeReleased', data: { parkId: command.data.parkId, releasedAt: command.now } }];
  }
}

export const parkingDecider: Decider<ParkingState, ParkingCommand, ParkingEvent> = {
  decide: decideParking,
  evolve: evolveParking,
  initialState: initialParkingState,
};
