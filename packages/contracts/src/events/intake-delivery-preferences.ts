/**
 * What delivery and courier need from intake to tell the applicant about
 * their case and hand over its result (R-NOTIFY-1, R-DELIV-1, R-COURIER-1):
 * the case number and item name for the messages, the channels and the result
 * delivery method the applicant chose on the application, and their contact
 * details sealed (never in clear on Kafka: `sealed-contact.ts`).
 */
import { z } from 'zod';
import { Applicant, CaseId, ItemCode, OpaqueId, Timestamp } from '../common.ts';
import { defineIntegrationEvent } from '../define.ts';
import { SealedContact } from '../sealed-contact.ts';

export const NotificationChannel = z.enum(['sms', 'email', 'phone']).describe('How the applicant is told progress and results (R-NOTIFY-1, Art. 17): SMS, e-mail, a phone call.');

export const ResultDeliveryChoice = z
  .discriminatedUnion('method', [
    z.object({ method: z.literal('window-pickup'), serviceCentre: OpaqueId.describe('Centre whose result window hands it out (R-PLAT-2).') }),
    z.object({ method: z.literal('kiosk-pickup'), serviceCentre: OpaqueId.describe('Centre whose self-service kiosks hold it.') }),
    z.object({ method: z.literal('electronic') }),
    z.object({ method: z.literal('post') }),
  ])
  .describe('How the result reaches the applicant (R-DELIV-1, Art. 18); post needs a postal address in the sealed contact.');

export const deliveryPreferencesRecordedV1 = defineIntegrationEvent({
  type: 'intake.delivery-preferences-recorded.v1',
  keyField: 'caseId',
  summary:
    'The applicant’s notification channels, result delivery method and sealed contact details for a case, as given on the application or changed at intake. Published at submission, before any acceptance outcome, and again on each change (R-NOTIFY-1, R-DELIV-1).',
  requirements: ['R-NOTIFY-1', 'R-DELIV-1', 'R-COURIER-1'],
  schema: z.object({
    caseId: CaseId,
    caseNumber: z.string().min(1).max(64).describe('The case number printed on documents and quoted in every message to the applicant.'),
    itemCode: ItemCode,
    itemName: z.string().min(1).max(200).describe('Item name as in the guide the case is bound to.'),
    applicant: Applicant,
    notificationChannels: z.array(NotificationChannel).min(1).max(3).describe('Channels the applicant chose; each needs its address in the sealed contact.'),
    resultDelivery: ResultDeliveryChoice,
    contact: SealedContact,
    recordedAt: Timestamp,
  }),
});

export const intakeDeliveryPreferenceEvents = [deliveryPreferencesRecordedV1] as const;
