/** Events the courier service publishes (Art. 19): two-way express delivery, tracked. */
import { z } from 'zod';
import { CaseId, OpaqueId, Timestamp } from '../common.ts';
import { defineIntegrationEvent } from '../define.ts';

const ShipmentStatus = z.enum([
  'created',
  'picked-up',
  'in-transit',
  'out-for-delivery',
  'delivered',
  'delivery-failed',
  'returned',
  'cancelled',
]);

export const shipmentStatusChangedV1 = defineIntegrationEvent({
  type: 'courier.shipment-status-changed.v1',
  keyField: 'caseId',
  summary: 'A waybill moved to a new status, either way: materials to the office, results to the applicant (R-COURIER-1).',
  requirements: ['R-COURIER-1'],
  schema: z.object({
    caseId: CaseId,
    waybillId: OpaqueId,
    carrier: z.string().min(1).max(60),
    direction: z.enum(['applicant-to-office', 'office-to-applicant']),
    status: ShipmentStatus,
    previousStatus: ShipmentStatus.nullable(),
    carrierEventId: z.string().min(1).max(120).nullable().describe('The carrier’s own event id, where its webhook gives one.'),
    occurredAt: Timestamp.describe('When the carrier says it happened.'),
  }),
});

export const courierEvents = [shipmentStatusChangedV1] as const;
