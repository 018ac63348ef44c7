/**
 * Shared by this package's relay and consumer specs (unit and integration):
 * a tiny "intake" domain with a mapping to contracts, and a collector that
 * reads a topic back through the real decoder.
 */
import { randomUUID } from 'node:crypto';
import { decodeIntegrationEvent, type DecodedIntegrationEvent } from '@govsvc/contracts/envelope';
import { examples } from '@govsvc/contracts/examples';
import type { IntegrationEvent } from '@govsvc/contracts/registry';
import type { EventStore, NewEvent, StoredEvent } from '@govsvc/eventstore/port';
import type { BusSubscription, MessageBus } from './bus.ts';
import type { IntegrationEventMapping } from './relay.ts';

/** Domain events of a fictitious intake: `CaseAccepted` is published, `ClerkNoteAdded` stays internal. */
export function caseAccepted(caseId: string, sequence: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'CaseAccepted',
    schemaVersion: 1,
    data: { caseId, sequence },
    metadata: { caseId, correlationId: `corr-${caseId}`, causationId: `cmd-${caseId}-${sequence}`, actor: { id: 'clerk-7', role: 'window-clerk' } },
  };
}

export function clerkNote(caseId: string): NewEvent {
  return { id: randomUUID(), type: 'ClerkNoteAdded', schemaVersion: 1, data: { caseId, note: '…' }, metadata: { caseId, correlationId: 'corr', actor: { id: 'clerk-7', role: 'window-clerk' } } };
}

type CaseAcceptedContract = Extract<IntegrationEvent, { type: 'intake.case-accepted.v2' }>;

/** `CaseAccepted` → `intake.case-accepted.v2` (sequence carried in the receipt id), notes → nothing. */
export function acceptedContract(event: StoredEvent): CaseAcceptedContract | null {
  if (event.type !== 'CaseAccepted') return null;
  const { caseId, sequence } = event.data as { caseId: string; sequence: number };
  const template = examples['intake.case-accepted.v2'];
  return {
    type: 'intake.case-accepted.v2',
    data: { ...template, caseId, receipt: { documentId: `receipt-${sequence}`, kind: 'acceptance-receipt' } },
  };
}

/** The service's mapping. */
export const intakeMapping: IntegrationEventMapping = acceptedContract;

export const sequenceOf = (event: DecodedIntegrationEvent): number => {
  const data = event.data as { receipt?: { documentId?: string } };
  return Number(data.receipt?.documentId?.replace('receipt-', ''));
};

/** Appends `perCase` CaseAccepted events to each case stream, interleaving the cases, with a note now and then. */
export async function appendInterleaved(store: EventStore, caseIds: readonly string[], perCase: number, startAt = 0): Promise<void> {
  for (let n = startAt; n < startAt + perCase; n++) {
    for (const caseId of caseIds) {
      const events = n % 3 === 0 ? [caseAccepted(caseId, n), clerkNote(caseId)] : [caseAccepted(caseId, n)];
      await store.appendToStream(`application-${caseId}`, events, { expectedRevision: 'any' });
    }
  }
}

/** Reads everything published to `topic` back through the decoder, from the beginning, in a group of its own. */
export async function collect(bus: MessageBus, topic: string, groupId: string): Promise<{ events: DecodedIntegrationEvent[]; subscription: BusSubscription }> {
  const events: DecodedIntegrationEvent[] = [];
  const subscription = await bus.subscribe({
    groupId,
    topics: [topic],
    fromBeginning: true,
    handler: async (message) => void events.push(decodeIntegrationEvent(message)),
  });
  return { events, subscription };
}

/** Per case, the sequence numbers in arrival order. */
export function sequencesByCase(events: readonly DecodedIntegrationEvent[]): Map<string, number[]> {
  const result = new Map<string, number[]>();
  for (const event of events) result.set(event.subject, [...(result.get(event.subject) ?? []), sequenceOf(event)]);
  return result;
}
