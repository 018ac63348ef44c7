/**
 * What intake consumes: published guides from the catalog (its local
 * projection, R-CAT-13/14) and the automatic-outcome commands supervision
 * addresses to intake (Licensing Law Art. 32 deemed acceptance; tolerated
 * deficiencies lapsed, R-ACC-2). Every effect is an append with ids derived
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
  const tolerate = async (what: string, caseId: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      if (error instanceof RuleViolation || error instanceof NotFoundError) {
        deps.log.warn({ caseId, command: what, reason: (error as DomainError).message }, 'automatic outcome not applicable: ignored');
        return;
      }
      throw error;
    }
  };
  return createIntegrationEventConsumer<undefined>({
    bus: deps.bus,
    groupId: deps.groupId ?? 'intake',
    topics: [topicOf('catalog'), topicOf('supervision')].map(deps.topicFor ?? ((t) => t)),
    processed: storeDeduplicates,
    fromBeginning: true,
    log: deps.log,
    handlers: {
      'catalog.guide-published.v1': async (event) => deps.guides.learnPublished(event.data, event.correlationId),
      'catalog.guide-superseded.v1': async (event) => deps.guides.learnSuperseded(event.data, event.correlationId),
      'supervision.deem-acceptance-command.v1': async (event) =>
        tolerate('deem-acceptance', event.data.caseId, () => deps.applications.deemAccepted(event.data.caseId, supervision(event.data.commandId, event.correlationId))),
      'supervision.lapse-tolerated-deficiency-command.v1': async (event) =>
        tolerate('lapse-tolerated-deficiency', event.data.caseId, () =>
          deps.applications.lapseToleratedDeficiency(event.data.caseId, supervision(event.data.commandId, event.correlationId), { cause: 'not-supplemented', reasons: [] }),
        ),
    },
  });
}
