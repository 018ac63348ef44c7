/**
 * The carrier port (R-COURIER-1): what the courier service asks of a
 * third-party logistics company. Each carrier is one adapter; tracking
 * events come back either by `track` (pull) or by the carrier's signed
 * webhook (push, `http/webhook.ts`), in one normalized form.
 */
import type { Address, ParcelItem, TrackingStatus } from '../domain/events.ts';

export interface ShipmentRequest {
  /** Our waybill id: carriers take it as the customer order id, so a retried request creates no second shipment. */
  readonly waybillId: string;
  readonly from: Address;
  readonly to: Address;
  readonly contents: readonly ParcelItem[];
}

export interface CarrierTrackingEvent {
  /** The carrier's id of this event: the same event sent twice has the same id. */
  readonly eventId: string;
  readonly trackingNumber: string;
  readonly status: TrackingStatus;
  readonly occurredAt: string;
  readonly sequence: number | null;
  readonly location: string | null;
  readonly note: string | null;
}

export interface Carrier {
  readonly name: string;
  createShipment(request: ShipmentRequest): Promise<{ readonly trackingNumber: string }>;
  /** Throws CarrierError when the parcel can no longer be stopped. */
  cancel(trackingNumber: string): Promise<void>;
  track(trackingNumber: string): Promise<readonly CarrierTrackingEvent[]>;
  close?(): Promise<void>;
}

export class CarrierError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'CarrierError';
  }
}
