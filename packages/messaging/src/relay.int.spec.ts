/**
 * The relay against the real Kafka broker, from the in-memory store and from
 * the PostgreSQL store: per-case order through several partitions and two
 * consumer members, crash between ack and checkpoint, replay after data loss.
 */
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import { uniqueGroupId, uniqueTopic } from '@govsvc/testkit/kafka';
import { createIsolatedSchema } from '@govsvc/testkit/postgres';
import type { DecodedIntegrationEvent } from '@govsvc/contracts/envelope';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MessageBus, OutgoingMessage } from './bus.ts';
import { createIntegrationEventConsumer, type IntegrationEventConsumer } from './consumer.ts';
import { createTestKafkaBus } from './kafka-test-bus.ts';
import { createInMemoryProcessedMessages } from './processed-messages.ts';
import { createRelay, type Relay } from './relay.ts';
import { appendInterleaved, collect, intakeMapping, sequenceOf, sequencesByCase } from './test-support.ts';
import { waitFor } from './wait-for.ts';

const silent = { warn: () => undefined, error: () => undefined };

const stores: [string, () => Promise<{ store: EventStore; teardown(): Promise<void> }>][] = [
  ['in-memory store', async () => ({ store: createInMemoryEventStore({ pollIntervalMs: 20 }), teardown: async () => undefined })],
  [
    'PostgreSQL store',
    async () => {
      const schema = await createIsolatedSchema('relay');
      const store = await createPostgresEventStore({ connectionString: schema.connectionString, pollIntervalMs: 50 });
      return { store, teardown: () => schema.drop() };
    },
  ],
];

