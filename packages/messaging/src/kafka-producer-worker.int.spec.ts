/**
 * The producer thread against the real Kafka broker: per-key order across queued calls, a failed
 * send rejects without taking anything after it down, a thread that dies surfaces as an error
 * and the next publish starts another, close() sends what is queued, and the relay on top of it
 * retries after a crash and moves its checkpoint only past acknowledged events.
 */
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { UnavailableError } from '@govsvc/errors/errors';
import { resolveComponent } from '@govsvc/testkit/infra';
import { uniqueGroupId, uniqueTopic } from '@govsvc/testkit/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage, MessageBus } from './bus.ts';
import { createProducerWorker, withProducerWorker, type ProducerWorker } from './kafka-producer-worker.ts';
import { createTestKafkaBus } from './kafka-test-bus.ts';
import { createRelay } from './relay.ts';
import { appendInterleaved, collect, intakeMapping, sequencesByCase } from './test-support.ts';
import { waitFor } from './wait-for.ts';

const quiet = () => undefined;

describe('Kafka producer in a worker thread (real broker)', () => {
  let bus: MessageBus;
  let brokers: string;
  const open: ProducerWorker[] = [];
  const producer = (extra: Partial<Parameters<typeof createProducerWorker>[0]> = {}) => {
    const p = createProducerWorker({ brokers, clientId: 'producer-worker-int', producerRetries: 2, clientRetries: 2, log: quiet, logLevel: 'error', ...extra });
    open.push(p);
    return p;
  };

  beforeAll(async () => {
    brokers = await resolveComponent('kafka');
    bus = await createTestKafkaBus('producer-worker-int');
  });
  afterAll(async () => {
    await Promise.all(open.map((p) => p.close()));
    await bus?.close();
  });

  /** Everything on `topic`, read from the beginning in a group of its own, once `count` arrived. */
  async function readBack(topic: string, count: number): Promise<IncomingMessage[]> {
    const received: IncomingMessage[] = [];
    const subscription = await bus.subscribe({ groupId: uniqueGroupId('producer-worker'), topics: [topic], fromBeginning: true, handler: async (m) => void received.push(m) });
    try {
      await waitFor(() => received.length >= count, `${count} messages on ${topic}`, 20_000);
      return received;
    } finally {
      await subscription.stop();
    }
  }

  it('keeps per-key order across calls queued at once, and every message arrives once with its headers', async () => {
    const topic = uniqueTopic('producer-worker-order');
    await bus.ensureTopics([{ topic, partitions: 3 }]);
    const p = producer();
    const keys = ['BJ-a', 'BJ-b', 'BJ-c', 'BJ-d', 'BJ-e'];
    let seq = 0;
    const calls = Array.from({ length: 12 }, () =>
      p.publish(
        topic,
        Array.from({ length: 20 }, () => {
          const n = seq++;
          return { key: keys[n % keys.length]!, value: String(n), headers: { ce_id: `id-${n}`, raw: Buffer.from([n % 256, 0, 255]) } };
        }),
      ),
    );
    await Promise.all(calls);
    const received = await readBack(topic, seq);
    expect(received).toHaveLength(seq);
    const byKey = new Map<string, number[]>();
    for (const m of received) byKey.set(m.key!.toString(), [...(byKey.get(m.key!.toString()) ?? []), Number(m.value!.toString())]);
    for (const [, values] of byKey) expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(new Set(received.map((m) => m.value!.toString())).size).toBe(seq);
    const first = received.find((m) => m.value!.toString() === '7')!;
    expect((first.headers['ce_id'] as Buffer).toString()).toBe('id-7');
    expect([...(first.headers['raw'] as Buffer)]).toEqual([7, 0, 255]);
  });

  it('rejects a failed send with UnavailableError, and the sends after it still arrive', async () => {
    const topic = uniqueTopic('producer-worker-after-failure');
    await bus.ensureTopics([{ topic, partitions: 1 }]);
    const p = producer({ producerRetries: 1, clientRetries: 1 });
    // No auto-creation: a topic that does not exist is refused by the broker.
    const failing = p.publish(uniqueTopic('producer-worker-missing'), [{ key: 'k', value: 'lost?' }]);
    const after = p.publish(topic, [{ key: 'k', value: 'after' }]);
    await expect(failing).rejects.toBeInstanceOf(UnavailableError);
    await after;
    const received = await readBack(topic, 1);
    expect(received.map((m) => m.value!.toString())).toEqual(['after']);
    expect(p.started()).toBe(1);
  });

  it('a thread that dies rejects the send in flight, and the next publish starts another thread', async () => {
    const topic = uniqueTopic('producer-worker-crash');
    await bus.ensureTopics([{ topic, partitions: 1 }]);
    const p = producer({ testCrashOnTopic: topic });
    const crashed = p.publish(topic, [{ key: 'k', value: 'first' }]);
    await expect(crashed).rejects.toThrow(/producer thread exited/);
    await expect(crashed).rejects.toBeInstanceOf(UnavailableError);
    await p.publish(topic, [{ key: 'k', value: 'second' }]);
    expect(p.started()).toBe(2);
    const received = await readBack(topic, 1);
    expect(received.map((m) => m.value!.toString())).toEqual(['second']);
  });

  it('close() sends what is queued, then refuses new sends and ends the thread', async () => {
    const topic = uniqueTopic('producer-worker-close');
    await bus.ensureTopics([{ topic, partitions: 2 }]);
    const p = createProducerWorker({ brokers, clientId: 'producer-worker-close', log: quiet, logLevel: 'error' });
    const queued = Array.from({ length: 5 }, (_, i) => p.publish(topic, [{ key: `k${i}`, value: `v${i}` }]));
    await p.close();
    await Promise.all(queued);
    await expect(p.publish(topic, [{ key: 'k', value: 'late' }])).rejects.toBeInstanceOf(UnavailableError);
    const received = await readBack(topic, 5);
    expect(received.map((m) => m.value!.toString()).sort()).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
  });

  it('the relay retries a batch whose producer thread died; its checkpoint passes only acknowledged events; nothing is lost', async () => {
    const prefix = uniqueTopic('producer-worker-relay');
    const topicFor = (contractTopic: string) => `${prefix}.${contractTopic}`;
    const topic = topicFor('govsvc.intake.events.v1');
    await bus.ensureTopics([{ topic, partitions: 3 }]);
    const store = createInMemoryEventStore({ pollIntervalMs: 20 });
    const cases = ['BJ-2025-000001', 'BJ-2025-000002', 'BJ-2025-000003'];
    await appendInterleaved(store, cases, 10);
    // The shared bus stays open for the other tests: closing relayBus closes only its thread.
    const relayBus = withProducerWorker({ ...bus, close: async () => undefined }, { brokers, clientId: 'producer-worker-relay', log: quiet, logLevel: 'error', testCrashOnTopic: topic });
    const checkpointsAtFailure: (bigint | null)[] = [];
    const relay = createRelay({
      store,
      bus: relayBus,
      name: 'relay-worker-crash',
      topicFor,
      map: intakeMapping,
      batchSize: 7,
      retry: { initialDelayMs: 20, maxDelayMs: 50 },
      log: {
        warn: () => undefined,
        error: () => void store.checkpoints.read('relay-worker-crash').then((c) => checkpointsAtFailure.push(c)),
      },
    });
    relay.start();
    await relay.caughtUp();
    await relay.stop();
    // The first thread died on the first send: nothing was acknowledged, so nothing was checkpointed.
    await waitFor(() => checkpointsAtFailure.length > 0, "the failure logged", 5_000);
    expect(checkpointsAtFailure[0]).toBeNull();
    const head = await store.headPosition();
    expect(await store.checkpoints.read('relay-worker-crash')).toBe(head);
    const { events, subscription } = await collect(bus, topic, uniqueGroupId('producer-worker-relay'));
    await waitFor(() => events.length >= 30, "30 contracts relayed", 20_000);
    await subscription.stop();
    const sequences = sequencesByCase(events);
    for (const caseId of cases) expect(sequences.get(caseId)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    await relayBus.close();
  });
});
