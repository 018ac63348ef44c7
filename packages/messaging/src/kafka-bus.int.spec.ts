import net from 'node:net';
import { UnavailableError } from '@govsvc/errors/errors';
import { uniqueGroupId, uniqueTopic } from '@govsvc/testkit/kafka';
import { describe, expect, it } from 'vitest';
import { describeBusContract } from './bus-contract.ts';
import { createKafkaBus } from './kafka-bus.ts';
import { createTestKafkaBus } from './kafka-test-bus.ts';

describeBusContract('Kafka (real broker)', async () => {
  const bus = await createTestKafkaBus('bus-contract');
  return {
    bus,
    topic: uniqueTopic,
    group: uniqueGroupId,
    settleTimeoutMs: 20_000,
    dispose: () => bus.close(),
  };
});

describe('Kafka bus when no broker answers', () => {
  it('publish and subscribe fail with UnavailableError (the relay and runners retry), instead of hanging', async () => {
    // A port that was free a moment ago: connections are refused.
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as net.AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const bus = createKafkaBus({ brokers: `127.0.0.1:${port}`, clientId: 'no-broker', clientRetries: 1, producerRetries: 1, joinTimeoutMs: 2_000, log: () => undefined });
    try {
      await expect(bus.publish('t', [{ key: 'k', value: 'v' }])).rejects.toBeInstanceOf(UnavailableError);
      await expect(bus.subscribe({ groupId: 'g', topics: ['t'], handler: async () => undefined })).rejects.toBeInstanceOf(UnavailableError);
      await expect(bus.consumerLag('g', ['t'])).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      await bus.close();
    }
  });

  it('refuses an idempotent producer without retries when configured', () => {
    expect(() => createKafkaBus({ brokers: '127.0.0.1:9092', clientId: 'x', producerRetries: 0 })).toThrow(/producerRetries|retry/);
  });
});