describe.each(stores)('relay → real Kafka, from the %s', (_label, makeStore) => {
  let bus: MessageBus;
  let store: EventStore;
  let teardown: () => Promise<void>;
  let relays: Relay[];
  let consumers: IntegrationEventConsumer[];
  let prefix: string;
  const topicFor = (contractTopic: string) => `${prefix}.${contractTopic}`;
  const topic = () => topicFor('govsvc.intake.events.v1');

  beforeAll(async () => {
    bus = await createTestKafkaBus('relay-int');
  });
  afterAll(async () => {
    await bus?.close();
  });
  beforeEach(async () => {
    ({ store, teardown } = await makeStore());
    relays = [];
    consumers = [];
    prefix = uniqueTopic('relay');
    await bus.ensureTopics([{ topic: topic(), partitions: 6 }]);
  });
  afterEach(async () => {
    await Promise.all([...relays.map((r) => r.stop()), ...consumers.map((c) => c.stop())]);
    await store.close();
    await teardown();
  });

  it("keeps each case's events in order through 6 partitions and a group of two consumers, losing none", async () => {
    const cases = Array.from({ length: 12 }, (_, i) => `BJ-2025-${String(i).padStart(6, '0')}`);
    const processed = createInMemoryProcessedMessages(); // shared, as one database would be
    const effects = new Map<string, number[]>();
    const groupId = uniqueGroupId('relay-order');
    for (let member = 0; member < 2; member++) {
      const consumer = createIntegrationEventConsumer<undefined>({
        bus,
        groupId,
        topics: [topic()],
        processed,
        log: silent,
        handlers: {
          'intake.case-accepted.v2': async (event: DecodedIntegrationEvent) => {
            effects.set(event.subject, [...(effects.get(event.subject) ?? []), sequenceOf(event)]);
          },
        },
      });
      consumers.push(consumer);
      await consumer.start();
    }
    await waitFor(
      () => consumers.every((c) => c.assignment().some((a) => a.partitions.length > 0)) && consumers.reduce((n, c) => n + (c.assignment()[0]?.partitions.length ?? 0), 0) === 6,
      'both members own partitions',
      20_000,
    );

    const relay = createRelay({ store, bus, name: 'relay-order', map: intakeMapping, batchSize: 25, topicFor, log: silent });
    relays.push(relay);
    relay.start();
    await appendInterleaved(store, cases.slice(0, 6), 10);
    await appendInterleaved(store, cases.slice(6), 10);
    await relay.caughtUp();
    await waitFor(() => [...effects.values()].reduce((n, s) => n + s.length, 0) === 120, '120 effects', 20_000);

    for (const caseId of cases) expect(effects.get(caseId), caseId).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(processed.size()).toBe(120);
  });

  it('killed between the Kafka ack and the checkpoint: on restart the batch is published again, nothing is lost', async () => {
    await appendInterleaved(store, ['BJ-1', 'BJ-2', 'BJ-3'], 8);
    let calls = 0;
    const killedAfterSecondAck: MessageBus = {
      ...bus,
      async publish(t: string, messages: readonly OutgoingMessage[]) {
        await bus.publish(t, messages);
        if (++calls === 2) throw new Error('process killed after the ack, before the checkpoint');
      },
    };
    const doomed = createRelay({ store, bus: killedAfterSecondAck, name: 'relay-crash', map: intakeMapping, batchSize: 6, topicFor, retry: { maxAttempts: 1 }, log: silent });
    relays.push(doomed);
    doomed.start();
    await expect(doomed.finished).rejects.toThrow(/killed/);
    const checkpoint = (await store.checkpoints.read('relay-crash')) ?? 0n;

    const restarted = createRelay({ store, bus, name: 'relay-crash', map: intakeMapping, batchSize: 6, topicFor, log: silent });
    relays.push(restarted);
    restarted.start();
    await restarted.caughtUp();

    const published = (await store.readAll()).filter((e) => e.type === 'CaseAccepted');
    const { events, subscription } = await collect(bus, topic(), uniqueGroupId('relay-crash-reader'));
    try {
      await waitFor(() => new Set(events.map((e) => e.id)).size === published.length, 'every event', 20_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await subscription.stop();
    }
    const counts = new Map<string, number>();
    for (const e of events) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
    const twice = published.filter((e) => counts.get(e.id) === 2);
    expect(twice.length).toBeGreaterThan(0);
    expect(twice.every((e) => e.globalPosition > checkpoint)).toBe(true);
    expect(events.length).toBe(published.length + twice.length);
    for (const [, sequence] of sequencesByCase(events)) expect([...new Set(sequence)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('replayFrom rebuilds a topic whose data was lost, with the same ids and per-case order', async () => {
    await appendInterleaved(store, ['BJ-1', 'BJ-2'], 5);
    const relay = createRelay({ store, bus, name: 'relay-live', map: intakeMapping, topicFor, log: silent });
    relays.push(relay);
    relay.start();
    await relay.caughtUp();
    const original = await collect(bus, topic(), uniqueGroupId('replay-original'));
    await waitFor(() => original.events.length === 10, 'ten events', 20_000);
    await original.subscription.stop();

    // The cluster lost the topic: a fresh one (another prefix) stands in for the re-created topic.
    const lostPrefix = uniqueTopic('relay-rebuilt');
    const rebuiltTopic = `${lostPrefix}.govsvc.intake.events.v1`;
    await bus.ensureTopics([{ topic: rebuiltTopic, partitions: 6 }]);
    const replayer = createRelay({ store, bus, name: 'relay-live', map: intakeMapping, topicFor: (t) => `${lostPrefix}.${t}`, log: silent });
    const { published } = await replayer.replayFrom(0n);
    expect(published).toBe(10);
    const rebuilt = await collect(bus, rebuiltTopic, uniqueGroupId('replay-rebuilt'));
    try {
      await waitFor(() => rebuilt.events.length === 10, 'ten replayed', 20_000);
    } finally {
      await rebuilt.subscription.stop();
    }
    expect(rebuilt.events.map((e) => e.id).sort()).toEqual(original.events.map((e) => e.id).sort());
    expect(sequencesByCase(rebuilt.events)).toEqual(sequencesByCase(original.events));
  });
});
