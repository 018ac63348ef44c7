/**
 * The producer thread against the real Kafka broker: per-key order across queued calls, a failed
 * send rejects without taking anything after it down, a thread that dies surfaces as an error
 * and the next publish starts another, close() sends what is queued, a sequence fences what was
 * queued behind its failure, and the relay on top of it retries after a crash or a failed send
 * (with later batches already handed over) and moves its checkpoint only past acknowledged events.
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

  it('a sequence: what was queued behind a failed publish fails unsent; a new sequence and plain publishes go on', async () => {
    const topic = uniqueTopic('producer-worker-sequence');
    await bus.ensureTopics([{ topic, partitions: 1 }]);
    const p = producer({ producerRetries: 1, clientRetries: 1 });
    const sequence = p.sequence();
    const before = sequence.publish(topic, [{ key: 'k', value: 'before' }]);
    // Refused by the broker (no auto-creation), while the next two of the sequence wait behind it in the thread.
    const failing = sequence.publish(uniqueTopic('producer-worker-missing'), [{ key: 'k', value: 'lost' }]);
    const queuedBehind = sequence.publish(topic, [{ key: 'k', value: 'behind-1' }]);
    const queuedBehind2 = sequence.publish(topic, [{ key: 'k', value: 'behind-2' }]);
    await before;
    await expect(failing).rejects.toBeInstanceOf(UnavailableError);
    await expect(queuedBehind).rejects.toThrow(/earlier send of its sequence failed/);
    await expect(queuedBehind2).rejects.toBeInstanceOf(UnavailableError);
    // Told of the failure, the sequence refuses without asking the thread.
    await expect(sequence.publish(topic, [{ key: 'k', value: 'late' }])).rejects.toThrow(/earlier publish of its sequence failed/);
    const retry = p.sequence();
    await retry.publish(topic, [{ key: 'k', value: 'retried-1' }]);
    await retry.publish(topic, [{ key: 'k', value: 'retried-2' }]);
    await p.publish(topic, [{ key: 'k', value: 'plain' }]);
    const received = await readBack(topic, 4);
    expect(received.map((m) => m.value!.toString())).toEqual(['before', 'retried-1', 'retried-2', 'plain']);
    expect(p.started()).toBe(1);
  });

  it('a sequence is bound to its thread: after the thread died, a later publish of it is refused, not sent by the next thread', async () => {
    const topic = uniqueTopic('producer-worker-sequence-crash');
    await bus.ensureTopics([{ topic, partitions: 1 }]);
    const p = producer({ testCrashOnTopic: topic });
    const sequence = p.sequence();
    await expect(sequence.publish(topic, [{ key: 'k', value: 'first' }])).rejects.toThrow(/producer thread exited/);
    await expect(sequence.publish(topic, [{ key: 'k', value: 'second' }])).rejects.toBeInstanceOf(UnavailableError);
    await p.sequence().publish(topic, [{ key: 'k', value: 'third' }]);
    const received = await readBack(topic, 1);
    expect(received.map((m) => m.value!.toString())).toEqual(['third']);
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

  it('connect() starts the thread and connects its producer before any publish; an unreachable broker rejects it', async () => {
    const p = producer();
    expect(p.started()).toBe(0);
    await p.connect();
    expect(p.started()).toBe(1);
    const topic = uniqueTopic('producer-worker-connect');
    await bus.ensureTopics([{ topic, partitions: 1 }]);
    await p.publish(topic, [{ key: 'k', value: 'after connect' }]);
    expect(p.started()).toBe(1);
    const unreachable = producer({ brokers: '127.0.0.1:1', clientRetries: 0, connectionTimeoutMs: 500 });
    await expect(unreachable.connect()).rejects.toBeInstanceOf(UnavailableError);
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

  it('the relay hands the next batch over before the last is acknowledged; a failed send fences the batch behind it, the retry keeps per-case order, and nothing is lost or sent twice', async () => {
    const prefix = uniqueTopic('producer-worker-relay-fence');
    const topicFor = (contractTopic: string) => `${prefix}.${contractTopic}`;
    const topic = topicFor('govsvc.intake.events.v1');
    await bus.ensureTopics([{ topic, partitions: 3 }]);
    const store = createInMemoryEventStore({ pollIntervalMs: 20 });
    const cases = ['BJ-2025-000011', 'BJ-2025-000012', 'BJ-2025-000013'];
    await appendInterleaved(store, cases, 12);
    const relayBus = withProducerWorker({ ...bus, close: async () => undefined }, { brokers, clientId: 'producer-worker-fence', log: quiet, logLevel: 'error', testFailFirstSendToTopic: topic });
    // What the thread was handed, in order, and whether a second send was handed over while one was outstanding.
    const handedOver: number[] = [];
    let outstanding = 0;
    let mostOutstanding = 0;
    const sequences = relayBus.sequence!.bind(relayBus);
    const watched: MessageBus = {
      ...relayBus,
      sequence: () => {
        const inner = sequences();
        return {
          async publish(t, messages) {
            handedOver.push(messages.length);
            outstanding += 1;
            mostOutstanding = Math.max(mostOutstanding, outstanding);
            try {
              await inner.publish(t, messages);
            } finally {
              outstanding -= 1;
            }
          },
        };
      },
    };
    const failures: string[] = [];
    const relay = createRelay({
      store,
      bus: watched,
      name: 'relay-worker-fence',
      topicFor,
      map: intakeMapping,
      batchSize: 6,
      readBatchSize: 36,
      retry: { initialDelayMs: 20, maxDelayMs: 50 },
      log: { warn: () => undefined, error: (details) => void failures.push(String(details['error'])) },
    });
    relay.start();
    await relay.caughtUp();
    await relay.stop();
    expect(mostOutstanding).toBe(2);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/test hook: the first send/);
    // 48 stored events (36 published, 12 internal notes) in batches of 6: 8 publishes, and again the
    // first, which failed, and the second, handed over behind it before the failure came back, and fenced.
    expect(handedOver).toHaveLength(10);
    expect(await store.checkpoints.read('relay-worker-fence')).toBe(await store.headPosition());
    const { events, subscription } = await collect(bus, topic, uniqueGroupId('producer-worker-fence'));
    await waitFor(() => events.length >= 36, '36 contracts relayed', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 300)); // anything sent twice would arrive by now
    await subscription.stop();
    expect(events).toHaveLength(36);
    const sent = sequencesByCase(events);
    for (const caseId of cases) expect(sent.get(caseId)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    await relayBus.close();
  });
});
