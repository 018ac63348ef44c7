/**
 * The consumer runner against the real Kafka broker: bad input to the
 * dead-letter topic while the partition moves on, retries, idempotency under
 * real redelivery with the PostgreSQL record, and lag read from the broker.
 */
import pg from 'pg';
import { deadLetterHeaders } from '@govsvc/contracts/dead-letter';
import { encodeIntegrationEvent } from '@govsvc/contracts/envelope';
import { exampleEvent } from '@govsvc/contracts/examples';
import { uniqueGroupId, uniqueTopic } from '@govsvc/testkit/kafka';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { headerText, type IncomingMessage, type MessageBus, type OutgoingMessage } from './bus.ts';
import { createIntegrationEventConsumer, type IntegrationEventConsumer } from './consumer.ts';
import { replayDeadLetters } from './dead-letter-replay.ts';
import { createTestKafkaBus } from './kafka-test-bus.ts';
import { registerConsumerLagGauge } from './metrics.ts';
import { createInMemoryProcessedMessages } from './processed-messages.ts';
import { createPgProcessedMessages, type PgProcessedMessages, type SqlTx } from './processed-messages-pg.ts';
import { waitFor } from './wait-for.ts';

const silent = { warn: () => undefined, error: () => undefined };

const record = (caseId: string, id: string): OutgoingMessage => {
  const template = exampleEvent('intake.case-accepted.v2');
  const encoded = encodeIntegrationEvent({ type: template.type, data: { ...template.data, caseId } }, { id, time: new Date(), correlationId: 'corr-1' });
  return { key: encoded.key, value: encoded.value, headers: encoded.headers };
};

