import { readFile } from 'node:fs/promises';
import { RuleViolation, UnavailableError } from '@govsvc/errors/errors';
import { deadLetterHeaders } from '@govsvc/contracts/dead-letter';
import { encodeIntegrationEvent } from '@govsvc/contracts/envelope';
import { exampleEvent } from '@govsvc/contracts/examples';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { headerText, type IncomingMessage, type MessageBus, type OutgoingMessage } from './bus.ts';
import { createIntegrationEventConsumer, type IntegrationEventConsumer, type IntegrationEventConsumerOptions } from './consumer.ts';
import { createInProcessBus } from './in-process-bus.ts';
import { createMessagingMetrics, registerConsumerLagGauge } from './metrics.ts';
import { createInMemoryProcessedMessages } from './processed-messages.ts';
import { waitFor } from './wait-for.ts';

const topic = 'govsvc.intake.events.v1';
const dlq = `${topic}.dlq`;
const silent = { warn: () => undefined, error: () => undefined };

const record = (caseId: string, id: string, receipt = 'r-1'): OutgoingMessage => {
  const template = exampleEvent('intake.case-accepted.v2');
  const encoded = encodeIntegrationEvent(
    { type: template.type, data: { ...template.data, caseId, receipt: { documentId: receipt, kind: 'acceptance-receipt' } } },
    { id, time: '2025-03-12T02:00:00.000Z', correlationId: 'corr-1' },
  );
  return { key: encoded.key, value: encoded.value, headers: encoded.headers };
};

