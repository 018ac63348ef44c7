/** Courier's domain events → its published contracts. Addresses never leave: only ids, statuses, times. */
import type { IntegrationEvent } from '@govsvc/contracts/registry';
import type { StoredEvent } from '@govsvc/eventstore/port';
import { waybillCodec, WAYBILL_CATEGORY } from './codec.ts';

const directionOf = (d: 'inbound' | 'outbound') => (d === 'inbound' ? 'applicant-to-office' : 'office-to-applicant');

export function courierContractOf(stored: StoredEvent): IntegrationEvent | null {
  if (!stored.stream.startsWith(`${WAYBILL_CATEGORY}-`)) return null;
  const waybillId = stored.stream.slice(WAYBILL_CATEGORY.length + 1);
  const event = waybillCodec.decode(stored);
  switch (event.type) {
    case 'WaybillCreated':
      return {
        type: 'courier.shipment-status-changed.v1',
        data: { caseId: event.data.caseId, waybillId, carrier: event.data.carrier, direction: directionOf(event.data.direction), status: 'created', previousStatus: null, carrierEventId: null, occurredAt: event.data.createdAt },
      };
    case 'StatusChanged':
      return {
        type: 'courier.shipment-status-changed.v1',
        data: {
          caseId: event.data.caseId,
          waybillId,
          carrier: event.data.carrier,
          direction: directionOf(event.data.direction),
          status: event.data.to,
          previousStatus: event.data.from,
          carrierEventId: event.data.carrierEventId,
          occurredAt: event.data.occurredAt,
        },
      };
    case 'MaterialsReceived':
      return {
        type: 'courier.materials-received.v1',
        data: {
          caseId: event.data.caseId,
          waybillId,
          carrier: event.data.carrier,
          trackingNumber: event.data.trackingNumber,
          materials: event.data.materials.map((m) => ({ ...m, form: 'paper' as const })),
          discrepancy: event.data.discrepancy,
          receivedAt: event.data.receivedAt,
          receivedBy: event.data.receivedBy,
        },
      };
    default:
      return null;
  }
}
