/**
 * The relay (store → Kafka) against bare kafkajs producing the same messages; end-to-end
 * latency from append to a consumer's handler; memory of a relay and a consumer over a long run.
 */
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import pg from 'pg';
import { encodeIntegrationEvent, type EncodedRecord } from '@govsvc/contracts/envelope';
import { examples } from '@govsvc/contracts/examples';
import { definitionOf, type IntegrationEvent } from '@govsvc/contracts/registry';
import type { StoredEvent } from '@govsvc/eventstore/port';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import { createIntegrationEventConsumer } from '@govsvc/messaging/consumer';
import { createKafkaBus, isRoutineKafkaLog } from '@govsvc/messaging/kafka-bus';
import { withProducerWorker } from '@govsvc/messaging/kafka-producer-worker';
import type { MessageBus } from '@govsvc/messaging/bus';
import { createInMemoryProcessedMessages } from '@govsvc/messaging/processed-messages';
import { createRelay } from '@govsvc/messaging/relay';
import { atLeast, bound, gcFunction, info, now, percentile, sleep, type RunOptions, type ScenarioResult } from '../harness.ts';
import { config } from '../config.ts';
import { dropSchema, freshSchema, newCaseEvent } from '../fixtures.ts';
import { loadEvents } from './read.ts';

// The topic intake's contracts travel on, from the registry.
const CONTRACT_TOPIC = definitionOf('intake.application-submitted.v1')!.topic;
const PARTITIONS = 6;

/** The service's mapping, as intake has it: each stored event → its published contract. */
const map = (event: StoredEvent): IntegrationEvent => ({
  type: 'intake.application-submitted.v1',
  data: { ...examples['intake.application-submitted.v1'], caseId: event.stream },
});

const quietLog = (level: string, message: string, extra: Record<string, unknown>) => {
  // Metadata answers while a fresh topic's leaders are elected are routine here.
  if (level === 'error' && !isRoutineKafkaLog(message, extra) && !message.startsWith('Connection: Response Metadata')) console.warn(`[kafka] ${message}`);
};

function bus(clientId: string): MessageBus {
  return createKafkaBus({ brokers: config.kafkaBrokers, clientId, log: quietLog, logLevel: 'error', maxWaitTimeInMs: 20, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 6_000 });
}

/** The relay's bus: its producer on the relay's thread, or in a thread of its own with BENCH_RELAY_PRODUCER=worker. */
function relayBusOf(clientId: string): MessageBus {
  const inner = bus(clientId);
  return config.relayProducer === 'worker' ? withProducerWorker(inner, { brokers: config.kafkaBrokers, clientId, log: quietLog, logLevel: 'error' }) : inner;
}

const prefix = () => `bench.${randomUUID().slice(0, 8)}.`;

