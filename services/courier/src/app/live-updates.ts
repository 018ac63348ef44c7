/**
 * Live tracking (R-COURIER-1 "real-time query"): a catch-up subscription on
 * the waybill streams fans each new event out to the server-sent-event
 * listeners of that waybill. It starts at the store's head (live only: the
 * history is read from the stream when a listener connects), under a name of
 * its own per process so instances do not share a checkpoint.
 */
import type { EventStore, Subscription } from '@govsvc/eventstore/port';
import { WAYBILL_CATEGORY } from './codec.ts';

export type Listener = () => void;

export class LiveUpdates {
  private readonly listeners = new Map<string, Set<Listener>>();
  private subscription: Subscription | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly subscriptionId: string,
  ) {}

  async start(): Promise<void> {
    const head = await this.store.headPosition();
    const checkpoint = await this.store.checkpoints.read(this.subscriptionId);
    // Only what happens from now on: move a stale checkpoint of an earlier run of this process name to the head.
    if (checkpoint !== null && checkpoint < head) await this.store.checkpoints.store(this.subscriptionId, checkpoint, head);
    this.subscription = this.store.subscribeToAll({ subscriptionId: this.subscriptionId, startAfter: head, filter: { categories: [WAYBILL_CATEGORY] } }, async (events) => {
      for (const event of events) for (const listener of this.listeners.get(event.stream.slice(WAYBILL_CATEGORY.length + 1)) ?? []) listener();
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  listen(waybillId: string, listener: Listener): () => void {
    const set = this.listeners.get(waybillId) ?? new Set();
    set.add(listener);
    this.listeners.set(waybillId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(waybillId);
    };
  }
}
