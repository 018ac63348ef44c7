/**
 * What delivery reads from the bus (contracts only, never another service's
 * code): intake's preferences and acceptance outcomes, review's decisions and
 * licences, courier's shipment statuses. Each becomes a command on the case's
 * delivery stream whose event ids derive from the CloudEvents id, so a
 * redelivered message appends nothing (the event store is the dedupe record).
 * A notice that arrives before the case's preferences waits in the case's
 * parking stream and is requested when they arrive (`src/domain/parking.ts`).
 */
import type { DecodedIntegrationEvent } from '@govsvc/contracts/envelope';
import { topicOf } from '@govsvc/contracts/topics';
import type { CurrentIntegrationEvent } from '@govsvc/contracts/registry';
import type { MessageBus } from '@govsvc/messaging/bus';
import { createIntegrationEventConsumer, type IntegrationEventConsumer } from '@govsvc/messaging/consumer';
import { createInMemoryProcessedMessages } from '@govsvc/messaging/processed-messages';
import type { Logger } from 'pino';
import type { Cause, DeliveryService } from './delivery-service.ts';

export const DELIVERY_CONSUMER_GROUP = 'delivery';
export const DELIVERY_CONSUMED_TOPICS = [topicOf('intake'), topicOf('review'), topicOf('courier')];

type Of<T extends CurrentIntegrationEvent['type']> = DecodedIntegrationEvent<Extract<CurrentIntegrationEvent, { type: T }>>;

const causeOf = (event: DecodedIntegrationEvent, step: string): Cause => ({
  seed: `${event.source}#${event.id}/${step}`,
  actor: { id: event.source, role: 'integration' },
  correlationId: event.correlationId,
  causationId: event.id,
});

