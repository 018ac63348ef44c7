import { deadLetterHeaders } from '@govsvc/contracts/dead-letter';
import { encodeIntegrationEvent } from '@govsvc/contracts/envelope';
import { exampleEvent } from '@govsvc/contracts/examples';
import { describe, expect, it } from 'vitest';
import { headerText, type IncomingMessage } from './bus.ts';
import { createIntegrationEventConsumer } from './consumer.ts';
import { replayDeadLetters } from './dead-letter-replay.ts';
import { createInProcessBus } from './in-process-bus.ts';
import { createInMemoryProcessedMessages } from './processed-messages.ts';
import { waitFor } from './wait-for.ts';

const topic = 'govsvc.intake.events.v1';
const dlq = `${topic}.dlq`;
const silent = { warn: () => undefined, error: () => undefined };

describe('replaying dead letters after the cause is fixed', () => {
  it('republishes the chosen dead letters as they were; the fixed consumer handles them; a second run replays nothing', async () => {
    const bus = createInProcessBus({ redeliveryDelayMs: 5 });
    await bus.ensureTopics([{ topic, partitions: 2 }]);
    const valid = encodeIntegrationEvent(exampleEvent('intake.case-accepted.v2'), { id: 'e-1', time: '2025-03-12T02:00:00.000Z', correlationId: 'c' });
    let handlerFixed = false;
    const handled: string[] = [];
    const consumer = createIntegrationEventConsumer<undefined>({
      bus,
      groupId: 'review',
      topics: [topic],
      processed: createInMemoryProcessedMessages(),
      retry: { maxAttempts: 1 },
      log: silent,
      handlers: {
        'intake.case-accepted.v2': async (event) => {
          if (!handlerFixed) throw new Error('bug in the handler');
          handled.push(event.id);
        },
      },
    });
    await consumer.start();
    await bus.publish(topic, [
      { key: valid.key, value: valid.value, headers: valid.headers },
      { key: valid.key, value: 'not json', headers: { ce_id: 'broken' } },
    ]);
    const letters: IncomingMessage[] = [];
    await bus.subscribe({ groupId: 'dlq-watch', topics: [dlq], fromBeginning: true, handler: async (m) => void letters.push(m) });
    await waitFor(() => letters.length === 2, 'two dead letters');
    // Something else wrote a record without its origin into the dead-letter topic.
    await bus.publish(dlq, [{ key: null, value: 'stray' }]);
    await waitFor(() => letters.length === 3, 'the stray record');

    // The bug is fixed and deployed; replay only what the handler failed on.
    handlerFixed = true;
    const onlyHandlerFailures = (m: IncomingMessage) => headerText(m.headers, deadLetterHeaders.reason) === 'handler-failed';
    expect(await replayDeadLetters({ bus, deadLetterTopic: dlq, groupId: 'dlq-replay', filter: onlyHandlerFailures, timeoutMs: 2_000 })).toEqual({ replayed: 1, skipped: 2 });
    await waitFor(() => handled.length === 1, 'the replayed event handled');
    expect(handled).toEqual(['e-1']);
    expect(letters).toHaveLength(3);

    // What reached the topic again is the original record, without the dlq_* headers.
    const replayedRecords: IncomingMessage[] = [];
    await bus.subscribe({ groupId: 'topic-watch', topics: [topic], fromBeginning: true, handler: async (m) => void replayedRecords.push(m) });
    await waitFor(() => replayedRecords.length === 3, 'three records on the topic');
    const again = replayedRecords.filter((m) => headerText(m.headers, 'ce_id') === 'e-1')[1]!;
    expect(Object.keys(again.headers).sort()).toEqual(Object.keys(valid.headers).sort());
    expect(again.value?.toString()).toBe(valid.value);

    expect(await replayDeadLetters({ bus, deadLetterTopic: dlq, groupId: 'dlq-replay', timeoutMs: 2_000 })).toEqual({ replayed: 0, skipped: 0 });
    await consumer.stop();
    await bus.close();
  });
});
