/**
 * Review on the bus: the relay (review's streams → its contracts) and the
 * consumer of the contracts review reads. Both sit on the MessageBus port.
 *
 * Relay: a catch-up subscription over review's own categories with a stored
 * checkpoint; each domain event maps to zero or more contracts; the CloudEvents
 * id derives from the stored event id, so a re-publish after a crash carries
 * the same id and consumers dedupe it (at least once, in order per case).
 *
 * Consumer: one group, every message decoded and parsed at the boundary; a
 * message that cannot be read or is refused by a rule goes to `<topic>.dlq`
 * with the reason, and the partition moves on; any other failure is thrown so
 * the bus redelivers it (a database briefly down is retried, not dropped).
 */
import { decodeIntegrationEvent, encodeIntegrationEvent, decodeFailureStage } from '@govsvc/contracts/envelope';
import { deadLetterHeaders, type DeadLetterReason } from '@govsvc/contracts/dead-letter';
import { deadLetterTopicOf, topicOf } from '@govsvc/contracts/topics';
import { isDomainError, ValidationError } from '@govsvc/errors/errors';
import type { EventStore, Subscription } from '@govsvc/eventstore/port';
import type { BusSubscription, IncomingMessage, MessageBus } from '@govsvc/messaging/bus';
import { deterministicId } from '@govsvc/runtime/ids';
import { handleIncoming } from './incoming.ts';
import { REVIEW_CATEGORIES, reviewContractsOf } from './published-contracts.ts';
import type { ReviewService } from './review-service.ts';

export interface MessagingLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const RELAY_SUBSCRIPTION = 'review-relay';
export const CONSUMER_GROUP = 'review';
export const CONSUMED_TOPICS = [topicOf('catalog'), topicOf('intake'), topicOf('supervision')] as const;

export function startReviewRelay(store: EventStore, bus: MessageBus, logger: MessagingLogger, subscriptionId = RELAY_SUBSCRIPTION): Subscription {
  return store.subscribeToAll({ subscriptionId, filter: { categories: REVIEW_CATEGORIES } }, async (events) => {
    const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
    for (const stored of events) {
      reviewContractsOf(stored).forEach((contract, index) => {
        const record = encodeIntegrationEvent(contract, {
          id: deterministicId('review-relay', `${stored.id}/${index}`),
          time: stored.recordedAt,
          correlationId: stored.metadata.correlationId,
          causationId: stored.id,
        });
        const list = byTopic.get(record.topic) ?? [];
        list.push({ key: record.key, value: record.value, headers: { ...record.headers } });
        byTopic.set(record.topic, list);
      });
    }
    for (const [topic, messages] of byTopic) await bus.publish(topic, messages);
    if (byTopic.size > 0) logger.info({ published: [...byTopic.values()].reduce((n, m) => n + m.length, 0) }, 'review contracts published');
  });
}

async function deadLetter(bus: MessageBus, message: IncomingMessage, reason: DeadLetterReason, error: unknown, attempts: number): Promise<void> {
  const issues = error instanceof ValidationError ? error.issues : [];
  const headers: Record<string, string | Buffer | readonly Buffer[]> = {
    ...message.headers,
    [deadLetterHeaders.reason]: reason,
    [deadLetterHeaders.error]: String((error as Error).message ?? error).slice(0, 1000),
    [deadLetterHeaders.issues]: JSON.stringify(issues.map((i) => ({ path: i.path, reason: i.reason }))),
    [deadLetterHeaders.originalTopic]: message.topic,
    [deadLetterHeaders.originalPartition]: String(message.partition),
    [deadLetterHeaders.originalOffset]: message.offset.toString(),
    [deadLetterHeaders.consumerGroup]: CONSUMER_GROUP,
    [deadLetterHeaders.attempts]: String(attempts),
    [deadLetterHeaders.failedAt]: new Date().toISOString(),
  };
  await bus.publish(deadLetterTopicOf(message.topic), [{ key: message.key, value: message.value, headers }]);
}

/** Domain refusals (400/404/409) will not change on redelivery: they are dead-lettered; 412/503 and the unexpected are retried. */
const permanent = (error: unknown): boolean => isDomainError(error) && [400, 404, 409].includes(error.status);

export async function startReviewConsumer(bus: MessageBus, service: ReviewService, logger: MessagingLogger, groupId = CONSUMER_GROUP): Promise<BusSubscription> {
  await bus.ensureTopics([...CONSUMED_TOPICS, ...CONSUMED_TOPICS.map(deadLetterTopicOf)].map((topic) => ({ topic, partitions: 6 })));
  return bus.subscribe({
    groupId,
    topics: CONSUMED_TOPICS,
    fromBeginning: true,
    handler: async (message) => {
      let event;
      try {
        event = decodeIntegrationEvent(message);
      } catch (error) {
        const stage = error instanceof ValidationError ? decodeFailureStage(error) : 'envelope';
        const reason: DeadLetterReason = stage === 'type' ? 'unknown-type' : stage === 'data' ? 'invalid-data' : 'malformed';
        logger.warn({ topic: message.topic, offset: message.offset.toString(), reason }, 'unreadable message dead-lettered');
        return deadLetter(bus, message, reason, error, 0);
      }
      try {
        await handleIncoming(service, event);
      } catch (error) {
        if (!permanent(error)) throw error;
        logger.warn({ type: event.type, caseId: event.subject, err: (error as Error).message }, 'message refused by a rule; dead-lettered');
        await deadLetter(bus, message, 'handler-failed', error, 1);
      }
    },
  });
}
