/**
 * Evaluation on the bus:
 * - the relay publishes the `evaluation-…` and `complaint-…` streams as
 *   contracts (`evaluationContractOf`), keyed by case id, at least once;
 * - the consumer reads intake's, review's and delivery's topics. Every effect is an
 *   append whose event ids derive from the message id, so the store itself
 *   deduplicates a redelivery (messaging README: no separate record needed);
 *   the in-memory processed record only saves deciding again.
 */
import { topicOf } from '@govsvc/contracts/topics';
import { NotFoundError, RuleViolation, ValidationError } from '@govsvc/errors/errors';
import type { EventStore } from '@govsvc/eventstore/port';
import type { MessageBus } from '@govsvc/messaging/bus';
import { createIntegrationEventConsumer, type IntegrationEventConsumer } from '@govsvc/messaging/consumer';
import { createInMemoryProcessedMessages } from '@govsvc/messaging/processed-messages';
import { createRelay, type Relay } from '@govsvc/messaging/relay';
import type { EvaluationService } from './evaluation-service.ts';
import { handleIncoming } from './incoming.ts';
import { PUBLISHED_CATEGORIES, evaluationContractOf } from './published-contracts.ts';

export interface MessagingLogger {
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

export const RELAY_NAME = 'relay-evaluation';
export const CONSUMER_GROUP = 'evaluation';
export const CONSUMED_TOPICS = [topicOf('intake'), topicOf('review'), topicOf('delivery')] as const;
export const PUBLISHED_TOPICS = [topicOf('evaluation')] as const;

/** Maps a contract's topic to the one used (an environment or test prefix); identity by default. */
export type TopicFor = (topic: string) => string;
const sameTopic: TopicFor = (topic) => topic;

export function createEvaluationRelay(store: EventStore, bus: MessageBus, log: MessagingLogger, topicFor: TopicFor = sameTopic): Relay {
  return createRelay({ store, bus, name: RELAY_NAME, map: evaluationContractOf, filter: { categories: PUBLISHED_CATEGORIES }, log, topicFor });
}

/** A refusal by a rule or a schema will not change on retry: dead-letter it at once. */
const isPermanent = (error: unknown): boolean => error instanceof ValidationError || error instanceof RuleViolation || error instanceof NotFoundError;

export function createEvaluationConsumer(
  bus: MessageBus,
  service: EvaluationService,
  log: MessagingLogger,
  options: { groupId?: string; topicFor?: TopicFor } = {},
): IntegrationEventConsumer {
  const topicFor = options.topicFor ?? sameTopic;
  const handle = async (event: Parameters<typeof handleIncoming>[1]) => void (await handleIncoming(service, event));
  return createIntegrationEventConsumer({
    bus,
    groupId: options.groupId ?? CONSUMER_GROUP,
    topics: CONSUMED_TOPICS.map(topicFor),
    processed: createInMemoryProcessedMessages(),
    isPermanent,
    log,
    handlers: {
      'intake.application-submitted.v1': handle,
      'intake.case-accepted.v2': handle,
      'review.decision-made.v1': handle,
      'delivery.result-delivered.v1': handle,
    },
  });
}
