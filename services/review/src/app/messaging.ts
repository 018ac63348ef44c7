/**
 * Review on the bus, through the messaging package:
 * - the relay publishes review's own streams (`review-…`, `licence-…`) as
 *   contracts (`reviewContractOf`), keyed by case id, at least once;
 * - the consumer reads catalog, intake and supervision topics. Every effect of
 *   a handler is an append whose event ids derive from the message id, so the
 *   store itself deduplicates a redelivery; the processed-message record only
 *   saves the work of deciding again.
 */
import { topicOf } from '@govsvc/contracts/topics';
import { NotFoundError, RuleViolation, ValidationError } from '@govsvc/errors/errors';
import type { EventStore } from '@govsvc/eventstore/port';
import type { MessageBus } from '@govsvc/messaging/bus';
import { createIntegrationEventConsumer, type IntegrationEventConsumer } from '@govsvc/messaging/consumer';
import { createInMemoryProcessedMessages } from '@govsvc/messaging/processed-messages';
import { createRelay, type Relay } from '@govsvc/messaging/relay';
import { handleIncoming } from './incoming.ts';
import { REVIEW_CATEGORIES, reviewContractOf } from './published-contracts.ts';
import type { ReviewService } from './review-service.ts';

export interface MessagingLogger {
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

export const RELAY_NAME = 'relay-review';
export const CONSUMER_GROUP = 'review';
export const CONSUMED_TOPICS = [topicOf('catalog'), topicOf('intake'), topicOf('supervision'), topicOf('department')] as const;
export const PUBLISHED_TOPICS = [topicOf('review')] as const;

/** Maps a contract's topic to the one used (an environment or test prefix); identity by default. */
export type TopicFor = (topic: string) => string;
const sameTopic: TopicFor = (topic) => topic;

export function createReviewRelay(store: EventStore, bus: MessageBus, log: MessagingLogger, topicFor: TopicFor = sameTopic): Relay {
  return createRelay({ store, bus, name: RELAY_NAME, map: reviewContractOf, filter: { categories: REVIEW_CATEGORIES }, log, topicFor });
}

/** A refusal by a rule, a schema or a missing case will not change on retry: dead-letter it at once. */
const isPermanent = (error: unknown): boolean => error instanceof ValidationError || error instanceof RuleViolation || error instanceof NotFoundError;

export function createReviewConsumer(
  bus: MessageBus,
  service: ReviewService,
  log: MessagingLogger,
  options: { groupId?: string; topicFor?: TopicFor } = {},
): IntegrationEventConsumer {
  const topicFor = options.topicFor ?? sameTopic;
  const handle = async (event: Parameters<typeof handleIncoming>[1], context: { attempt: number }) => void (await handleIncoming(service, event, { attempt: context.attempt }));
  return createIntegrationEventConsumer({
    bus,
    groupId: options.groupId ?? CONSUMER_GROUP,
    topics: CONSUMED_TOPICS.map(topicFor),
    processed: createInMemoryProcessedMessages(),
    isPermanent,
    log,
    handlers: {
      // v1 records arrive upcast to v2 (packages/contracts upcasters.ts).
      'catalog.guide-published.v2': handle,
      'intake.application-submitted.v1': handle,
      'intake.case-accepted.v2': handle,
      'supervision.deem-renewal-granted-command.v1': handle,
      'department.opinion-submitted.v1': handle,
      'intake.tolerated-deficiency-lapsed.v1': handle,
      'intake.clock-suspended.v1': handle,
    },
  });
}
