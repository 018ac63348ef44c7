import { createInMemoryEventStore, type InMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MessageBus, OutgoingMessage } from './bus.ts';
import { createInProcessBus } from './in-process-bus.ts';
import { createMessagingMetrics } from './metrics.ts';
import { contractIdOf, createRelay, type Relay } from './relay.ts';
import type { StoredEvent } from '@govsvc/eventstore/port';
import { acceptedContract, appendInterleaved, caseAccepted, collect, intakeMapping, sequencesByCase } from './test-support.ts';
import { waitFor } from './wait-for.ts';

const topic = 'govsvc.intake.events.v1';
const silent = { warn: () => undefined, error: () => undefined };

/** A bus that lets a test fail publishes, or "crash" right after the broker acknowledged one. */
function faultyBus(inner: MessageBus) {
  const calls: number[] = [];
  let failNext = 0;
  let crashAfterAckOnCall: number | undefined;
  const bus: MessageBus = {
    ...inner,
    async publish(t: string, messages: readonly OutgoingMessage[]) {
      calls.push(messages.length);
      if (failNext > 0) {
        failNext -= 1;
        throw new Error('broker unavailable');
      }
      await inner.publish(t, messages);
      if (calls.length === crashAfterAckOnCall) throw new Error('process killed after the ack, before the checkpoint');
    },
  };
  return {
    bus,
    calls,
    failNextPublishes: (n: number) => void (failNext = n),
    crashAfterAckOnCall: (n: number) => void (crashAfterAckOnCall = n),
  };
}

/**
 * A bus with `sequence()` as the producer thread keeps it: sends one at a time in call order, each
 * taking a little while, and once one of a sequence failed, the later ones of it fail unsent.
 * `failCalls` are the 1-based numbers of the publishes (counted over all sequences) that fail.
 */
function sequencedBus(inner: MessageBus, failCalls: readonly number[]) {
  const handedOver: { sequence: number; size: number; outcome?: 'sent' | 'failed' | 'fenced' }[] = [];
  let outstanding = 0;
  let mostOutstanding = 0;
  let sequences = 0;
  let line: Promise<unknown> = Promise.resolve();
  const bus: MessageBus = {
    ...inner,
    sequence() {
      const sequence = sequences++;
      let failed = false;
      return {
        publish(t: string, messages: readonly OutgoingMessage[]) {
          const entry: (typeof handedOver)[number] = { sequence, size: messages.length };
          handedOver.push(entry);
          const call = handedOver.length;
          outstanding += 1;
          mostOutstanding = Math.max(mostOutstanding, outstanding);
          const sending = line.then(async () => {
            await new Promise((resolve) => setTimeout(resolve, 2));
            if (failed) {
              entry.outcome = 'fenced';
              throw new Error('not sent: an earlier send of its sequence failed');
            }
            if (failCalls.includes(call)) {
              failed = true;
              entry.outcome = 'failed';
              throw new Error('broker unavailable');
            }
            await inner.publish(t, messages);
            entry.outcome = 'sent';
          });
          line = sending.catch(() => undefined);
          return sending.finally(() => void (outstanding -= 1));
        },
      };
    },
  };
  return { bus, handedOver, mostOutstanding: () => mostOutstanding };
}

