/** Courier → intake: paper materials collected from the applicant arrived at the centre (R-COURIER-1). */
import { z } from 'zod';
import { CaseId, MaterialRef, OpaqueId, StaffRef, Timestamp } from '../common.ts';
import { defineIntegrationEvent } from '../define.ts';

export const materialsReceivedV1 = defineIntegrationEvent({
  type: 'courier.materials-received.v1',
  keyField: 'caseId',
  summary:
    'Paper materials an applicant sent by courier were received and checked in at the service centre; intake records them on the case as received (R-COURIER-1, Art. 19).',
  requirements: ['R-COURIER-1', 'R-ACC-1'],
  schema: z.object({
    caseId: CaseId,
    waybillId: OpaqueId,
    carrier: z.string().min(1).max(60),
    trackingNumber: z.string().min(1).max(60),
    materials: z
      .array(MaterialRef.extend({ copies: z.int().min(1).max(100), form: z.literal('paper') }))
      .min(1)
      .describe('What was in the parcel, as counted at the centre.'),
    discrepancy: z.string().min(1).max(1000).nullable().describe('What differed from the waybill’s declared contents; null when nothing did.'),
    receivedAt: Timestamp,
    receivedBy: StaffRef,
  }),
});

export const courierMaterialsEvents = [materialsReceivedV1] as const;
