/**
 * The waybill decider (R-COURIER-1): the shipment's state machine, robust to
 * what carriers really send: the same event twice, events out of order, a
 * skipped scan.
 *
 *   created → picked-up → in-transit → out-for-delivery → delivered
 *                                        ↓        ↑
 *                                   delivery-failed → returned
 *   created → cancelled
 *
 * Ordering is by the carrier's event time, then its sequence number when it
 * gives one; the time we received an event says nothing about when it
 * happened. An event older than the current status is history, not news.
 */
import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import type { Decider } from '@govsvc/eventstore/decider';
import type { Address, CourierEvent, CourierEventOf, ParcelItem, ShipmentStatus, TrackingStatus } from './events.ts';

export type CourierCommand =
  | {
      readonly type: 'CreateWaybill';
      readonly data: Omit<CourierEventOf<'WaybillCreated'>['data'], 'createdAt'> & { readonly at: string };
    }
  | {
      readonly type: 'RecordTrackingEvent';
      readonly data: {
        readonly carrierEventId: string;
        readonly status: TrackingStatus;
        readonly occurredAt: string;
        readonly sequence: number | null;
        readonly location: string | null;
        readonly note: string | null;
        readonly at: string;
      };
    }
  | { readonly type: 'CancelWaybill'; readonly data: { readonly reason: string; readonly by: string; readonly at: string } }
  | {
      readonly type: 'RecordMaterialsReceived';
      readonly data: Omit<CourierEventOf<'MaterialsReceived'>['data'], 'receivedAt' | 'caseId' | 'carrier' | 'trackingNumber'> & { readonly at: string };
    };

export interface HistoryEntry {
  readonly carrierEventId: string;
  readonly status: TrackingStatus;
  readonly occurredAt: string;
  readonly sequence: number | null;
  readonly location: string | null;
  readonly note: string | null;
  readonly receivedAt: string;
  readonly effect: CourierEventOf<'TrackingEventRecorded'>['data']['effect'];
}

export interface WaybillState {
  readonly waybill: {
    readonly waybillId: string;
    readonly caseId: string;
    readonly direction: 'inbound' | 'outbound';
    readonly carrier: string;
    readonly trackingNumber: string;
    readonly from: Address;
    readonly to: Address;
    readonly contents: readonly ParcelItem[];
    readonly owner: string;
    readonly deliveryId: string | null;
    readonly createdAt: string;
  } | null;
  readonly status: ShipmentStatus | null;
  /** Carrier time (and sequence) of the event that set the current status. */
  readonly statusAt: { readonly occurredAt: string; readonly sequence: number | null } | null;
  readonly history: readonly HistoryEntry[];
  readonly failedAttempts: number;
  readonly materialsReceived: CourierEventOf<'MaterialsReceived'>['data'] | null;
}

export const initialWaybillState = (): WaybillState => ({ waybill: null, status: null, statusAt: null, history: [], failedAttempts: 0, materialsReceived: null });

export const TERMINAL: readonly ShipmentStatus[] = ['delivered', 'returned', 'cancelled'];

const RANK: Record<ShipmentStatus, number> = {
  created: 0,
  'picked-up': 1,
  'in-transit': 2,
  'out-for-delivery': 3,
  'delivery-failed': 4,
  delivered: 5,
  returned: 5,
  cancelled: 5,
};

/**
 * Whether the status may move from `from` to `to`. Forward moves may skip
 * scans the carrier never sent (picked-up straight to delivered); the only
 * backward moves are the ones a failed attempt leads to (another round out
 * for delivery, back to the hub, or return to sender).
 */
export function mayMove(from: ShipmentStatus, to: ShipmentStatus): boolean {
  if (TERMINAL.includes(from) || from === to) return false;
  if (from === 'delivery-failed') return ['out-for-delivery', 'in-transit', 'returned', 'delivered'].includes(to);
  if (to === 'returned') return from !== 'created';
  if (to === 'delivery-failed') return from === 'out-for-delivery' || from === 'in-transit';
  return RANK[to] > RANK[from];
}

/** Carrier order: time first, then the carrier's sequence where both have one. */
function isAfter(a: { occurredAt: string; sequence: number | null }, b: { occurredAt: string; sequence: number | null }): boolean {
  const ta = new Date(a.occurredAt).getTime();
  const tb = new Date(b.occurredAt).getTime();
  if (ta !== tb) return ta > tb;
  return a.sequence !== null && b.sequence !== null && a.sequence > b.sequence;
}

const identity = (w: NonNullable<WaybillState['waybill']>) => ({ caseId: w.caseId, carrier: w.carrier, direction: w.direction });

