import { integrationTopics } from '@govsvc/contracts/registry';
import { describe, expect, it } from 'vitest';
import { createInProcessBus } from './in-process-bus.ts';
import { ensureIntegrationTopics, integrationTopicSpecs } from './provisioning.ts';

describe('integration topic provisioning', () => {
  it('creates every contract topic and its dead-letter topic, under the same naming as the relay', async () => {
    const specs = integrationTopicSpecs({ topicFor: (t) => `staging.${t}`, partitions: 4 });
    expect(specs).toContainEqual({ topic: 'staging.govsvc.intake.events.v1', partitions: 4 });
    expect(specs).toContainEqual({ topic: 'staging.govsvc.intake.events.v1.dlq', partitions: 1 });
    expect(specs.filter((s) => !s.topic.endsWith('.dlq')).map((s) => s.topic)).toEqual(integrationTopics().map((t) => `staging.${t}`));
    expect(specs).toHaveLength(2 * integrationTopics().length);

    const bus = createInProcessBus();
    await ensureIntegrationTopics(bus);
    await bus.publish('govsvc.review.events.v1', [{ key: 'BJ-1', value: '{}' }]);
    expect((await bus.consumerLag('g', ['govsvc.review.events.v1'])).length).toBe(6);
    await bus.close();
  });
});
