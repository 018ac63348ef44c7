/**
 * Carrier scans for a tracking number we have no waybill for yet (R-COURIER-1).
 * Carriers really do scan early: the parcel exists at the carrier as soon as
 * `createShipment` answers, while our `WaybillCreated` is still being appended
 * (or, for a waybill created from a relayed contract, still on its way). Such a
 * scan is held in the stream of its (carrier, tracking number) and applied to
 * the waybill when it is created; one that no waybill claims within the
 * retention is marked expired (kept, never applied).
 *
 * Each scan is held once (by the carrier's event id), applied or expired once;
 * the waybill decider records a carrier event id once as well, so a scan held
 * and also sent again after the waybill exists is applied a single time.
 */
import { z } from 'zod';
import type { Decider } from '@govsvc/eventstore/decider';
import { TRACKING_STATUSES } from './events.ts';

const instant = z.iso.datetime({ offset: true });
const id = z.string().min(1).max(200);

export const heldScanSchema = z.object({
  carrierEventId: id,
  status: z.enum(TRACKING_STATUSES),
  occurredAt: instant,
  sequence: z.int().min(0).nullable(),
  location: z.string().max(200).nullable(),
  note: z.string().max(500).nullable(),
});
export type HeldScan = z.infer<typeof heldScanSchema>;

export const unmatchedScanEventSchemas = {
  ScanHeld: z.object({
    carrier: id,
    trackingNumber: id,
    scan: heldScanSchema,
    /** The webhook delivery that brought it, and the request's correlation id: the trail of where it came from. */
    webhookDeliveryId: id,
    correlationId: id,
    receivedAt: instant,
    holdUntil: instant,
  }),
  ScanApplied: z.object({ carrierEventId: id, waybillId: id, appliedAt: instant }),
  ScanExpired: z.object({ carrierEventId: id, expiredAt: instant }),
} as const;

type Schemas = typeof unmatchedScanEventSchemas;
export type UnmatchedScanEvent = { [K in keyof Schemas]: { readonly type: K; readonly data: z.infer<Schemas[K]> } }[keyof Schemas];
export type Waiting = Extract<UnmatchedScanEvent, { type: 'ScanHeld' }>['data'];

export interface UnmatchedScansState {
  /** Held and neither applied nor expired, in the order received. */
  readonly waiting: readonly Waiting[];
  /** Carrier event ids applied or expired. */
  readonly settled: ReadonlySet<string>;
}

export type UnmatchedScanCommand =
  | {
      readonly type: 'HoldScan';
      readonly data: { readonly carrier: string; readonly trackingNumber: string; readonly scan: HeldScan; readonly webhookDeliveryId: string; readonly correlationId: string };
      readonly now: string;
      readonly retentionMs: number;
    }
  | { readonly type: 'MarkApplied'; readonly data: { readonly carrierEventId: string; readonly waybillId: string }; readonly now: string }
  | { readonly type: 'ExpireDue'; readonly now: string };

export const initialUnmatchedScansState = (): UnmatchedScansState => ({ waiting: [], settled: new Set() });

const settle = (state: UnmatchedScansState, carrierEventId: string): UnmatchedScansState => ({
  waiting: state.waiting.filter((w) => w.scan.carrierEventId !== carrierEventId),
  settled: new Set([...state.settled, carrierEventId]),
});

export function evolveUnmatchedScans(state: UnmatchedScansState, event: UnmatchedScanEvent): UnmatchedScansState {
  switch (event.type) {
    case 'ScanHeld':
      return { ...state, waiting: [...state.waiting, event.data] };
    case 'ScanApplied':
    case 'ScanExpired':
      return settle(state, event.data.carrierEventId);
  }
}

export function decideUnmatchedScans(command: UnmatchedScanCommand, state: UnmatchedScansState): UnmatchedScanEvent[] {
  switch (command.type) {
    case 'HoldScan': {
      const eventId = command.data.scan.carrierEventId;
      // Sent again (the carrier's retry under a new delivery id): the same scan, held once.
      if (state.settled.has(eventId) || state.waiting.some((w) => w.scan.carrierEventId === eventId)) return [];
      const holdUntil = new Date(new Date(command.now).getTime() + command.retentionMs).toISOString();
      return [{ type: 'ScanHeld', data: { ...command.data, receivedAt: command.now, holdUntil } }];
    }
    case 'MarkApplied':
      if (!state.waiting.some((w) => w.scan.carrierEventId === command.data.carrierEventId)) return [];
      return [{ type: 'ScanApplied', data: { ...command.data, appliedAt: command.now } }];
    case 'ExpireDue': {
      const now = new Date(command.now).getTime();
      return state.waiting
        .filter((w) => new Date(w.holdUntil).getTime() <= now)
        .map((w) => ({ type: 'ScanExpired' as const, data: { carrierEventId: w.scan.carrierEventId, expiredAt: command.now } }));
    }
  }
}

export const unmatchedScansDecider: Decider<UnmatchedScansState, UnmatchedScanCommand, UnmatchedScanEvent> = {
  decide: decideUnmatchedScans,
  evolve: evolveUnmatchedScans,
  initialState: initialUnmatchedScansState,
};
