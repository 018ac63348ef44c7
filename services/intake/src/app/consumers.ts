/**
 * What intake consumes: published guides from the catalog (its local
 * projection, R-CAT-13/14), the automatic-outcome commands supervision
 * addresses to intake (Licensing Law Art. 32 deemed acceptance; tolerated
 * deficiencies lapsed, R-ACC-2) and courier's receipt of inbound paper
 * materials at the centre (R-COURIER-1). Every effect is an append with ids derived
 * from the message, so redelivery is a no-op and no separate processed-message
 * record is needed (messaging/processed-messages.ts).
 */
import { DomainError, NotFoundError, RuleViolation } from '@govsvc/errors/errors';
import { topicOf } from '@govsvc/contracts/topics';
import { createIntegrationEventConsumer, type ConsumerLogger, type IntegrationEventConsumer } from '@govsvc/messaging/consumer';
import type { MessageBus } from '@govsvc/messaging/bus';
import type { ProcessedMessages } from '@govsvc/messaging/processed-messages';
import type { ApplicationService, Caller } from './application-service.ts';
import type { GuideCatalog } from './guides.ts';

/** Idempotent by construction (deterministic event ids): every delivery runs the effect; the store dedupes. */
const storeDeduplicates: ProcessedMessages<undefined> = {
  wasProcessed: async () => false,
  processOnce: async (_consumer, _eventId, effect) => {
    await effect(undefined);
    return 'processed';
  },
};

export function createIntakeConsumer(deps: {
  bus: MessageBus;
  guides: GuideCatalog;
  applications: ApplicationService;
  log: ConsumerLogger;
  groupId?: string;
  topicFor?: (topic: string) => string;
}): IntegrationEventConsumer {
  const supervision = (commandId: string, correlationId: string): Caller => ({
    subject: 'supervision',
    roles: ['integration'],
    correlationId,
    idempotencyKey: commandId,
  });
  /** The owner decides: a command that no longer applies (already decided, supplemented in time) is harmless. */
  const tolerate = async (what: string, caseId: string, run: () => Promise<unknown>, message = 'automatic outcome not applicable: ignored') => {
    try {
      await run();
    } catch (error) {
      if (error instanceof RuleViolation || error instanceof NotFoundError) {
        deps.log.warn({ caseId, command: what, reason: (error as DomainError).message }, message);
        return;
      }
      throw error;
    }
  };
  const courier = (eventId: string, correlationId: string): Caller => ({ subject: 'courier', roles: ['integration'], correlationId, idempotencyKey: eventId });
  return createIntegrationEventConsumer<undefined>({
    bus: deps.bus,
    groupId: deps.groupId ?? 'intake',
    topics: [topicOf('catalog'), topicOf('supervision'), topicOf('courier')].map(deps.topicFor ?? ((t) => t)),
    processed: storeDeduplicates,
    fromBeginning: true,
    log: deps.log,
    handlers: {
      'catalog.guide-published.v2': async (event) => deps.guides.learnPublished(event.data, event.correlationId),
      'catalog.guide-superseded.v1': async (event) => deps.guides.learnSuperseded(event.data, event.correlationId),
      'supervision.deem-acceptance-command.v1': async (event) =>
        tolerate('deem-acceptance', event.data.caseId, () => deps.applications.deemAccepted(event.data.caseId, supervision(event.data.commandId, event.correlationId))),
      'supervision.lapse-tolerated-deficiency-command.v1': async (event) =>
        tolerate('lapse-tolerated-deficiency', event.data.caseId, () =>
          deps.applications.lapseToleratedDeficiency(event.data.caseId, supervision(event.data.commandId, event.correlationId), { cause: 'not-supplemented', reasons: [] }),
        ),
      // A parcel for a case intake does not hold, or with nothing of its guide, is logged and ignored.
      'courier.materials-received.v1': async (event) => {
        const { caseId, ...receipt } = event.data;
        await tolerate(
          'record-inbound-materials',
          caseId,
          () => deps.applications.recordInboundMaterials(caseId, courier(event.id, event.correlationId), receipt),
          'inbound materials not recorded: ignored',
        );
      },
    },
  });
}
