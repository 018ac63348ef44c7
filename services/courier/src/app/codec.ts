/** Courier's stream categories and codecs: every stored event parsed against its schema on the way out. */
import { zodEventCodec, type EventDefinitions } from '@govsvc/eventstore/event-codec';
import { caseOwnerEventSchemas, type CaseOwnerEvent } from '../domain/case-owner.ts';
import { courierEventSchemas, type CourierEvent } from '../domain/events.ts';
import { unmatchedScanEventSchemas, type UnmatchedScanEvent } from '../domain/unmatched-scans.ts';

export const WAYBILL_CATEGORY = 'waybill';
export const CASE_CATEGORY = 'couriercase';
export const waybillStream = (waybillId: string): string => `${WAYBILL_CATEGORY}-${waybillId}`;
export const caseStream = (caseId: string): string => `${CASE_CATEGORY}-${caseId}`;
/** Scans held for a tracking number no waybill claims yet (`src/domain/unmatched-scans.ts`); not relayed. */
export const UNMATCHED_CATEGORY = 'unmatchedscan';
export const unmatchedStream = (carrier: string, trackingNumber: string): string => `${UNMATCHED_CATEGORY}-${carrier}:${trackingNumber}`;

const v1 = <S extends Record<string, unknown>>(schemas: S) =>
  Object.fromEntries(Object.entries(schemas).map(([type, schema]) => [type, { schemaVersion: 1, schema }]));

export const waybillCodec = zodEventCodec<CourierEvent>(v1(courierEventSchemas) as unknown as EventDefinitions<CourierEvent>);
export const caseOwnerCodec = zodEventCodec<CaseOwnerEvent>(v1(caseOwnerEventSchemas) as unknown as EventDefinitions<CaseOwnerEvent>);
export const unmatchedScanCodec = zodEventCodec<UnmatchedScanEvent>(v1(unmatchedScanEventSchemas) as unknown as EventDefinitions<UnmatchedScanEvent>);
