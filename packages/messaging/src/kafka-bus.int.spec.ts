import net from 'node:net';
import { UnavailableError } from '@govsvc/errors/errors';
import { uniqueGroupId, uniqueTopic } from '@govsvc/testkit/kafka';
import { describe, expect, it } from 'vitest';
import { describeBusContract } from './bus-contract.ts';
import { createKafkaBus } from './kafka-bus.ts';
import { createTestKafkaBus } from './kafka-test-bus.ts';
import { waitFor } from './wait-for.ts';

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

describe('Kafka bus: commits sent behind the batch (issue 3)', () => {
  it('connect() opens the producer before the first publish', async () => {
    const bus = await createTestKafkaBus('connect-ahead');
    try {
      const topic = uniqueTopic('connect');
      await bus.ensureTopics([{ topic, partitions: 1 }]);
      await bus.connect!();
      await bus.publish(topic, [{ key: 'k', value: 'v' }]);
      expect((await bus.consumerLag(uniqueGroupId('connect'), [topic]))[0]!.endOffset).toBe(1n);
    } finally {
      await bus.close();
    }
  });

  it('every handled record is committed while the partitions go quiet, and a stop right after the last handler loses no commit', async () => {
    // Story: each record arrives alone, so each is a batch of one whose commit is sent without
    // being awaited. Nothing follows the last ones on their partitions: their commits must still
    // land by themselves, and stop() right after a handler must wait for the commit in flight
    // before the member leaves the group (else the group's lag stays above 0 and the record comes back).
    const bus = await createTestKafkaBus('commit-behind');
    const topic = uniqueTopic('commit-behind');
    const groupId = uniqueGroupId('commit-behind');
    try {
      await bus.ensureTopics([{ topic, partitions: 3 }]);
      let handled = 0;
      const subscription = await bus.subscribe({ groupId, topics: [topic], fromBeginning: true, handler: async () => void (handled += 1) });
      for (let i = 0; i < 12; i++) {
        await bus.publish(topic, [{ key: `case-${i}`, value: String(i) }]);
        await waitFor(async () => handled === i + 1, `record ${i} handled`);
      }
      await waitFor(async () => (await bus.consumerLag(groupId, [topic])).every((p) => p.lag === 0n), 'lag 0 with the partitions quiet');

      await bus.publish(topic, [{ key: 'case-last', value: 'last' }]);
      await waitFor(async () => handled === 13, 'the last record handled');
      await subscription.stop();
      const lag = await bus.consumerLag(groupId, [topic]);
      expect(lag.map((p) => p.lag)).toEqual([0n, 0n, 0n]);
    } finally {
      await bus.close();
    }
  });

  it('a stop that begins while the batch is still finishing its last record (here: from inside the handler) waits for that record to be committed before the member leaves', async () => {
    // kafkajs drops a commit made after its runner stopped (runner.commitOffsets returns when not running),
    // so stop() must let the batches under way reach their commit before it disconnects. Each round stops
    // from inside the handler of the one record it publishes, the narrowest form of that window.
    const bus = await createTestKafkaBus('commit-on-stop');
    const topic = uniqueTopic('commit-on-stop');
    const groupId = uniqueGroupId('commit-on-stop');
    try {
      await bus.ensureTopics([{ topic, partitions: 1 }]);
      for (let round = 0; round < 3; round++) {
        let stopped: Promise<void> | undefined;
        const subscription = await bus.subscribe({
          groupId,
          topics: [topic],
          fromBeginning: true,
          handler: async () => {
            stopped ??= subscription.stop();
          },
        });
        await bus.publish(topic, [{ key: `case-${round}`, value: String(round) }]);
        await waitFor(async () => stopped !== undefined, `round ${round}: the record handled`);
        await stopped;
        expect((await bus.consumerLag(groupId, [topic])).map((p) => p.lag)).toEqual([0n]);
      }
    } finally {
      await bus.close();
    }
  });
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
