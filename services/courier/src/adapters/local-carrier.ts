/**
 * A carrier for development and tests that behaves like a real one: it takes
 * shipments, moves each parcel through realistic states over time (on the
 * injected Clock, so tests advance a controlled clock instead of waiting), and
 * pushes every tracking event to our webhook over HTTP, signed with its
 * secret, retrying a failed push and sometimes sending the same event again,
 * as real carriers do.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '@govsvc/runtime/clock';
import { CarrierError, type Carrier, type CarrierTrackingEvent, type ShipmentRequest } from '../app/carriers.ts';
import { signBody, SIGNATURE_HEADER } from '../app/webhook-signature.ts';
import type { TrackingStatus } from '../domain/events.ts';

export interface JourneyStep {
  readonly status: TrackingStatus;
  /** Time after the shipment was created. */
  readonly afterMs: number;
  readonly location: string;
  readonly note?: string;
}

const HOUR = 3_600_000;

/** Same-city express: collected within the hour, delivered next day. */
export const DEFAULT_JOURNEY: readonly JourneyStep[] = [
  { status: 'picked-up', afterMs: 0.5 * HOUR, location: '北京朝阳营业部', note: '快递员已揽收' },
  { status: 'in-transit', afterMs: 2 * HOUR, location: '北京转运中心', note: '已到达转运中心' },
  { status: 'out-for-delivery', afterMs: 20 * HOUR, location: '北京东城营业部', note: '快递员正在派送' },
  { status: 'delivered', afterMs: 22 * HOUR, location: '北京东城营业部', note: '已签收' },
];

export interface LocalCarrierOptions {
  readonly name?: string;
  readonly clock: Clock;
  readonly secret: string;
  /** Where to push tracking events (our `/courier/carriers/<name>/webhook`). */
  readonly webhookUrl: () => string;
  readonly journey?: readonly JourneyStep[];
  /** Send each event a second time (a carrier's at-least-once delivery). */
  readonly duplicateEvents?: boolean;
  readonly log?: (message: string, details: Record<string, unknown>) => void;
}

interface Parcel {
  readonly request: ShipmentRequest;
  readonly trackingNumber: string;
  readonly createdAt: Date;
  readonly events: CarrierTrackingEvent[];
  readonly stop: AbortController;
}

export interface LocalCarrier extends Carrier {
  /** Resolves when every scheduled push due by now has been sent (for tests). */
  settled(): Promise<void>;
}

export function createLocalCarrier(options: LocalCarrierOptions): LocalCarrier {
  const name = options.name ?? 'local';
  const journey = options.journey ?? DEFAULT_JOURNEY;
  const parcels = new Map<string, Parcel>();
  const byWaybill = new Map<string, string>();
  const pushes = new Set<Promise<void>>();
  let counter = 0;

  async function push(events: readonly CarrierTrackingEvent[]): Promise<void> {
    const body = JSON.stringify({ deliveryId: randomUUID(), sentAt: options.clock.now().toISOString(), events });
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        const response = await fetch(options.webhookUrl(), {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(body, options.secret) },
          body,
        });
        if (response.ok) return;
        if (response.status < 500 && response.status !== 429) {
          options.log?.('webhook refused', { status: response.status, body: await response.text() });
          return;
        }
      } catch (error) {
        options.log?.('webhook push failed', { attempt, error: String(error) });
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }

  function tracked(promise: Promise<void>): Promise<void> {
    pushes.add(promise);
    void promise.finally(() => pushes.delete(promise));
    return promise;
  }

  async function run(parcel: Parcel): Promise<void> {
    for (const [index, step] of journey.entries()) {
      await options.clock.sleepUntil(new Date(parcel.createdAt.getTime() + step.afterMs), parcel.stop.signal);
      const event: CarrierTrackingEvent = {
        eventId: `${parcel.trackingNumber}-${index + 1}`,
        trackingNumber: parcel.trackingNumber,
        status: step.status,
        occurredAt: new Date(parcel.createdAt.getTime() + step.afterMs).toISOString(),
        sequence: index + 1,
        location: step.location,
        note: step.note ?? null,
      };
      parcel.events.push(event);
      await tracked(push([event]).then(() => (options.duplicateEvents ? push([event]) : undefined)));
    }
  }

  return {
    name,
    async createShipment(request) {
      const existing = byWaybill.get(request.waybillId);
      if (existing) return { trackingNumber: existing };
      const trackingNumber = `LC${String(Date.now() % 1e8).padStart(8, '0')}${String(++counter).padStart(4, '0')}`;
      const parcel: Parcel = { request, trackingNumber, createdAt: options.clock.now(), events: [], stop: new AbortController() };
      parcels.set(trackingNumber, parcel);
      byWaybill.set(request.waybillId, trackingNumber);
      void run(parcel).catch(() => undefined);
      return { trackingNumber };
    },
    async cancel(trackingNumber) {
      const parcel = parcels.get(trackingNumber);
      if (!parcel) throw new CarrierError(`no parcel ${trackingNumber}`, false);
      if (parcel.events.length > 0) throw new CarrierError(`parcel ${trackingNumber} is already ${parcel.events[parcel.events.length - 1]!.status}`, false);
      parcel.stop.abort();
    },
    async track(trackingNumber) {
      const parcel = parcels.get(trackingNumber);
      if (!parcel) throw new CarrierError(`no parcel ${trackingNumber}`, false);
      return [...parcel.events];
    },
    async settled() {
      // A clock advance wakes journeys in microtasks; each push they start is in `pushes` until answered.
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        if (pushes.size === 0) return;
        await Promise.allSettled([...pushes]);
      }
    },
    async close() {
      for (const parcel of parcels.values()) parcel.stop.abort();
    },
  };
}