describe('relay: event store → bus (in-memory store, in-process bus)', () => {
  let store: InMemoryEventStore;
  let bus: MessageBus;
  const relays: Relay[] = [];
  const start = (relay: Relay) => {
    relays.push(relay);
    relay.start();
    return relay;
  };

  beforeEach(async () => {
    store = createInMemoryEventStore({ pollIntervalMs: 20 });
    bus = createInProcessBus({ redeliveryDelayMs: 5 });
    await bus.ensureTopics([{ topic, partitions: 3 }]);
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await bus.close();
    await store.close();
  });

  it('publishes each mapped event as a CloudEvent keyed by case id, in store order per case, and skips internal ones', async () => {
    await appendInterleaved(store, ['BJ-1', 'BJ-2', 'BJ-3'], 6);
    const relay = start(createRelay({ store, bus, name: 'relay-intake', map: intakeMapping, batchSize: 7, log: silent }));
    await relay.caughtUp();
    const { events, subscription } = await collect(bus, topic, 'reader');
    await waitFor(() => events.length === 18, '18 published events');
    await subscription.stop();

    expect(sequencesByCase(events)).toEqual(new Map([['BJ-1', [0, 1, 2, 3, 4, 5]], ['BJ-2', [0, 1, 2, 3, 4, 5]], ['BJ-3', [0, 1, 2, 3, 4, 5]]]));
    const stored = store.allEvents().filter((e) => e.type === 'CaseAccepted');
    // The CloudEvents id is the domain event id; correlation and causation come from its metadata.
    expect(new Set(events.map((e) => e.id))).toEqual(new Set(stored.map((e) => e.id)));
    const first = events.find((e) => e.subject === 'BJ-2')!;
    expect(first).toMatchObject({ type: 'intake.case-accepted.v2', source: '/govsvc/intake', correlationId: 'corr-BJ-2', causationId: 'cmd-BJ-2-0' });
    expect(first.time).toBe(stored.find((e) => e.id === first.id)!.recordedAt.toISOString());
    expect(relay.status()).toMatchObject({ state: 'running', lastPosition: store.allEvents().at(-1)!.globalPosition });
  });

  it('opens the bus for publishing on start, before any event is there to publish (issue 3: first events after a deploy)', async () => {
    let connects = 0;
    let publishes = 0;
    const watched: MessageBus = {
      ...bus,
      connect: async () => void (connects += 1),
      publish: async (t, messages) => {
        publishes += 1;
        await bus.publish(t, messages);
      },
    };
    const relay = start(createRelay({ store, bus: watched, name: 'relay-connect', map: intakeMapping, log: silent }));
    await relay.caughtUp();
    expect({ connects, publishes }).toEqual({ connects: 1, publishes: 0 });
    await relay.stop();
    // A bus without connect() (optional in the port) is published to as before.
    await appendInterleaved(store, ['BJ-9'], 2);
    const plain = start(createRelay({ store, bus: { ...bus, connect: undefined }, name: 'relay-plain', map: intakeMapping, log: silent }));
    await plain.caughtUp();
    const { events, subscription } = await collect(bus, topic, 'reader-plain');
    await waitFor(() => events.length === 2, 'two published events');
    await subscription.stop();
  });

  it('maps one domain event to several contracts (async mapping allowed), with stable distinct ids', async () => {
    await store.appendToStream('application-BJ-5', [caseAccepted('BJ-5', 0)], { expectedRevision: 'no_stream' });
    const twice = async (event: StoredEvent) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const contract = acceptedContract(event);
      return contract ? [contract, { ...contract, data: { ...contract.data, receipt: { documentId: 'receipt-1', kind: 'acceptance-receipt' } } }] : [];
    };
    const relay = start(createRelay({ store, bus, name: 'relay-fan-out', map: twice, log: silent }));
    await relay.caughtUp();
    const { events, subscription } = await collect(bus, topic, 'reader');
    await waitFor(() => events.length === 2, 'two contracts');
    await subscription.stop();
    const stored = store.allEvents()[0]!;
    expect(events.map((e) => e.id)).toEqual([stored.id, contractIdOf(stored.id, 1)]);
    expect(contractIdOf(stored.id, 1)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(contractIdOf(stored.id, 1)).toBe(contractIdOf(stored.id, 1));
    expect(contractIdOf(stored.id, 2)).not.toBe(contractIdOf(stored.id, 1));
    // Pinned: ids already published must not change with the code that derives them.
    expect([contractIdOf('0f8e6a52-3c1d-4f7a-9b2e-5d6c7a8b9c0d', 1), contractIdOf('0f8e6a52-3c1d-4f7a-9b2e-5d6c7a8b9c0d', 2)]).toEqual([
      '2ee91c2d-3179-5d54-b199-7d8141c1d590',
      'd2cd293c-2e2c-574d-92ef-0b9391501460',
    ]);
    expect(sequencesByCase(events).get('BJ-5')).toEqual([0, 1]);
  });

  it('publishes in batches of the subscription size', async () => {
    const faults = faultyBus(bus);
    for (let n = 0; n < 25; n++) await store.appendToStream('application-BJ-9', [caseAccepted('BJ-9', n)], { expectedRevision: 'any' });
    const relay = start(createRelay({ store, bus: faults.bus, name: 'relay-batches', map: intakeMapping, batchSize: 10, log: silent }));
    await relay.caughtUp();
    expect(faults.calls).toEqual([10, 10, 5]);
  });

  it('reads rounds of readBatchSize, publishes each as batches of batchSize in order, and writes one checkpoint per round', async () => {
    for (let n = 0; n < 25; n++) await store.appendToStream('application-BJ-8', [caseAccepted('BJ-8', n)], { expectedRevision: 'any' });
    const positions = store.allEvents().map((e) => e.globalPosition);
    // The checkpoint as each publish starts: it moves only between rounds.
    const seen: (bigint | null)[] = [];
    const sizes: number[] = [];
    const watching: MessageBus = {
      ...bus,
      async publish(t: string, messages: readonly OutgoingMessage[]) {
        sizes.push(messages.length);
        seen.push(await store.checkpoints.read('relay-rounds'));
        await bus.publish(t, messages);
      },
    };
    const relay = start(createRelay({ store, bus: watching, name: 'relay-rounds', map: intakeMapping, batchSize: 5, readBatchSize: 20, checkpointIntervalMs: 0, log: silent }));
    await relay.caughtUp();
    expect(sizes).toEqual([5, 5, 5, 5, 5]);
    expect(seen).toEqual([null, null, null, null, positions[19]]);
    expect(await store.checkpoints.read('relay-rounds')).toBe(positions[24]);
    const { events, subscription } = await collect(bus, topic, 'reader-rounds');
    await waitFor(() => events.length === 25, 'twenty-five events');
    await subscription.stop();
    expect(sequencesByCase(events).get('BJ-8')).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('a batch that fails mid-round is retried alone: the batches of the round acknowledged before it are not sent again', async () => {
    for (let n = 0; n < 15; n++) await store.appendToStream('application-BJ-7', [caseAccepted('BJ-7', n)], { expectedRevision: 'any' });
    const sizes: number[] = [];
    const failingSecond: MessageBus = {
      ...bus,
      async publish(t: string, messages: readonly OutgoingMessage[]) {
        sizes.push(messages.length);
        if (sizes.length === 2) throw new Error('broker unavailable');
        await bus.publish(t, messages);
      },
    };
    const relay = start(createRelay({ store, bus: failingSecond, name: 'relay-midround', map: intakeMapping, batchSize: 5, readBatchSize: 15, retry: { initialDelayMs: 1 }, log: silent }));
    await relay.caughtUp();
    expect(sizes).toEqual([5, 5, 5, 5]);
    const { events, subscription } = await collect(bus, topic, 'reader-midround');
    await waitFor(() => events.length >= 15, 'fifteen events');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await subscription.stop();
    expect(events).toHaveLength(15);
    expect(sequencesByCase(events).get('BJ-7')).toEqual(Array.from({ length: 15 }, (_, i) => i));
  });

  it('over a bus with sequences: hands the next batch over before the last is acknowledged; a failure fences the one behind it and the retry resumes at the first batch not acknowledged', async () => {
    for (let n = 0; n < 30; n++) await store.appendToStream('application-BJ-6', [caseAccepted('BJ-6', n)], { expectedRevision: 'any' });
    const sequenced = sequencedBus(bus, [3]);
    const relay = start(createRelay({ store, bus: sequenced.bus, name: 'relay-sequenced', map: intakeMapping, batchSize: 5, readBatchSize: 30, retry: { initialDelayMs: 1 }, log: silent }));
    await relay.caughtUp();
    expect(sequenced.mostOutstanding()).toBe(2);
    expect(sequenced.handedOver.map((h) => `${h.sequence}:${h.outcome}`)).toEqual(['0:sent', '0:sent', '0:failed', '0:fenced', '1:sent', '1:sent', '1:sent', '1:sent']);
    const { events, subscription } = await collect(bus, topic, 'reader-sequenced');
    await waitFor(() => events.length >= 30, 'thirty events');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await subscription.stop();
    expect(events).toHaveLength(30);
    expect(sequencesByCase(events).get('BJ-6')).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('over a bus with sequences: a mapping that fails mid-round keeps the batches handed over before it, and the retry sends only the rest', async () => {
    for (let n = 0; n < 20; n++) await store.appendToStream('application-BJ-5', [caseAccepted('BJ-5', n)], { expectedRevision: 'any' });
    const sequenced = sequencedBus(bus, []);
    let failures = 0;
    const flaky = (event: StoredEvent) => {
      // The twelfth event (third batch) cannot be mapped the first time: a bug fixed by the next attempt.
      if (event.revision === 11n && failures++ === 0) throw new Error('mapping failed');
      return intakeMapping(event);
    };
    const relay = start(createRelay({ store, bus: sequenced.bus, name: 'relay-sequenced-map', map: flaky, batchSize: 5, readBatchSize: 20, retry: { initialDelayMs: 1 }, log: silent }));
    await relay.caughtUp();
    expect(failures).toBe(2);
    expect(sequenced.handedOver.map((h) => `${h.sequence}:${h.outcome}`)).toEqual(['0:sent', '0:sent', '1:sent', '1:sent']);
    const { events, subscription } = await collect(bus, topic, 'reader-sequenced-map');
    await waitFor(() => events.length >= 20, 'twenty events');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await subscription.stop();
    expect(events).toHaveLength(20);
    expect(sequencesByCase(events).get('BJ-5')).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('resumes from its checkpoint: a restarted relay publishes only what it had not', async () => {
    await appendInterleaved(store, ['BJ-1'], 4);
    const first = start(createRelay({ store, bus, name: 'relay-resume', map: intakeMapping, log: silent }));
    await first.caughtUp();
    await first.stop();
    await appendInterleaved(store, ['BJ-1'], 3, 4);
    const second = start(createRelay({ store, bus, name: 'relay-resume', map: intakeMapping, log: silent }));
    await second.caughtUp();
    const { events, subscription } = await collect(bus, topic, 'reader');
    await waitFor(() => events.length === 7, 'seven events');
    await subscription.stop();
    expect(sequencesByCase(events).get('BJ-1')).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('killed between the broker ack and the checkpoint: the batch is published again (duplicate), nothing is lost', async () => {
    await appendInterleaved(store, ['BJ-1', 'BJ-2'], 10);
    const faults = faultyBus(bus);
    faults.crashAfterAckOnCall(2);
    // maxAttempts 1: the first failure ends the relay, as a killed process would, with the checkpoint where it was.
    const doomed = start(createRelay({ store, bus: faults.bus, name: 'relay-crash', map: intakeMapping, batchSize: 5, retry: { maxAttempts: 1 }, log: silent }));
    await expect(doomed.finished).rejects.toThrow(/killed/);
    expect(doomed.status().state).toBe('failed');
    const checkpoint = await store.checkpoints.read('relay-crash');

    const restarted = start(createRelay({ store, bus, name: 'relay-crash', map: intakeMapping, batchSize: 5, log: silent }));
    await restarted.caughtUp();
    const { events, subscription } = await collect(bus, topic, 'reader');
    await waitFor(() => events.length >= 20, 'all twenty');
    await subscription.stop();

    const published = store.allEvents().filter((e) => e.type === 'CaseAccepted');
    const counts = new Map<string, number>();
    for (const e of events) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(published.map((e) => e.id).sort());
    // Exactly the second batch came twice: the ack happened, the checkpoint did not.
    const duplicated = published.filter((e) => counts.get(e.id) === 2);
    expect(duplicated.length).toBeGreaterThan(0);
    expect(duplicated.every((e) => e.globalPosition > (checkpoint ?? 0n))).toBe(true);
    expect(events.length).toBe(20 + duplicated.length);
    // Per case, the first occurrences are still in order.
    for (const [, sequence] of sequencesByCase(events)) expect([...new Set(sequence)]).toEqual([...new Set(sequence)].sort((a, b) => a - b));
  });

  it('a broker outage is waited out: retried with backoff, no duplicate, no loss, counted in metrics', async () => {
    const registry = new Registry();
    const metrics = createMessagingMetrics(registry);
    await appendInterleaved(store, ['BJ-1'], 5);
    const faults = faultyBus(bus);
    faults.failNextPublishes(3);
    const relay = start(
      createRelay({ store, bus: faults.bus, name: 'relay-outage', map: intakeMapping, retry: { initialDelayMs: 5, maxDelayMs: 20 }, metrics, log: silent }),
    );
    await relay.caughtUp();
    const { events, subscription } = await collect(bus, topic, 'reader');
    await waitFor(() => events.length === 5, 'five events');
    await subscription.stop();
    expect(sequencesByCase(events).get('BJ-1')).toEqual([0, 1, 2, 3, 4]);
    expect((await metrics.relayFailures.get()).values[0]?.value).toBe(3);
    expect((await metrics.relayPublished.get()).values[0]).toMatchObject({ value: 5, labels: { relay: 'relay-outage', topic } });
    expect(relay.status().state).toBe('running');
  });

  it('an event its mapping cannot turn into a valid contract stalls the relay instead of being skipped', async () => {
    await store.appendToStream('application-BJ-1', [caseAccepted('BJ-1', 0)], { expectedRevision: 'no_stream' });
    await store.appendToStream('application-BJ-1', [caseAccepted('BJ-1', 1)], { expectedRevision: 'any' });
    let broken = true;
    const relay = start(
      createRelay({
        store,
        bus,
        name: 'relay-bad-mapping',
        map: (event) => {
          const contract = acceptedContract(event);
          // A mapping bug: an empty case id fails the contract.
          return contract && broken ? ({ ...contract, data: { ...contract.data, caseId: '' } } as typeof contract) : contract;
        },
        retry: { initialDelayMs: 5, maxDelayMs: 10 },
        log: silent,
      }),
    );
    await waitFor(() => relay.status().state === 'retrying', 'relay retrying');
    expect(relay.status().lastError).toMatch(/\/data\/caseId/);
    expect((await bus.consumerLag('nobody', [topic])).reduce((n, p) => n + p.endOffset, 0n)).toBe(0n);
    // The fix ships (here: the flag); the stalled batch goes out, in order.
    broken = false;
    await relay.caughtUp();
    const { events, subscription } = await collect(bus, topic, 'reader');
    await waitFor(() => events.length === 2, 'both events');
    await subscription.stop();
    expect(sequencesByCase(events).get('BJ-1')).toEqual([0, 1]);
  });

  it('replayFrom republishes with the same ids after the broker lost its data, without moving the checkpoint', async () => {
    await appendInterleaved(store, ['BJ-1', 'BJ-2'], 4);
    const relay = start(createRelay({ store, bus, name: 'relay-replay', map: intakeMapping, log: silent }));
    await relay.caughtUp();
    const checkpoint = await store.checkpoints.read('relay-replay');
    const original = await collect(bus, topic, 'before');
    await waitFor(() => original.events.length === 8, 'eight events');
    await original.subscription.stop();
    await relay.stop();

    // The broker is gone and comes back empty.
    const rebuilt = createInProcessBus();
    await rebuilt.ensureTopics([{ topic, partitions: 3 }]);
    const replayer = createRelay({ store, bus: rebuilt, name: 'relay-replay', map: intakeMapping, batchSize: 3, log: silent });
    expect(await replayer.replayFrom(0n)).toEqual({ published: 8, lastPosition: store.allEvents().at(-1)!.globalPosition });
    const again = await collect(rebuilt, topic, 'after');
    await waitFor(() => again.events.length === 8, 'eight replayed');
    expect(again.events.map((e) => e.id).sort()).toEqual(original.events.map((e) => e.id).sort());
    expect(sequencesByCase(again.events)).toEqual(sequencesByCase(original.events));

    // From a position: only what follows it.
    const middle = store.allEvents().filter((e) => e.type === 'CaseAccepted')[3]!.globalPosition;
    expect((await replayer.replayFrom(middle)).published).toBe(4);
    expect(await store.checkpoints.read('relay-replay')).toBe(checkpoint);
    await again.subscription.stop();
    await rebuilt.close();
  });

  it('stop() during an outage ends the retries promptly and keeps the checkpoint', async () => {
    await appendInterleaved(store, ['BJ-1'], 2);
    const faults = faultyBus(bus);
    faults.failNextPublishes(1_000);
    const relay = start(createRelay({ store, bus: faults.bus, name: 'relay-stop', map: intakeMapping, retry: { initialDelayMs: 1_000, maxDelayMs: 1_000 }, log: silent }));
    await waitFor(() => relay.status().state === 'retrying', 'retrying');
    const began = Date.now();
    await relay.stop();
    expect(Date.now() - began).toBeLessThan(500);
    expect(relay.status().state).toBe('stopped');
    await expect(relay.finished).resolves.toBeUndefined();
    expect(await store.checkpoints.read('relay-stop')).toBeNull();
  });
});
