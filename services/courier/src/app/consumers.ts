/**
 * What courier reads from the bus: delivery's postal hand-overs (an outbound
 * waybill each) and intake's facts naming a case's applicant (who may track
 * and request pickups). Effects are appends with ids derived from the
 * CloudEvents id, and the outbound waybill id derives from the delivery id,
 * so a redelivery creates nothing twice, at the carrier either.
 */
import type { DecodedIntegrationEvent } from '@govsvc/contracts/envelope';
import type { CurrentIntegrationEvent } from '@govsvc/contracts/registry';
import { openContact, type ContactKeyring } from '@govsvc/contracts/sealed-contact';
import { topicOf } from '@govsvc/contracts/topics';
import { ValidationError } from '@govsvc/errors/errors';
import type { MessageBus } from '@govsvc/messaging/bus';
import { createIntegrationEventConsumer, type IntegrationEventConsumer } from '@govsvc/messaging/consumer';
import { createInMemoryProcessedMessages } from '@govsvc/messaging/processed-messages';
import { deterministicId } from '@govsvc/runtime/ids';
import type { Logger } from 'pino';
import type { Cause, CourierService } from './courier-service.ts';

export const COURIER_CONSUMER_GROUP = 'courier';
export const COURIER_CONSUMED_TOPICS = [topicOf('delivery'), topicOf('intake')];

type Of<T extends CurrentIntegrationEvent['type']> = DecodedIntegrationEvent<Extract<CurrentIntegrationEvent, { type: T }>>;

const causeOf = (event: DecodedIntegrationEvent, step: string): Cause => ({
  seed: `${event.source}#${event.id}/${step}`,
  actor: { id: event.source, role: 'integration' },
  correlationId: event.correlationId,
  causationId: event.id,
});

/** The outbound waybill of a delivery: one per delivery, whatever happens to the message. */
export const outboundWaybillId = (deliveryId: string): string => `wb-${deterministicId('govsvc-courier-outbound', deliveryId)}`;

export function courierHandlers(service: CourierService, keyring: ContactKeyring) {
  return {
    'delivery.postal-delivery-requested.v1': async (event: Of<'delivery.postal-delivery-requested.v1'>) => {
      const d = event.data;
      await service.recordCaseOwner(d.caseId, d.applicant.ref, d.applicant.maskedId, causeOf(event, 'owner'));
      const postal = openContact(d.recipient, d.caseId, keyring).postalAddress;
      if (!postal) throw new ValidationError('the applicant chose post but gave no postal address', [{ path: '/recipient', reason: 'no postal address', rule: 'R-DELIV-1' }]);
      await service.createWaybill(
        {
          waybillId: outboundWaybillId(d.deliveryId),
          caseId: d.caseId,
          direction: 'outbound',
          counterpart: { name: postal.recipient, phone: postal.phone, region: postal.region, address: postal.address, ...(postal.postcode ? { postcode: postal.postcode } : {}) },
          contents: d.contents.map((c) => ({ kind: c.kind, reference: c.reference, title: c.title, copies: 1 })),
          owner: d.applicant.ref,
          deliveryId: d.deliveryId,
          createdBy: 'courier-consumer',
        },
        causeOf(event, 'waybill'),
      );
    },
    'intake.application-submitted.v1': async (event: Of<'intake.application-submitted.v1'>) => {
      const d = event.data;
      // The case's first contract: courier has not heard of it yet.
      await service.recordCaseOwner(d.caseId, d.applicant.ref, d.applicant.maskedId, causeOf(event, 'owner'), { probablyNew: true });
      if (d.serviceCentre) await service.recordCaseCentre(d.caseId, d.serviceCentre, 'submission', causeOf(event, 'centre'));
    },
    'intake.delivery-preferences-recorded.v1': async (event: Of<'intake.delivery-preferences-recorded.v1'>) => {
      const d = event.data;
      await service.recordCaseOwner(d.caseId, d.applicant.ref, d.applicant.maskedId, causeOf(event, 'owner'));
      const r = d.resultDelivery;
      if (r.method === 'window-pickup' || r.method === 'kiosk-pickup') await service.recordCaseCentre(d.caseId, r.serviceCentre, 'pickup', causeOf(event, 'centre'));
    },
  };
}

export function createCourierConsumer(
  bus: MessageBus,
  service: CourierService,
  keyring: ContactKeyring,
  logger: Logger,
  options: { readonly groupId?: string | undefined; readonly topicFor?: (topic: string) => string } = {},
): IntegrationEventConsumer {
  const topicFor = options.topicFor ?? ((topic: string) => topic);
  return createIntegrationEventConsumer({
    bus,
    groupId: options.groupId ?? COURIER_CONSUMER_GROUP,
    topics: COURIER_CONSUMED_TOPICS.map(topicFor),
    handlers: courierHandlers(service, keyring),
    processed: createInMemoryProcessedMessages(),
    log: { warn: (d, m) => logger.warn(d, m), error: (d, m) => logger.error(d, m) },
  });
}
