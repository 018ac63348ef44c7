/**
 * Delivery's domain events → its published contracts (the relay publishes
 * what this returns). Nothing personal crosses: the sealed contact stays
 * sealed, recipients appear masked, and only ids and stages otherwise.
 */
import type { IntegrationEvent } from '@govsvc/contracts/registry';
import type { StoredEvent } from '@govsvc/eventstore/port';
import { caseIdOfStream, deliveryCodec, DELIVERY_CATEGORY } from './codec.ts';

export function deliveryContractOf(stored: StoredEvent): IntegrationEvent | null {
  if (!stored.stream.startsWith(`${DELIVERY_CATEGORY}-`)) return null;
  const caseId = caseIdOfStream(stored.stream);
  const event = deliveryCodec.decode(stored);
  switch (event.type) {
    case 'NotificationSent':
      // notification-sent.v1 has no stage for review's progress notices (under review, excluded time):
      // they are recorded here and not published until a contract version can say what they were.
      if (event.data.stage === 'review-progress') return null;
      return {
        type: 'delivery.notification-sent.v1',
        data: { caseId, notificationId: `${event.data.noticeId}.${event.data.channel}`, channel: event.data.channel, stage: event.data.stage, sentAt: event.data.sentAt },
      };
    case 'ResultDeliveryScheduled':
      return {
        type: 'delivery.result-delivery-scheduled.v1',
        data: { caseId, deliveryId: event.data.deliveryId, licenceId: null, method: event.data.method, decidedAt: event.data.decidedAt, deliverBy: event.data.deliverBy, scheduledAt: event.data.scheduledAt },
      };
    case 'PostalDeliveryRequested':
      return { type: 'delivery.postal-delivery-requested.v1', data: { caseId, ...event.data } };
    case 'ResultDelivered': {
      const d = event.data;
      const common = { caseId, licenceId: d.licenceId, deliveredAt: d.deliveredAt };
      switch (d.method) {
        case 'window-pickup':
          return { type: 'delivery.result-delivered.v1', data: { ...common, method: 'window-pickup', serviceCentre: d.serviceCentre } };
        case 'kiosk-pickup':
          return { type: 'delivery.result-delivered.v1', data: { ...common, method: 'kiosk-pickup', kioskId: d.kioskId } };
        case 'electronic':
          return { type: 'delivery.result-delivered.v1', data: { ...common, method: 'electronic', electronicLicenceId: d.electronicLicenceId } };
        case 'post':
          return { type: 'delivery.result-delivered.v1', data: { ...common, method: 'post', waybillId: d.waybillId } };
      }
      return null;
    }
    default:
      return null;
  }
}