function requireWaybill(state: WaybillState) {
  if (!state.waybill || !state.status) throw new RuleViolation('R-COURIER-1', 'no such waybill');
  return { waybill: state.waybill, status: state.status };
}

export function decideWaybill(command: CourierCommand, state: WaybillState): CourierEvent[] {
  switch (command.type) {
    case 'CreateWaybill': {
      // The stream is the waybill's: creating it again (a redelivered request) is a no-op.
      if (state.waybill) return [];
      const { at, ...data } = command.data;
      const issues = [
        ...(data.contents.length === 0 ? [{ path: '/contents', reason: 'a parcel holds something' }] : []),
        ...(data.direction === 'outbound' && data.deliveryId === null ? [{ path: '/deliveryId', reason: 'an outbound waybill carries a delivery' }] : []),
      ];
      if (issues.length > 0) throw new ValidationError('the waybill is incomplete', issues);
      return [{ type: 'WaybillCreated', data: { ...data, contents: [...data.contents], createdAt: at } }];
    }
    case 'RecordTrackingEvent': {
      const { waybill, status } = requireWaybill(state);
      const d = command.data;
      // The carrier sends an event again (retries, replays): it is the same fact, recorded once.
      if (state.history.some((h) => h.carrierEventId === d.carrierEventId)) return [];
      // "created" is our own record, timed by our clock: no carrier event is older news than it. A scan
      // the carrier made before we recorded the waybill (held meanwhile, or a clock apart) still moves it.
      const current = status === 'created' ? null : state.statusAt;
      const late = current !== null && !isAfter({ occurredAt: d.occurredAt, sequence: d.sequence }, current);
      const effect = late ? 'late' : status === d.status ? 'no-change' : mayMove(status, d.status) ? 'applied' : 'not-allowed';
      const recorded: CourierEvent = {
        type: 'TrackingEventRecorded',
        data: { carrierEventId: d.carrierEventId, status: d.status, occurredAt: d.occurredAt, sequence: d.sequence, location: d.location, note: d.note, receivedAt: d.at, effect },
      };
      if (effect !== 'applied') return [recorded];
      return [recorded, { type: 'StatusChanged', data: { ...identity(waybill), from: status, to: d.status, occurredAt: d.occurredAt, carrierEventId: d.carrierEventId } }];
    }
    case 'CancelWaybill': {
      const { waybill, status } = requireWaybill(state);
      if (status === 'cancelled') return [];
      if (status !== 'created') throw new RuleViolation('R-COURIER-1', `the parcel is ${status}: only a waybill not yet picked up can be cancelled`);
      return [
        { type: 'WaybillCancelled', data: { reason: command.data.reason, by: command.data.by, cancelledAt: command.data.at } },
        { type: 'StatusChanged', data: { ...identity(waybill), from: status, to: 'cancelled', occurredAt: command.data.at, carrierEventId: null } },
      ];
    }
    case 'RecordMaterialsReceived': {
      const { waybill, status } = requireWaybill(state);
      if (waybill.direction !== 'inbound') throw new RuleViolation('R-COURIER-1', 'materials are received from inbound shipments only');
      if (state.materialsReceived) return [];
      if (status !== 'delivered') throw new RuleViolation('R-COURIER-1', `the parcel is ${status}: materials are checked in once it is delivered to the centre`);
      const { at, ...data } = command.data;
      return [
        {
          type: 'MaterialsReceived',
          data: { caseId: waybill.caseId, carrier: waybill.carrier, trackingNumber: waybill.trackingNumber, ...data, materials: [...data.materials], receivedAt: at },
        },
      ];
    }
  }
}

export function evolveWaybill(state: WaybillState, event: CourierEvent): WaybillState {
  switch (event.type) {
    case 'WaybillCreated': {
      const { createdBy: _createdBy, ...w } = event.data;
      return { ...state, waybill: w, status: 'created', statusAt: { occurredAt: w.createdAt, sequence: null } };
    }
    case 'TrackingEventRecorded':
      return { ...state, history: [...state.history, { ...event.data }] };
    case 'StatusChanged': {
      const entry = state.history.find((h) => h.carrierEventId === event.data.carrierEventId);
      return {
        ...state,
        status: event.data.to,
        statusAt: { occurredAt: event.data.occurredAt, sequence: entry?.sequence ?? null },
        failedAttempts: state.failedAttempts + (event.data.to === 'delivery-failed' ? 1 : 0),
      };
    }
    case 'WaybillCancelled':
      return state;
    case 'MaterialsReceived':
      return { ...state, materialsReceived: event.data };
  }
}

export const waybillDecider: Decider<WaybillState, CourierCommand, CourierEvent> = {
  decide: decideWaybill,
  evolve: evolveWaybill,
  initialState: initialWaybillState,
};
