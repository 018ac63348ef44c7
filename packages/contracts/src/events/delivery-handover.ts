/** Delivery → courier and supervision: the postal hand-over and the Art. 44 delivery time limit (R-DELIV-1, R-COURIER-1). */
import { z } from 'zod';
import { Applicant, CaseId, OpaqueId, ResultDeliveryMethod, Timestamp, WorkingDayDeadline } from '../common.ts';
import { defineIntegrationEvent } from '../define.ts';
import { SealedContact } from '../sealed-contact.ts';

export const resultDeliveryScheduledV1 = defineIntegrationEvent({
  type: 'delivery.result-delivery-scheduled.v1',
  keyField: 'caseId',
  summary:
    'An approved result is due to reach the applicant: delivered within 10 working days of the decision (Licensing Law Art. 44). Supervision opens the deadline on this and closes it on delivery.result-delivered.',
  requirements: ['R-DELIV-1', 'R-REV-3'],
  schema: z.object({
    caseId: CaseId,
    deliveryId: OpaqueId.describe('The delivery of this result in the delivery service.'),
    licenceId: OpaqueId.nullable().describe('The licence delivered, once issued.'),
    method: ResultDeliveryMethod,
    decidedAt: Timestamp.describe('The approval the limit runs from.'),
    deliverBy: WorkingDayDeadline.describe('Decision day + 10 working days (Licensing Law Art. 44, Art. 82).'),
    scheduledAt: Timestamp,
  }),
});

export const postalDeliveryRequestedV1 = defineIntegrationEvent({
  type: 'delivery.postal-delivery-requested.v1',
  keyField: 'caseId',
  summary: 'A result is to be posted to the applicant: courier creates the outbound waybill (R-DELIV-1, R-COURIER-1).',
  requirements: ['R-DELIV-1', 'R-COURIER-1'],
  schema: z.object({
    caseId: CaseId,
    deliveryId: OpaqueId,
    caseNumber: z.string().min(1).max(64),
    applicant: Applicant.describe('Owner of the shipment: the applicant may track it.'),
    contents: z
      .array(z.object({ kind: z.enum(['licence', 'decision', 'other']), reference: OpaqueId, title: z.string().min(1).max(200) }))
      .min(1)
      .describe('What goes in the parcel.'),
    recipient: SealedContact.describe('The applicant’s sealed contact; courier takes its postalAddress.'),
    deliverBy: WorkingDayDeadline,
    requestedAt: Timestamp,
  }),
});

export const deliveryHandoverEvents = [resultDeliveryScheduledV1, postalDeliveryRequestedV1] as const;
