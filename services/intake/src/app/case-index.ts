/**
 * Who can find which cases: an index stream per applicant (their one identity)
 * and per service centre (the clerks' worklist). A projection of the cases'
 * `ApplicationSubmitted` events, written by one catch-up subscription after
 * the case is stored, not by each submission: every online submission of a
 * centre would otherwise append to the same centre stream, and a hot stream
 * serializes its writers (issue 8). One writer appends each batch's entries
 * with one append per index stream.
 *
 * Nothing is lost: the subscription stores its checkpoint only after the
 * batch's entries are stored, so a crash re-indexes the batch, and entry ids
 * derive from the index stream and the case (a re-indexed entry is a no-op).
 * Listing waits until the index has caught up with everything committed
 * before the call, so a case is listed as soon as its submission has answered.
 * The case stream stays the truth about the case; the index only says where to look.
 */
import { z } from 'zod';
import { zodEventCodec } from '@govsvc/eventstore/event-codec';
import { EventIdConflictError } from '@govsvc/eventstore/errors';
import { deterministicEventId } from '@govsvc/eventstore/event-ids';
import type { EventFilter, EventStore, NewEvent, StoredEvent, Subscription } from '@govsvc/eventstore/port';

export const INDEX_CATEGORY = 'intakeindex';

const caseLinkedSchema = z.object({ caseId: z.uuid(), caseNumber: z.string().min(1), itemCode: z.string().min(1), itemName: z.string().min(1), submittedAt: z.iso.datetime({ offset: true }) });
type CaseLinked = { readonly type: 'CaseLinked'; readonly data: z.infer<typeof caseLinkedSchema> };
const codec = zodEventCodec<CaseLinked>({ CaseLinked: { schemaVersion: 1, schema: caseLinkedSchema } });

export type IndexKey = { readonly applicant: string } | { readonly centre: string };
const streamOf = (key: IndexKey): string => ('applicant' in key ? `${INDEX_CATEGORY}-applicant_${key.applicant}` : `${INDEX_CATEGORY}-centre_${key.centre}`);

/** The part of a stored ApplicationSubmitted the index needs (read without the full schema: it is the store's own, already valid). */
interface Submitted {
  readonly caseId: string;
  readonly caseNumber: string;
  readonly guide: { readonly itemCode: string; readonly itemName: string };
  readonly applicant: { readonly ref: string };
  readonly centre: { readonly centreId: string };
  readonly submittedAt: string;
}

const SUBMITTED: EventFilter = { categories: ['application'], eventTypes: ['ApplicationSubmitted'] };

export interface CaseIndexLogger {
  error(details: Record<string, unknown>, message: string): void;
}

export class CaseIndex {
  private subscription: Subscription | undefined;
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    /** Names the stored checkpoint (one per deployment of intake). */
    private readonly subscriptionId = 'intake-case-index',
  ) {}

  /** Tails the store and indexes every submitted case; a failed subscription is logged and resumed from its checkpoint. */
  start(log: CaseIndexLogger, retryMs = 1_000): void {
    this.stopped = false;
    const subscribe = (): void => {
      const subscription = this.store.subscribeToAll({ subscriptionId: this.subscriptionId, filter: SUBMITTED, batchSize: 500 }, (events) => this.index(events));
      this.subscription = subscription;
      subscription.finished.catch((error: unknown) => {
        if (this.stopped) return;
        log.error({ err: error, subscription: this.subscriptionId }, 'case index subscription failed; resuming from its checkpoint');
        setTimeout(() => !this.stopped && subscribe(), retryMs).unref();
      });
    };
    subscribe();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  /**
   * Resolves once every case committed before the call is indexed. Without a running
   * subscription (a module not started), indexes them now from the checkpoint, which
   * it leaves where it is.
   */
  async caughtUp(): Promise<void> {
    if (this.subscription) {
      try {
        return await this.subscription.caughtUp();
      } catch {
        // Between a failed subscription and its resumption: index directly, as below.
      }
    }
    let after = (await this.store.checkpoints.read(this.subscriptionId)) ?? 0n;
    for (;;) {
      const page = await this.store.readAll({ after, maxCount: 500, filter: SUBMITTED });
      if (page.length > 0) await this.index(page);
      if (page.length < 500) return;
      after = page[page.length - 1]!.globalPosition;
    }
  }

  /** One append per index stream for a batch of stored ApplicationSubmitted events. */
  async index(events: readonly StoredEvent[]): Promise<void> {
    const byStream = new Map<string, NewEvent[]>();
    for (const event of events) {
      if (event.type !== 'ApplicationSubmitted') continue;
      const d = event.data as Submitted;
      const entry: CaseLinked['data'] = { caseId: d.caseId, caseNumber: d.caseNumber, itemCode: d.guide.itemCode, itemName: d.guide.itemName, submittedAt: d.submittedAt };
      const { prevHash: _prev, hash: _hash, ...metadata } = event.metadata;
      for (const key of [{ applicant: d.applicant.ref }, { centre: d.centre.centreId }]) {
        const stream = streamOf(key);
        const id = deterministicEventId(`intake-index|${stream}|${entry.caseId}|${entry.caseNumber}`, 0);
        const list = byStream.get(stream) ?? [];
        list.push({ id, ...codec.encode({ type: 'CaseLinked', data: entry }), metadata: { ...metadata, causationId: event.id } });
        byStream.set(stream, list);
      }
    }
    await Promise.all(
      [...byStream].map(async ([stream, entries]) => {
        try {
          await this.store.appendToStream(stream, entries, { expectedRevision: 'any' });
        } catch (error) {
          // A redelivered batch that overlaps one indexed before (partly stored): entry by entry, each a no-op or new.
          if (!(error instanceof EventIdConflictError)) throw error;
          for (const entry of entries) await this.store.appendToStream(stream, [entry], { expectedRevision: 'any' });
        }
      }),
    );
  }

  /** The most recent entries first (at most `limit`), once everything committed is indexed. */
  async list(key: IndexKey, limit = 200): Promise<CaseLinked['data'][]> {
    await this.caughtUp();
    const events = await this.store.readStream(streamOf(key), { direction: 'backwards', maxCount: limit });
    const seen = new Set<string>();
    return events.map((e) => codec.decode(e).data).filter((entry) => !seen.has(entry.caseId) && seen.add(entry.caseId));
  }
}