export function deliveryHandlers(service: DeliveryService) {
  return {
    'intake.delivery-preferences-recorded.v1': async (event: Of<'intake.delivery-preferences-recorded.v1'>) => {
      const d = event.data;
      await service.execute(
        d.caseId,
        {
          type: 'RecordPreferences',
          data: {
            caseNumber: d.caseNumber,
            itemCode: d.itemCode,
            itemName: d.itemName,
            applicant: d.applicant,
            channels: d.notificationChannels,
            choice: d.resultDelivery,
            contact: d.contact,
            recordedAt: d.recordedAt,
          },
        },
        causeOf(event, 'preferences'),
        { probablyNew: true },
      );
      // Notices that came before the preferences (a replay out of order, review's topic ahead of intake's) go out now.
      await service.releaseParkedNotices(d.caseId);
    },
    'intake.application-submitted.v1': async (event: Of<'intake.application-submitted.v1'>) => {
      const d = event.data;
      // Intake's first contracts for a case: its stream here is nearly always new (an online submission records nothing).
      await service.execute(d.caseId, { type: 'RecordSubmission', data: { serviceCentre: d.serviceCentre, submittedAt: d.submittedAt } }, causeOf(event, 'submission'), { probablyNew: true });
    },
    'intake.case-accepted.v2': async (event: Of<'intake.case-accepted.v2'>) => {
      const d = event.data;
      await service.requestNotice(
        d.caseId,
        {
          noticeKey: `accepted:${d.receipt.documentId}`,
          facts: {
            stage: 'accepted',
            decisionDue: d.decisionDue.date,
            tolerated: d.toleratedDeficiencies ? { materials: d.toleratedDeficiencies.items.map((i) => i.name), deadline: d.toleratedDeficiencies.deadline.date } : null,
          },
        },
        causeOf(event, 'notice'),
      );
    },
    'intake.supplement-requested.v1': async (event: Of<'intake.supplement-requested.v1'>) => {
      const d = event.data;
      await service.requestNotice(
        d.caseId,
        {
          noticeKey: `supplement-requested:${d.notice.documentId}`,
          facts: { stage: 'supplement-requested', items: d.items.map((i) => ({ name: i.name, detail: i.detail })), deadline: d.deadline.date },
        },
        causeOf(event, 'notice'),
      );
    },
    'intake.case-not-accepted.v1': async (event: Of<'intake.case-not-accepted.v1'>) => {
      const d = event.data;
      await service.requestNotice(
        d.caseId,
        { noticeKey: `not-accepted:${d.decision.documentId}`, facts: { stage: 'not-accepted', reasons: d.reasons.map((r) => r.text) } },
        causeOf(event, 'notice'),
      );
    },
    'review.time-limit-extended.v1': async (event: Of<'review.time-limit-extended.v1'>) => {
      const d = event.data;
      await service.requestNotice(
        d.caseId,
        {
          noticeKey: `time-limit-extended:${d.newDue.date}`,
          facts: { stage: 'time-limit-extended', reason: d.reason.text, previousDue: d.previousDue.date, newDue: d.newDue.date },
        },
        causeOf(event, 'notice'),
      );
    },
    // Review's progress notices. Its decision and extension notices are told from decision-made and
    // time-limit-extended above (with reasons and the office to call), so those stages are not sent twice.
    'review.applicant-notice-due.v1': async (event: Of<'review.applicant-notice-due.v1'>) => {
      const d = event.data;
      if (d.stage !== 'under-review' && d.stage !== 'time-excluded' && d.stage !== 'time-exclusion-ended') return;
      await service.requestNotice(
        d.caseId,
        {
          noticeKey: `review-progress:${d.stage}:${d.document?.documentId ?? d.occurredAt}`,
          facts: { stage: 'review-progress', kind: d.stage, text: d.outcome, nextStep: d.nextStep, due: d.due?.date ?? null },
        },
        causeOf(event, 'notice'),
      );
    },
    'review.decision-made.v1': async (event: Of<'review.decision-made.v1'>) => {
      const d = event.data;
      await service.execute(
        d.caseId,
        { type: 'RecordDecision', data: { outcome: d.outcome, decisionId: d.decision.documentId, decidedAt: d.decidedAt, deliverBy: service.deliveryDeadline(d.decidedAt) } },
        causeOf(event, 'decision'),
      );
      await service.requestNotice(
        d.caseId,
        {
          noticeKey: `decided:${d.decision.documentId}`,
          facts:
            d.outcome === 'approve'
              ? { stage: 'decided', outcome: 'approve', reasons: [], contactPhone: null }
              : { stage: 'decided', outcome: 'refuse', reasons: d.reasons.map((r) => r.text), contactPhone: d.contact.phone },
        },
        causeOf(event, 'notice'),
      );
    },
    'review.licence-issued.v1': async (event: Of<'review.licence-issued.v1'>) => {
      const d = event.data;
      const licence = { licenceId: d.licenceId, resultName: d.resultName, forms: d.forms, electronicLicenceId: d.electronicLicenceId, validUntil: d.validUntil, issuedAt: d.issuedAt };
      await service.execute(d.caseId, { type: 'RecordLicence', data: { ...licence, document: service.signedDocument(d.caseId, licence) } }, causeOf(event, 'licence'));
    },
    'courier.shipment-status-changed.v1': async (event: Of<'courier.shipment-status-changed.v1'>) => {
      const d = event.data;
      if (d.direction !== 'office-to-applicant') return;
      await service.execute(d.caseId, { type: 'RecordShipmentStatus', data: { waybillId: d.waybillId, status: d.status, occurredAt: d.occurredAt } }, causeOf(event, 'shipment'));
    },
  };
}

export function createDeliveryConsumer(
  bus: MessageBus,
  service: DeliveryService,
  logger: Logger,
  options: { readonly groupId?: string | undefined; readonly topicFor?: (topic: string) => string } = {},
): IntegrationEventConsumer {
  const topicFor = options.topicFor ?? ((topic: string) => topic);
  return createIntegrationEventConsumer({
    bus,
    groupId: options.groupId ?? DELIVERY_CONSUMER_GROUP,
    topics: DELIVERY_CONSUMED_TOPICS.map(topicFor),
    handlers: deliveryHandlers(service),
    // The effects are appends with ids derived from the message: the store deduplicates across restarts;
    // this record only spares re-running a handler within one process.
    processed: createInMemoryProcessedMessages(),
    log: { warn: (d, m) => logger.warn(d, m), error: (d, m) => logger.error(d, m) },
  });
}
