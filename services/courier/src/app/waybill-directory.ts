/**
 * (carrier, tracking number) → waybill id, and case → waybill ids: a fold of the WaybillCreated events.
 *
 * Started, it follows the store with a catch-up subscription, and a lookup first waits until every
 * waybill committed before it is folded (one horizon read when nothing is new). It used to re-read
 * every WaybillCreated from position 0 on each case's waybill list and each unknown tracking number:
 * a filtered scan of the whole log per request, growing with every event any service stored.
 * Not started (a service used without its module), a lookup folds the whole log each time, which is
 * correct, only slow: paging `readAll` from a remembered position is no tail (a transaction that
 * commits late would be skipped for good).
 */
import { randomUUID } from 'node:crypto';
import type { EventStore, StoredEvent, Subscription } from '@govsvc/eventstore/port';
import { waybillCodec, WAYBILL_CATEGORY } from './codec.ts';

const FILTER = { categories: [WAYBILL_CATEGORY], eventTypes: ['WaybillCreated'] };

export class WaybillDirectory {
  private byTracking = new Map<string, string>();
  private byCase = new Map<string, string[]>();
  private subscription: Subscription | null = null;
  private rebuilding: Promise<void> | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly options: { readonly onError?: (error: unknown) => void } = {},
  ) {}

  /** Folds from the first event, then follows the store until `stop()`. An event it cannot fold ends it: `onError` says so, and lookups reject from then on. */
  start(): void {
    if (this.subscription) return;
    const byTracking = new Map<string, string>();
    const byCase = new Map<string, string[]>();
    this.byTracking = byTracking;
    this.byCase = byCase;
    const subscription = this.store.subscribeToAll(
      // Position 0 and no stored checkpoint: the directory lives in memory, so every start folds everything.
      { subscriptionId: `courier-waybill-directory-${randomUUID()}`, filter: FILTER, startAfter: 0n, batchSize: 500, storeCheckpoints: false },
      async (events) => fold(events, byTracking, byCase),
    );
    subscription.finished.catch((error: unknown) => this.options.onError?.(error));
    this.subscription = subscription;
  }

  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = null;
    await subscription?.stop();
  }

  /** The waybill of a carrier's tracking number, once every waybill committed before the call is known. */
  async findByTracking(carrier: string, trackingNumber: string): Promise<string | undefined> {
    const key = trackingKey(carrier, trackingNumber);
    // Known ids never change: a hit needs no catch-up.
    const known = this.byTracking.get(key);
    if (known !== undefined) return known;
    await this.caughtUp();
    return this.byTracking.get(key);
  }

  /** A case's waybill ids in creation order, once every waybill committed before the call is known. */
  async waybillsOf(caseId: string): Promise<readonly string[]> {
    await this.caughtUp();
    return this.byCase.get(caseId) ?? [];
  }

  /**
   * For readiness: rejects once the subscription died. Not started, there is nothing to follow, and a
   * probe must not cost the whole-log fold a lookup would.
   */
  following(): Promise<void> {
    return this.subscription ? this.subscription.caughtUp() : Promise.resolve();
  }

  private caughtUp(): Promise<void> {
    return this.subscription ? this.subscription.caughtUp() : this.rebuild();
  }

  /** Without a subscription: one fold of the whole log at a time; concurrent callers share it. */
  private rebuild(): Promise<void> {
    this.rebuilding ??= (async () => {
      const byTracking = new Map<string, string>();
      const byCase = new Map<string, string[]>();
      try {
        for (let after = 0n; ; ) {
          const batch = await this.store.readAll({ after, maxCount: 500, filter: FILTER });
          fold(batch, byTracking, byCase);
          if (batch.length < 500) break;
          after = batch[batch.length - 1]!.globalPosition;
        }
        this.byTracking = byTracking;
        this.byCase = byCase;
      } finally {
        this.rebuilding = null;
      }
    })();
    return this.rebuilding;
  }
}

const trackingKey = (carrier: string, trackingNumber: string) => `${carrier}\u0000${trackingNumber}`;

function fold(events: readonly StoredEvent[], byTracking: Map<string, string>, byCase: Map<string, string[]>): void {
  for (const stored of events) {
    const event = waybillCodec.decode(stored);
    if (event.type !== 'WaybillCreated') continue;
    const { carrier, trackingNumber, waybillId, caseId } = event.data;
    byTracking.set(trackingKey(carrier, trackingNumber), waybillId);
    // A redelivered batch (at-least-once) must not list a waybill twice.
    const ids = byCase.get(caseId) ?? [];
    if (!ids.includes(waybillId)) byCase.set(caseId, [...ids, waybillId]);
  }
}
