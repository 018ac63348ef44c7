/** Events the delivery service publishes (Art. 17, 18). */
import { z } from 'zod';
import { CaseId, OpaqueId, Timestamp } from '../common.ts';
import { defineIntegrationEvent } from '../define.ts';

export const notificationSentV1 = defineIntegrationEvent({
  type: 'delivery.notification-sent.v1',
  keyField: 'caseId',
  summary: 'The applicant was told the case’s progress or result (R-NOTIFY-1). The recipient’s number or address never appears here.',
  requirements: ['R-NOTIFY-1'],
  schema: z.object({
    caseId: CaseId,
    notificationId: OpaqueId,
    channel: z.enum(['sms', 'phone', 'email', 'online']),
    stage: z.enum([
      'submitted',
      'supplement-requested',
      'accepted',
      'not-accepted',
      'time-limit-extended',
      'decided',
      'licence-issued',
      'result-delivered',
    ]),
    sentAt: Timestamp,
  }),
});

const deliveredFields = {
  caseId: CaseId,
  licenceId: OpaqueId.nullable().describe('The result handed over, when it is a licence.'),
  deliveredAt: Timestamp,
};

export const resultDeliveredV1 = defineIntegrationEvent({
  type: 'delivery.result-delivered.v1',
  keyField: 'caseId',
  summary: 'The result reached the applicant by the method they chose (R-DELIV-1).',
  requirements: ['R-DELIV-1', 'R-PLAT-2'],
  schema: z.discriminatedUnion('method', [
    z.object({ ...deliveredFields, method: z.literal('window-pickup'), serviceCentre: OpaqueId }),
    z.object({ ...deliveredFields, method: z.literal('kiosk-pickup'), kioskId: OpaqueId }),
    z.object({ ...deliveredFields, method: z.literal('electronic'), electronicLicenceId: OpaqueId }),
    z.object({ ...deliveredFields, method: z.literal('post'), waybillId: OpaqueId }),
  ]),
});

export const deliveryEvents = [notificationSentV1, resultDeliveredV1] as const;