describe('consumer runner on the real Kafka broker', () => {
  let bus: MessageBus;
  let topic: string;
  let consumers: IntegrationEventConsumer[];

  beforeAll(async () => {
    bus = await createTestKafkaBus('consumer-int');
  });
  afterAll(async () => {
    await bus?.close();
  });
  beforeEach(async () => {
    topic = uniqueTopic('consumer');
    consumers = [];
    await bus.ensureTopics([{ topic, partitions: 3 }]);
  });
  afterEach(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
  });

  const readDeadLetters = async () => {
    const letters: IncomingMessage[] = [];
    const subscription = await bus.subscribe({ groupId: uniqueGroupId('dlq-reader'), topics: [`${topic}.dlq`], fromBeginning: true, handler: async (m) => void letters.push(m) });
    return { letters, subscription };
  };

  it('malformed records (not JSON, wrong headers, schema failure, unknown type) go to <topic>.dlq; the consumer keeps going', async () => {
    const handled: string[] = [];
    const consumer = createIntegrationEventConsumer<undefined>({
      bus,
      groupId: uniqueGroupId('bad-input'),
      topics: [topic],
      processed: createInMemoryProcessedMessages(),
      log: silent,
      handlers: { 'intake.case-accepted.v2': async (event) => void handled.push(event.id) },
    });
    consumers.push(consumer);
    await consumer.start();
    const valid = record('BJ-1', 'ok-0');
    // All on key BJ-1: one partition, the bad ones in front of good ones.
    await bus.publish(topic, [
      { key: 'BJ-1', value: 'this is not json', headers: valid.headers },
      record('BJ-1', 'ok-1'),
      { key: 'BJ-1', value: valid.value, headers: { 'content-type': 'application/json' } },
      { key: 'BJ-1', value: JSON.stringify({ caseId: 'BJ-1' }), headers: valid.headers },
      { key: 'BJ-1', value: valid.value, headers: { ...valid.headers, ce_type: 'intake.case-teleported.v1' } },
      { key: 'BJ-1', value: Buffer.from([0xde, 0xad, 0xbe, 0xef]), headers: { ce_id: Buffer.from([0xff]) } },
      record('BJ-1', 'ok-2'),
    ]);
    const { letters, subscription } = await readDeadLetters();
    try {
      await waitFor(() => handled.length === 2 && letters.length === 5, 'two handled, five dead letters', 20_000);
    } finally {
      await subscription.stop();
    }
    expect(handled).toEqual(['ok-1', 'ok-2']);
    expect(letters.map((l) => headerText(l.headers, deadLetterHeaders.reason))).toEqual(['malformed', 'malformed', 'invalid-data', 'unknown-type', 'malformed']);
    expect(letters[0]!.value?.toString()).toBe('this is not json');
    expect(headerText(letters[0]!.headers, 'ce_id')).toBe(headerText(letters[3]!.headers, 'ce_id'));
    expect(Buffer.compare(letters[4]!.value!, Buffer.from([0xde, 0xad, 0xbe, 0xef]))).toBe(0);
    expect(letters.every((l) => headerText(l.headers, deadLetterHeaders.originalTopic) === topic)).toBe(true);
    expect(JSON.parse(headerText(letters[2]!.headers, deadLetterHeaders.issues)!)[0].path).toMatch(/^\/data\//);
  });

  it('retries a failing handler with backoff and keeps the order; gives up into the dead-letter topic', async () => {
    const done: string[] = [];
    const attempts = new Map<string, number>();
    const consumer = createIntegrationEventConsumer<undefined>({
      bus,
      groupId: uniqueGroupId('retry'),
      topics: [topic],
      processed: createInMemoryProcessedMessages(),
      retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100 },
      log: silent,
      handlers: {
        'intake.case-accepted.v2': async (event) => {
          const attempt = (attempts.get(event.id) ?? 0) + 1;
          attempts.set(event.id, attempt);
          if (event.id === 'flaky' && attempt < 3) throw new Error('busy');
          if (event.id === 'broken') throw new Error('always');
          done.push(event.id);
        },
      },
    });
    consumers.push(consumer);
    await consumer.start();
    await bus.publish(topic, [record('BJ-7', 'flaky'), record('BJ-7', 'after-flaky'), record('BJ-7', 'broken'), record('BJ-7', 'after-broken')]);
    const { letters, subscription } = await readDeadLetters();
    try {
      await waitFor(() => done.length === 3 && letters.length === 1, 'three done, one dead letter', 20_000);
    } finally {
      await subscription.stop();
    }
    expect(done).toEqual(['flaky', 'after-flaky', 'after-broken']);
    expect(attempts.get('flaky')).toBe(3);
    expect(attempts.get('broken')).toBe(3);
    expect(headerText(letters[0]!.headers, deadLetterHeaders.reason)).toBe('handler-failed');
    expect(headerText(letters[0]!.headers, 'ce_id')).toBe('broken');
  });

  describe('idempotency under redelivery, with the PostgreSQL record', () => {
    let schema: IsolatedSchema;
    let processed: PgProcessedMessages;
    let probe: pg.Client;
    beforeAll(async () => {
      schema = await createIsolatedSchema('consumer_idempotency');
      processed = createPgProcessedMessages({ connectionString: schema.connectionString });
      await processed.ensureSchema();
      probe = new pg.Client({ connectionString: schema.connectionString });
      await probe.connect();
      await probe.query('CREATE TABLE acceptances (event_id text NOT NULL, case_id text NOT NULL)');
    });
    afterAll(async () => {
      await probe?.end();
      await processed?.close();
      await schema?.drop();
    });

    it('a record redelivered by Kafka after a crash, or published twice, has one effect', async () => {
      // Story: the first delivery of each message commits its effect and record, then the
      // "process dies" before Kafka's offset commit (the bus sees a failure and seeks back);
      // Kafka redelivers, the record is found, no second effect. The relay also published e-2 twice.
      const crashed = new Set<string>();
      const crashingBus: MessageBus = {
        ...bus,
        subscribe: (options) =>
          bus.subscribe({
            ...options,
            handler: async (message, context) => {
              await options.handler(message, context);
              const id = headerText(message.headers, 'ce_id')!;
              if (!crashed.has(id)) {
                crashed.add(id);
                throw new Error('killed before the offset commit');
              }
            },
          }),
      };
      let deliveries = 0;
      const consumer = createIntegrationEventConsumer<SqlTx>({
        bus: crashingBus,
        groupId: uniqueGroupId('idempotent'),
        topics: [topic],
        processed,
        log: silent,
        handlers: {
          'intake.case-accepted.v2': async (event, { tx }) => {
            deliveries += 1;
            await tx.query('INSERT INTO acceptances (event_id, case_id) VALUES ($1, $2)', [event.id, event.subject]);
          },
        },
      });
      consumers.push(consumer);
      await consumer.start();
      await bus.publish(topic, [record('BJ-3', 'e-1'), record('BJ-3', 'e-2'), record('BJ-4', 'e-3'), record('BJ-3', 'e-2')]);
      await waitFor(() => crashed.size === 3, 'every message crashed once', 20_000);
      await waitFor(async () => (await bus.consumerLag(consumer.groupId, [topic])).every((p) => p.lag === 0n), 'all committed', 20_000);
      const { rows } = await probe.query<{ event_id: string; n: number }>('SELECT event_id, count(*)::int AS n FROM acceptances GROUP BY event_id ORDER BY event_id');
      expect(rows).toEqual([
        { event_id: 'e-1', n: 1 },
        { event_id: 'e-2', n: 1 },
        { event_id: 'e-3', n: 1 },
      ]);
      expect(deliveries).toBe(3);
    });
  });

  it('dead letters go back to their topic once the cause is fixed, and are handled then', async () => {
    let fixed = false;
    const handled: string[] = [];
    const consumer = createIntegrationEventConsumer<undefined>({
      bus,
      groupId: uniqueGroupId('replay'),
      topics: [topic],
      processed: createInMemoryProcessedMessages(),
      retry: { maxAttempts: 1 },
      log: silent,
      handlers: {
        'intake.case-accepted.v2': async (event) => {
          if (!fixed) throw new Error('handler bug');
          handled.push(event.id);
        },
      },
    });
    consumers.push(consumer);
    await consumer.start();
    await bus.publish(topic, [record('BJ-8', 'r-1'), record('BJ-9', 'r-2')]);
    await waitFor(async () => (await bus.consumerLag(uniqueGroupId('dlq-count'), [`${topic}.dlq`]))[0]!.endOffset === 2n, 'two dead letters', 20_000);
    fixed = true;
    const result = await replayDeadLetters({ bus, deadLetterTopic: `${topic}.dlq`, groupId: uniqueGroupId('dlq-replay'), timeoutMs: 20_000 });
    expect(result).toEqual({ replayed: 2, skipped: 0 });
    await waitFor(() => handled.length === 2, 'both handled after the replay', 20_000);
    expect(handled.sort()).toEqual(['r-1', 'r-2']);
  });

  it('exposes lag per group/topic/partition from the broker offsets', async () => {
    const groupId = uniqueGroupId('lag');
    const registry = new Registry();
    registerConsumerLagGauge(registry, bus, () => [{ groupId, topics: [topic] }]);
    await bus.publish(topic, [record('BJ-1', 'l-1'), record('BJ-2', 'l-2'), record('BJ-3', 'l-3'), record('BJ-1', 'l-4')]);
    const total = async () =>
      (await registry.getSingleMetric('govsvc_consumer_lag')!.get()).values.reduce((n, v) => n + v.value, 0);
    expect((await registry.getSingleMetric('govsvc_consumer_lag')!.get()).values).toHaveLength(3);
    expect(await total()).toBe(4);
    const consumer = createIntegrationEventConsumer<undefined>({
      bus,
      groupId,
      topics: [topic],
      processed: createInMemoryProcessedMessages(),
      log: silent,
      handlers: { 'intake.case-accepted.v2': async () => undefined },
    });
    consumers.push(consumer);
    await consumer.start();
    await waitFor(async () => (await total()) === 0, 'lag drains to zero', 20_000);
  });
});
