/**
 * Intake's side of the relay (`@govsvc/messaging/relay`): the mapping from
 * stored `application-…` events to published contracts. Later events of a
 * case refer to its first (the bound guide, the applicant), read once per
 * case and cached.
 */
import type { IntegrationEvent } from '@govsvc/contracts/registry';
import type { EventStore, StoredEvent } from '@govsvc/eventstore/port';
import type { IntegrationEventMapping } from '@govsvc/messaging/relay';
import type { ApplicationEventOf } from '../domain/application/events.ts';
import { applicationCodec } from './application-service.ts';
import { toIntegrationEvents } from './contract-mapping.ts';

type Submitted = ApplicationEventOf<'ApplicationSubmitted'>['data'];

/** The stream categories intake publishes from. */
export const PUBLISHED_CATEGORIES = ['application'] as const;

export function intakeContractMapping(store: EventStore, cacheSize = 10_000): IntegrationEventMapping {
  const submittedByCase = new Map<string, Submitted>();
  const remember = (caseId: string, data: Submitted) => {
    if (submittedByCase.size >= cacheSize) submittedByCase.delete(submittedByCase.keys().next().value!);
    submittedByCase.set(caseId, data);
  };
  const submittedOf = async (caseId: string, stream: string): Promise<Submitted> => {
    const cached = submittedByCase.get(caseId);
    if (cached) return cached;
    const [first] = await store.readStream(stream, { maxCount: 1 });
    const event = first && applicationCodec.decode(first);
    if (!event || event.type !== 'ApplicationSubmitted') throw new Error(`${stream} does not start with ApplicationSubmitted`);
    remember(caseId, event.data);
    return event.data;
  };
  return async (stored: StoredEvent): Promise<readonly IntegrationEvent[]> => {
    if (!stored.stream.startsWith('application-')) return [];
    const event = applicationCodec.decode(stored);
    const caseId = stored.metadata.caseId ?? stored.stream.slice('application-'.length);
    if (event.type === 'ApplicationSubmitted') remember(caseId, event.data);
    const submitted = event.type === 'ApplicationSubmitted' ? event.data : await submittedOf(caseId, stored.stream);
    return toIntegrationEvents(caseId, event, submitted);
  };
}
