/**
 * The relay of intake's own streams to the bus (the events table is the
 * outbox: no dual writes). A catch-up subscription over the `application`
 * category maps each domain event to its contracts and publishes them keyed by
 * case id, so a case's contracts stay in order. The checkpoint moves only
 * after the publish is acknowledged: at least once, and CloudEvents ids derive
 * from the stored event id, so a re-publish carries the same id and consumers
 * dedupe it.
 */
import { encodeIntegrationEvent } from '@govsvc/contracts/envelope';
import { defaultPartitions, topicOf } from '@govsvc/contracts/topics';
import type { EventStore, StoredEvent, Subscription } from '@govsvc/eventstore/port';
import type { MessageBus, OutgoingMessage } from '@govsvc/messaging/bus';
import { deterministicId } from '@govsvc/runtime/ids';
import type { ApplicationEventOf } from '../domain/application/events.ts';
import { applicationCodec } from './application-service.ts';
import { toIntegrationEvents } from './contract-mapping.ts';

type Submitted = ApplicationEventOf<'ApplicationSubmitted'>['data'];

export interface IntakeRelay {
  readonly subscription: Subscription;
  stop(): Promise<void>;
}

export async function startIntakeRelay(deps: { store: EventStore; bus: MessageBus; subscriptionId?: string }): Promise<IntakeRelay> {
  const { store, bus } = deps;
  const topic = topicOf('intake');
  await bus.ensureTopics([{ topic, partitions: defaultPartitions }]);
  const submittedByCase = new Map<string, Submitted>();

  const submittedOf = async (caseId: string, stream: string): Promise<Submitted> => {
    const cached = submittedByCase.get(caseId);
    if (cached) return cached;
    const [first] = await store.readStream(stream, { maxCount: 1 });
    const event = first && applicationCodec.decode(first);
    if (!event || event.type !== 'ApplicationSubmitted') throw new Error(`${stream} does not start with ApplicationSubmitted`);
    submittedByCase.set(caseId, event.data);
    return event.data;
  };

  const toMessages = async (stored: StoredEvent): Promise<OutgoingMessage[]> => {
    const event = applicationCodec.decode(stored);
    const caseId = stored.metadata.caseId ?? stored.stream.slice('application-'.length);
    const submitted = event.type === 'ApplicationSubmitted' ? event.data : await submittedOf(caseId, stored.stream);
    if (event.type === 'ApplicationSubmitted') submittedByCase.set(caseId, event.data);
    return toIntegrationEvents(caseId, event, submitted).map((contract, index) => {
      const record = encodeIntegrationEvent(contract, {
        id: deterministicId('intake-relay', `${stored.id}|${index}`),
        time: stored.recordedAt,
        correlationId: stored.metadata.correlationId,
        causationId: stored.id,
      });
      return { key: record.key, value: record.value, headers: record.headers };
    });
  };

  const subscription = store.subscribeToAll(
    { subscriptionId: deps.subscriptionId ?? 'intake-relay', filter: { categories: ['application'] }, batchSize: 100 },
    async (events) => {
      const messages: OutgoingMessage[] = [];
      for (const stored of events) messages.push(...(await toMessages(stored)));
      if (messages.length > 0) await bus.publish(topic, messages);
    },
  );
  return {
    subscription,
    stop: () => subscription.stop(),
  };
}
