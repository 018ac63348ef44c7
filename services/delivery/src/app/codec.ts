/** The delivery stream's codec: every stored event parsed against its schema on the way out. */
import { zodEventCodec, type EventDefinitions } from '@govsvc/eventstore/event-codec';
import { deliveryEventSchemas, type DeliveryEvent } from '../domain/events.ts';
import { parkingEventSchemas, type ParkingEvent } from '../domain/parking.ts';

export const DELIVERY_CATEGORY = 'delivery';
export const streamOf = (caseId: string): string => `${DELIVERY_CATEGORY}-${caseId}`;
export const caseIdOfStream = (stream: string): string => stream.slice(DELIVERY_CATEGORY.length + 1);

const definitions = Object.fromEntries(
  Object.entries(deliveryEventSchemas).map(([type, schema]) => [type, { schemaVersion: 1, schema }]),
) as unknown as EventDefinitions<DeliveryEvent>;

export const deliveryCodec = zodEventCodec<DeliveryEvent>(definitions);

/** Notices waiting for the case's preferences (`src/domain/parking.ts`); never relayed (another category). */
export const PARKING_CATEGORY = 'deliveryparked';
export const parkingStreamOf = (caseId: string): string => `${PARKING_CATEGORY}-${caseId}`;

export const parkingCodec = zodEventCodec<ParkingEvent>(
  Object.fromEntries(Object.entries(parkingEventSchemas).map(([type, schema]) => [type, { schemaVersion: 1, schema }])) as unknown as EventDefinitions<ParkingEvent>,
);