async function endOffsets(topic: string): Promise<number> {
  const admin = new Kafka({ brokers: config.kafkaBrokers.split(','), clientId: 'bench-admin', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

export async function relayThroughput(options: RunOptions): Promise<ScenarioResult> {
  const count = options.quick ? 10_000 : 50_000;
  const batchSize = 500;
  const url = await freshSchema('bench_relay');
  const store = await createPostgresEventStore({ connectionString: url });
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  await loadEvents(pool, count);
  const stored = await store.readAll({ maxCount: count });
  const messageBus = relayBusOf('bench-relay');

  const ours: number[] = [];
  const peer: number[] = [];
  const checks: ScenarioResult['checks'] = [];
  const kafka = new Kafka({ brokers: config.kafkaBrokers.split(','), clientId: 'bench-bare', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  // Our bus connects its producer on its first publish: connect it before timing, as the peer's is.
  const warmTopic = `${prefix()}warm-up`;
  await messageBus.ensureTopics([{ topic: warmTopic, partitions: 1 }]);
  await messageBus.publish(warmTopic, [{ key: 'warm-up', value: '{}' }]);
  for (let r = 0; r < options.repeats; r++) {
    // Ours: the relay tails the store from the start and publishes everything. (Runs alternate
    // which of the two goes first, so drift in the neighbours' load does not favour one.)
    const peerFirst = r % 2 === 1;
    const records: EncodedRecord[] = stored.map((e) =>
      encodeIntegrationEvent(map(e), { id: e.id, time: e.recordedAt, correlationId: e.metadata.correlationId, causationId: e.metadata.causationId ?? null }),
    );
    const peerTopic = `${prefix()}${CONTRACT_TOPIC}`;
    await messageBus.ensureTopics([{ topic: peerTopic, partitions: PARTITIONS }]);
    const runPeer = async () => {
      const t0 = now();
      for (let i = 0; i < records.length; i += batchSize) {
        await producer.send({ topic: peerTopic, acks: -1, messages: records.slice(i, i + batchSize).map((m) => ({ key: m.key, value: m.value, headers: m.headers })) });
      }
      peer.push(count / ((now() - t0) / 1000));
    };
    if (peerFirst) await runPeer();
    const oursPrefix = prefix();
    await messageBus.ensureTopics([{ topic: `${oursPrefix}${CONTRACT_TOPIC}`, partitions: PARTITIONS }]);
    const relay = createRelay({ store, bus: messageBus, name: `bench-relay-${oursPrefix}`, map, batchSize, topicFor: (t) => `${oursPrefix}${t}` });
    const t = now();
    relay.start();
    await relay.caughtUp();
    ours.push(count / ((now() - t) / 1000));
    await relay.stop();

    // Peer: bare kafkajs, the same encoded records, the same batches, acks=all, idempotent.
    if (!peerFirst) await runPeer();

    if (r === options.repeats - 1) {
      const published = await endOffsets(`${oursPrefix}${CONTRACT_TOPIC}`);
      checks.push({ ok: published === count, what: `the relay's topic holds ${published} messages for ${count} stored events (nothing lost or duplicated)` });
      const peerPublished = await endOffsets(peerTopic);
      checks.push({ ok: peerPublished === count, what: `the bare producer's topic holds ${peerPublished}` });
    }
  }
  await producer.disconnect();
  await messageBus.close();
  await pool.end();
  await store.close();
  return {
    name: 'relay',
    title: 'Relay store → Kafka',
    rows: [atLeast('events/s published', ours, peer, 'bare kafkajs', 'events/s', 0.9)],
    checks,
    notes: [
      `${count.toLocaleString('en-US')} stored events, ${PARTITIONS} partitions, batches of ${batchSize}, ${options.repeats} runs. Ours reads them from PostgreSQL (catch-up below the horizon) in rounds of ${4 * batchSize} (the relay's default readBatchSize, one checkpoint per round), maps, encodes the CloudEvent (schema-checked), and publishes each round as sends of ${batchSize}, encoding the next send while the broker acknowledges one (acks=all, idempotent, one send at a time as the peer; the producer ${config.relayProducer === 'worker' ? 'in a worker thread of its own' : "on the relay's thread"}). The peer only sends the records, already encoded.`,
    ],
  };
}

export async function endToEnd(options: RunOptions): Promise<ScenarioResult> {
  const seconds = options.quick ? 5 : 15;
  const rate = 1_000;
  const url = await freshSchema('bench_e2e');
  const store = await createPostgresEventStore({ connectionString: url, pollIntervalMs: 500 });
  const relayBus = relayBusOf('bench-e2e-relay');
  const consumerBus = bus('bench-e2e-consumer');
  const topicPrefix = prefix();
  const topic = `${topicPrefix}${CONTRACT_TOPIC}`;
  await relayBus.ensureTopics([
    { topic, partitions: PARTITIONS },
    { topic: `${topic}.dlq`, partitions: 1 },
  ]);
  const called = new Map<string, number>();
  const appended = new Map<string, number>();
  const mapped = new Map<string, number>();
  const received = new Map<string, number>();
  // Where the time goes: append called → committed → the relay maps it → the handler has it.
  const timedMap = (event: StoredEvent) => {
    if (!mapped.has(event.id)) mapped.set(event.id, now());
    return map(event);
  };
  const relay = createRelay({ store, bus: relayBus, name: `bench-e2e-${topicPrefix}`, map: timedMap, batchSize: 500, topicFor: (t) => `${topicPrefix}${t}` });
  const consumer = createIntegrationEventConsumer({
    bus: consumerBus,
    groupId: `bench-e2e-${topicPrefix}`,
    topics: [topic],
    processed: createInMemoryProcessedMessages(),
    handlers: {
      'intake.application-submitted.v1': async (event) => {
        if (!received.has(event.id)) received.set(event.id, now());
      },
    },
  });
  await consumer.start();
  relay.start();
  // Writers, relay and consumer share this one thread: a stalled loop delays every segment at once.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();

  const total = rate * seconds;
  let next = 0;
  const started = now();
  const category = 'application';
  const run = randomUUID().slice(0, 8);
  await Promise.all(
    Array.from({ length: 16 }, async (_, w) => {
      const revisions = new Map<number, number>();
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const wait = started + (i / rate) * 1000 - now();
        if (wait > 1) await sleep(wait);
        const s = i % 50;
        const revision = revisions.get(s) ?? 0;
        revisions.set(s, revision + 1);
        const event = newCaseEvent(category, revision);
        called.set(event.id, now());
        await store.appendToStream(`${category}-${run}x${w}x${s}`, [event], { expectedRevision: revision === 0 ? 'no_stream' : BigInt(revision - 1) });
        appended.set(event.id, now());
      }
    }),
  );
  const deadline = now() + 30_000;
  while (received.size < total && now() < deadline) await sleep(50);
  loopDelay.disable();
  const latencies = [...received].map(([id, at]) => at - called.get(id)!);
  // The first seconds carry the cold start (JIT, the fresh topic's first writes, the group's first fetches):
  // shown apart, so a steady-state tail and a start-up one are told apart.
  const warmUpMs = 2_000;
  const latencyWhen = (early: boolean) => [...received].filter(([id]) => called.get(id)! - started < warmUpMs === early).map(([id, at]) => at - called.get(id)!);
  const ids = [...received.keys()].filter((id) => appended.has(id) && mapped.has(id));
  const segment = (from: Map<string, number>, to: Map<string, number>) => ids.map((id) => to.get(id)! - from.get(id)!);
  const appending = segment(called, appended);
  const toRelay = segment(appended, mapped);
  const toHandler = segment(mapped, received);
  await relay.stop();
  await consumer.stop();
  await relayBus.close();
  await consumerBus.close();
  await store.close();
  return {
    name: 'end-to-end',
    title: 'End to end: append → relay → Kafka → consumer',
    rows: [
      bound('p99, append called → handler', [percentile(latencies, 99)], 'ms', '<', 100),
      info('p50', [percentile(latencies, 50)], 'ms'),
      info('max', [Math.max(...latencies)], 'ms'),
      info(`p99, events appended in the first ${warmUpMs / 1000} s`, [percentile(latencyWhen(true), 99)], 'ms'),
      info(`p99, events appended after the first ${warmUpMs / 1000} s`, [percentile(latencyWhen(false), 99)], 'ms'),
      ...([
        ['append called → committed', appending],
        ['committed → the relay maps it', toRelay],
        ['the relay maps it → handler', toHandler],
      ] as const).flatMap(([what, values]) => [info(`${what}, p50`, [percentile(values, 50)], 'ms'), info(`${what}, p99`, [percentile(values, 99)], 'ms')]),
      info('event-loop delay of this process, p99', [loopDelay.percentile(99) / 1e6], 'ms'),
      info('event-loop delay of this process, max', [loopDelay.max / 1e6], 'ms'),
    ],
    checks: [{ ok: received.size === total, what: `${received.size} of ${total} events reached the consumer's handler` }],
    notes: [
      `${rate} events/s for ${seconds} s from 16 paced writers; one relay (batches of 500, woken by NOTIFY; producer ${config.relayProducer === 'worker' ? 'in a worker thread' : "on the relay's thread"}), one consumer (decode, validate, idempotency record, handler; fetch wait 20 ms) on ${PARTITIONS} partitions, all in this one process. The topic is created just before and the relay connects its producer when it starts, so the first seconds include the cold start (shown apart).`,
      'The segments split each event\'s latency where it is measured: the append call resolving, the relay calling the mapping on it (after NOTIFY woke the subscription and its round was read), the handler receiving it (encode, send with acks=all, fetch, decode, idempotency record).',
    ],
  };
}

/** Least-squares slope of y over x. */
function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

export async function memory(options: RunOptions): Promise<ScenarioResult> {
  const count = options.memoryEvents ?? (options.quick ? 100_000 : 1_000_000);
  const gc = gcFunction();
  const url = await freshSchema('bench_memory');
  const store = await createPostgresEventStore({ connectionString: url });
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  await loadEvents(pool, count);
  const relayBus = relayBusOf('bench-mem-relay');
  const consumerBus = bus('bench-mem-consumer');
  const topicPrefix = prefix();
  const topic = `${topicPrefix}${CONTRACT_TOPIC}`;
  await relayBus.ensureTopics([
    { topic, partitions: PARTITIONS },
    { topic: `${topic}.dlq`, partitions: 1 },
  ]);
  let consumed = 0;
  let published = 0;
  const relay = createRelay({
    store,
    bus: { ...relayBus, publish: async (t, messages) => { await relayBus.publish(t, messages); published += messages.length; } },
    name: `bench-mem-${topicPrefix}`,
    map,
    batchSize: 500,
    topicFor: (t) => `${topicPrefix}${t}`,
  });
  const consumer = createIntegrationEventConsumer({
    bus: consumerBus,
    groupId: `bench-mem-${topicPrefix}`,
    topics: [topic],
    processed: createInMemoryProcessedMessages(),
    handlers: { 'intake.application-submitted.v1': async () => void (consumed += 1) },
  });
  await consumer.start();
  const samples: { x: number; y: number }[] = [];
  const started = now();
  relay.start();
  const sampler = setInterval(() => {
    gc();
    samples.push({ x: published + consumed, y: process.memoryUsage().heapUsed });
  }, 1_000);
  // Generous: on a starved machine relay + consumer move ~1,000 events/s together.
  const deadline = now() + Math.max(120_000, count * 2);
  while ((published < count || consumed < count) && now() < deadline) await sleep(200);
  clearInterval(sampler);
  const seconds = (now() - started) / 1000;
  await relay.stop();
  await consumer.stop();
  await relayBus.close();
  await consumerBus.close();
  await pool.end();
  await store.close();
  await dropSchema('bench_memory');
  // The slope over the second half: after warm-up and after the consumer's idempotency window
  // (100,000 records by default) has filled, the heap must not grow with the events handled.
  const later = samples.slice(Math.floor(samples.length / 2));
  const perMillion = slope(later) * 1_000_000; // bytes per million events (relay + consumer)
  const first = samples[0]?.y ?? 0;
  const peak = Math.max(...samples.map((s) => s.y));
  const mib = (b: number) => b / 2 ** 20;
  return {
    name: 'memory',
    title: 'Memory of the relay and a consumer over a long run',
    rows: [
      bound('heap slope, second half of the run', [mib(perMillion)], 'MiB per million events', '<', 16),
      info('heap after GC, first sample', [mib(first)], 'MiB'),
      info('heap after GC, peak', [mib(peak)], 'MiB'),
      info('throughput (relay + consumer in one process)', [count / seconds], 'events/s'),
    ],
    checks: [{ ok: published === count && consumed >= count, what: `relay published ${published}, consumer handled ${consumed} of ${count}` }],
    notes: [
      `${count.toLocaleString('en-US')} events, relay and consumer in this one process, heap sampled after a forced GC every second (${samples.length} samples); "flat" = slope below 16 MiB per million events.`,
      `Heap samples (MiB): ${samples.filter((_, i) => i % Math.max(1, Math.floor(samples.length / 12)) === 0).map((s) => mib(s.y).toFixed(0)).join(', ')}.`,
    ],
  };
}