describe('consumer runner (in-process bus)', () => {
  let bus: MessageBus;
  let consumers: IntegrationEventConsumer[];
  let deadLetters: IncomingMessage[];

  const startConsumer = async (options: Omit<IntegrationEventConsumerOptions<undefined>, 'bus' | 'topics' | 'groupId' | 'processed'> & Partial<IntegrationEventConsumerOptions<undefined>>) => {
    const consumer = createIntegrationEventConsumer<undefined>({
      bus,
      groupId: 'review-intake-events',
      topics: [topic],
      processed: createInMemoryProcessedMessages(),
      retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 },
      log: silent,
      ...options,
    });
    consumers.push(consumer);
    await consumer.start();
    return consumer;
  };

  beforeEach(async () => {
    bus = createInProcessBus({ redeliveryDelayMs: 5 });
    consumers = [];
    deadLetters = [];
    await bus.ensureTopics([{ topic, partitions: 2 }]);
    await bus.ensureTopics([{ topic: dlq, partitions: 1 }]);
    await bus.subscribe({ groupId: 'dlq-reader', topics: [dlq], fromBeginning: true, handler: async (m) => void deadLetters.push(m) });
  });
  afterEach(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await bus.close();
  });

  it('hands each event to the handler of its type, decoded and validated', async () => {
    const seen: string[] = [];
    await startConsumer({ handlers: { 'intake.case-accepted.v2': async (event) => void seen.push(`${event.subject}:${event.data.receipt.documentId}`) } });
    await bus.publish(topic, [record('BJ-1', 'e1', 'r-1'), record('BJ-1', 'e2', 'r-2'), record('BJ-2', 'e3', 'r-3')]);
    await waitFor(() => seen.length === 3, 'three events');
    expect(seen.filter((s) => s.startsWith('BJ-1'))).toEqual(['BJ-1:r-1', 'BJ-1:r-2']);
    expect(deadLetters).toEqual([]);
  });

  it('R-ACC-2: a stored v1 record reaches the v2 handler, upcast', async () => {
    const fixture = JSON.parse(
      await readFile(new URL('../../contracts/src/__fixtures__/intake.case-accepted.v1/complete.json', import.meta.url), 'utf8'),
    ) as { record: { key: string; headers: Record<string, string>; value: string } };
    const seen: { basis: string; receivedType: string }[] = [];
    await startConsumer({ handlers: { 'intake.case-accepted.v2': async (event) => void seen.push({ basis: event.data.basis, receivedType: event.receivedType }) } });
    await bus.publish(topic, [fixture.record]);
    await waitFor(() => seen.length === 1, 'upcast event');
    expect(seen).toEqual([{ basis: 'decision', receivedType: 'intake.case-accepted.v1' }]);
  });

  describe('bad input never crashes the consumer: dead letter, and the partition moves on', () => {
    const valid = record('BJ-1', 'e-valid');
    const cases: [string, OutgoingMessage, string][] = [
      ['a value that is not JSON', { ...valid, value: '{"caseId": ' }, 'malformed'],
      ['no CloudEvents headers at all', { key: 'BJ-1', value: valid.value }, 'malformed'],
      ['a header that is not a time', { ...valid, headers: { ...valid.headers, ce_time: 'soon' } }, 'malformed'],
      ['binary garbage', { key: 'BJ-1', value: Buffer.from([0xff, 0xfe, 0x00, 0x01]), headers: { ce_id: Buffer.from([0xc3, 0x28]) } }, 'malformed'],
      ['data failing its schema', { ...valid, value: JSON.stringify({ caseId: 'BJ-1', basis: 'decision' }) }, 'invalid-data'],
      ['a key that is not the case id', { ...valid, key: 'BJ-999' }, 'invalid-data'],
      ['an event type nobody published', { ...valid, headers: { ...valid.headers, ce_type: 'intake.case-accepted.v7' } }, 'unknown-type'],
    ];

    it.each(cases)('%s', async (_label, bad, reason) => {
      // One partition: the bad message sits in front of the good one and must not block it.
      const single = 'govsvc.intake.single.v1';
      await bus.ensureTopics([{ topic: single, partitions: 1 }, { topic: `${single}.dlq`, partitions: 1 }]);
      await bus.subscribe({ groupId: 'dlq-reader', topics: [`${single}.dlq`], fromBeginning: true, handler: async (m) => void deadLetters.push(m) });
      const handled: string[] = [];
      await startConsumer({ topics: [single], handlers: { 'intake.case-accepted.v2': async (event) => void handled.push(event.id) } });
      await bus.publish(single, [bad, record('BJ-1', 'e-after')]);
      await waitFor(() => handled.length === 1 && deadLetters.length === 1, 'dead letter + next message');
      expect(handled).toEqual(['e-after']);
      const letter = deadLetters[0]!;
      expect(headerText(letter.headers, deadLetterHeaders.reason)).toBe(reason);
      expect(headerText(letter.headers, deadLetterHeaders.originalTopic)).toBe(single);
      expect(headerText(letter.headers, deadLetterHeaders.consumerGroup)).toBe('review-intake-events');
      expect(headerText(letter.headers, deadLetterHeaders.attempts)).toBe('0');
      expect(headerText(letter.headers, deadLetterHeaders.error)).toMatch(/\S/);
      // The original record, byte for byte: value, key and every original header.
      expect(Buffer.compare(letter.value!, Buffer.from(bad.value as string | Buffer))).toBe(0);
      expect(letter.key?.toString()).toBe(String(bad.key));
      for (const [name, value] of Object.entries(bad.headers ?? {})) {
        expect(Buffer.compare(letter.headers[name] as Buffer, Buffer.from(value as string | Buffer)), name).toBe(0);
      }
      if (reason !== 'malformed') expect(JSON.parse(headerText(letter.headers, deadLetterHeaders.issues)!)).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.any(String) })]));
    });
  });

  it('retries a failing handler with backoff, keeping the partition in order, then succeeds', async () => {
    const attempts: number[] = [];
    const done: string[] = [];
    await startConsumer({
      handlers: {
        'intake.case-accepted.v2': async (event, { attempt }) => {
          if (event.id === 'e1') {
            attempts.push(attempt);
            if (attempt < 3) throw new Error('projection store busy');
          }
          done.push(event.id);
        },
      },
    });
    await bus.publish(topic, [record('BJ-1', 'e1'), record('BJ-1', 'e2')]);
    await waitFor(() => done.length === 2, 'both handled');
    expect(attempts).toEqual([1, 2, 3]);
    expect(done).toEqual(['e1', 'e2']);
    expect(deadLetters).toEqual([]);
  });

  it('dead-letters a message whose handler keeps failing, after the bounded attempts, and moves on', async () => {
    const registry = new Registry();
    const metrics = createMessagingMetrics(registry);
    const done: string[] = [];
    let tries = 0;
    await startConsumer({
      metrics,
      handlers: {
        'intake.case-accepted.v2': async (event) => {
          if (event.id === 'e1') {
            tries += 1;
            throw new Error('always broken');
          }
          done.push(event.id);
        },
      },
    });
    await bus.publish(topic, [record('BJ-1', 'e1'), record('BJ-1', 'e2')]);
    await waitFor(() => done.length === 1 && deadLetters.length === 1, 'dead letter + next');
    expect(tries).toBe(3);
    expect(headerText(deadLetters[0]!.headers, deadLetterHeaders.reason)).toBe('handler-failed');
    expect(headerText(deadLetters[0]!.headers, deadLetterHeaders.attempts)).toBe('3');
    expect(headerText(deadLetters[0]!.headers, deadLetterHeaders.error)).toContain('always broken');
    expect(headerText(deadLetters[0]!.headers, 'ce_id')).toBe('e1');
    expect((await metrics.handlerRetries.get()).values[0]?.value).toBe(2);
    expect((await metrics.deadLetters.get()).values[0]).toMatchObject({ value: 1, labels: { reason: 'handler-failed', topic } });
  });

  it('a dependency that stays down past the retries keeps the message (redelivered), never dead-letters it', async () => {
    let calls = 0;
    const done: string[] = [];
    await startConsumer({
      handlers: {
        'intake.case-accepted.v2': async (event) => {
          calls += 1;
          // Down for two full rounds of three attempts.
          if (event.id === 'e1' && calls <= 6) throw new UnavailableError('projection database down');
          done.push(event.id);
        },
      },
    });
    await bus.publish(topic, [record('BJ-1', 'e1'), record('BJ-1', 'e2')]);
    await waitFor(() => done.length === 2, 'both handled once the database is back');
    expect(done).toEqual(['e1', 'e2']);
    expect(calls).toBe(8);
    expect(deadLetters).toEqual([]);
  });

  it('a permanent refusal (a rule) is dead-lettered at once, without retries', async () => {
    let tries = 0;
    await startConsumer({
      handlers: {
        'intake.case-accepted.v2': async () => {
          tries += 1;
          throw new RuleViolation('R-REV-5', 'a third signature is not allowed');
        },
      },
    });
    await bus.publish(topic, [record('BJ-1', 'e1')]);
    await waitFor(() => deadLetters.length === 1, 'dead letter');
    expect(tries).toBe(1);
    expect(headerText(deadLetters[0]!.headers, deadLetterHeaders.attempts)).toBe('1');
  });

  it('a redelivered or duplicated event has no second effect', async () => {
    const registry = new Registry();
    const metrics = createMessagingMetrics(registry);
    const effects: string[] = [];
    await startConsumer({ metrics, handlers: { 'intake.case-accepted.v2': async (event) => void effects.push(event.id) } });
    // The relay republished after a crash: the same CloudEvents id twice.
    await bus.publish(topic, [record('BJ-1', 'e1'), record('BJ-1', 'e2'), record('BJ-1', 'e1')]);
    await waitFor(async () => (await metrics.consumed.get()).values.reduce((n, v) => n + v.value, 0) === 3, 'three consumed');
    expect(effects).toEqual(['e1', 'e2']);
    const outcomes = Object.fromEntries((await metrics.consumed.get()).values.map((v) => [v.labels.outcome, v.value]));
    expect(outcomes).toEqual({ processed: 2, duplicate: 1 });
  });

  it('crash after the effect committed but before the offset did: the redelivery has no second effect', async () => {
    const effects: string[] = [];
    let crashOnce = true;
    // The bus sees the handler fail after the consumer recorded the event: as if the process died before committing.
    const crashingBus: MessageBus = {
      ...bus,
      subscribe: (options) =>
        bus.subscribe({
          ...options,
          handler: async (message, context) => {
            await options.handler(message, context);
            if (crashOnce && options.groupId === 'review-intake-events') {
              crashOnce = false;
              throw new Error('killed before the offset commit');
            }
          },
        }),
    };
    await startConsumer({ bus: crashingBus, handlers: { 'intake.case-accepted.v2': async (event) => void effects.push(event.id) } });
    await bus.publish(topic, [record('BJ-1', 'e1'), record('BJ-1', 'e2')]);
    await waitFor(() => effects.length === 2, 'both effects');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(effects).toEqual(['e1', 'e2']);
  });

  it('when the dead-letter topic cannot be written, the message is kept (redelivered), not lost', async () => {
    let dlqDown = true;
    const flakyBus: MessageBus = {
      ...bus,
      publish: async (t, messages) => {
        if (t === dlq && dlqDown) throw new Error('broker unavailable');
        return bus.publish(t, messages);
      },
    };
    const handled: string[] = [];
    await startConsumer({ bus: flakyBus, handlers: { 'intake.case-accepted.v2': async (event) => void handled.push(event.id) } });
    await bus.publish(topic, [{ key: 'BJ-1', value: 'garbage', headers: {} }, record('BJ-1', 'e-after')]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    // Blocked behind the undeliverable dead letter: order is kept, nothing skipped.
    expect(handled).toEqual([]);
    dlqDown = false;
    await waitFor(() => deadLetters.length === 1 && handled.length === 1, 'dead letter once the broker is back');
  });

  it('acknowledges and ignores types it has no handler for', async () => {
    const registry = new Registry();
    const metrics = createMessagingMetrics(registry);
    const seen: string[] = [];
    await startConsumer({ metrics, handlers: { 'intake.case-not-accepted.v1': async (event) => void seen.push(event.id) } });
    await bus.publish(topic, [record('BJ-1', 'e1')]);
    await waitFor(async () => (await metrics.consumed.get()).values.some((v) => v.labels.outcome === 'ignored'), 'ignored');
    expect(seen).toEqual([]);
    expect(deadLetters).toEqual([]);
  });

  it('exposes consumer lag per group, topic and partition as a Prometheus gauge', async () => {
    const registry = new Registry();
    registerConsumerLagGauge(registry, bus, () => [{ groupId: 'not-started', topics: [topic] }]);
    await bus.publish(topic, [record('BJ-1', 'e1'), record('BJ-1', 'e2'), record('BJ-2', 'e3')]);
    const text = await registry.metrics();
    const lines = text.split('\n').filter((l) => l.startsWith('govsvc_consumer_lag{'));
    expect(lines).toHaveLength(2);
    const total = lines.reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
    expect(total).toBe(3);
    expect(lines[0]).toContain('group="not-started"');
    expect(lines[0]).toContain(`topic="${topic}"`);
  });
});
