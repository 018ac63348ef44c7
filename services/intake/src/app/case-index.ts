/**
 * Who can find which cases: an index stream per applicant (their one identity)
 * and per service centre (the clerks' worklist), each entry appended when a
 * case is submitted. Appended before the case itself, with an id derived from
 * the case id and its number: a retry is a no-op, and a crash in between
 * leaves an entry whose case does not exist, which listing skips. A retried
 * submission after such a crash takes a new number and so links again; listing
 * keeps one entry per case and shows the number the case stream holds. The
 * case stream stays the truth about the case; the index only says where to look.
 */
import { z } from 'zod';
import { zodEventCodec } from '@govsvc/eventstore/event-codec';
import { deterministicEventId } from '@govsvc/eventstore/event-ids';
import type { EventMetadataInput, EventStore } from '@govsvc/eventstore/port';

export const INDEX_CATEGORY = 'intakeindex';

const caseLinkedSchema = z.object({ caseId: z.uuid(), caseNumber: z.string().min(1), itemCode: z.string().min(1), itemName: z.string().min(1), submittedAt: z.iso.datetime({ offset: true }) });
type CaseLinked = { readonly type: 'CaseLinked'; readonly data: z.infer<typeof caseLinkedSchema> };
const codec = zodEventCodec<CaseLinked>({ CaseLinked: { schemaVersion: 1, schema: caseLinkedSchema } });

export type IndexKey = { readonly applicant: string } | { readonly centre: string };
const streamOf = (key: IndexKey): string => ('applicant' in key ? `${INDEX_CATEGORY}-applicant_${key.applicant}` : `${INDEX_CATEGORY}-centre_${key.centre}`);

export class CaseIndex {
  constructor(private readonly store: EventStore) {}

  async link(keys: readonly IndexKey[], entry: CaseLinked['data'], metadata: EventMetadataInput): Promise<void> {
    for (const key of keys) {
      const stream = streamOf(key);
      const id = deterministicEventId(`intake-index|${stream}|${entry.caseId}|${entry.caseNumber}`, 0);
      await this.store.appendToStream(stream, [{ id, ...codec.encode({ type: 'CaseLinked', data: entry }), metadata }], { expectedRevision: 'any' });
    }
  }

  /** The most recent entries first (at most `limit`). */
  async list(key: IndexKey, limit = 200): Promise<CaseLinked['data'][]> {
    const events = await this.store.readStream(streamOf(key), { direction: 'backwards', maxCount: limit });
    const seen = new Set<string>();
    return events.map((e) => codec.decode(e).data).filter((entry) => !seen.has(entry.caseId) && seen.add(entry.caseId));
  }
}
