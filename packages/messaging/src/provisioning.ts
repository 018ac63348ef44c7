/**
 * Creates the topics the published contracts travel on (and their dead-letter
 * topics) before anything produces or consumes: clients never auto-create
 * topics, so a typo in a topic name fails loudly instead of creating one.
 */
import { integrationTopics } from '@govsvc/contracts/registry';
import { deadLetterTopicOf, defaultPartitions } from '@govsvc/contracts/topics';
import type { MessageBus, TopicSpec } from './bus.ts';

export interface IntegrationTopicOptions {
  /** Same mapping as the relay's `topicFor` (e.g. an environment prefix). */
  readonly topicFor?: (contractTopic: string) => string;
  readonly partitions?: number;
}

export function integrationTopicSpecs(options: IntegrationTopicOptions = {}): TopicSpec[] {
  const topicFor = options.topicFor ?? ((t: string) => t);
  return integrationTopics().flatMap((contractTopic) => {
    const topic = topicFor(contractTopic);
    return [
      { topic, partitions: options.partitions ?? defaultPartitions },
      // Dead letters are read by people and replay tools, rarely and in bulk: one partition keeps them in arrival order.
      { topic: deadLetterTopicOf(topic), partitions: 1 },
    ];
  });
}

export async function ensureIntegrationTopics(bus: MessageBus, options: IntegrationTopicOptions = {}): Promise<void> {
  await bus.ensureTopics(integrationTopicSpecs(options));
}
