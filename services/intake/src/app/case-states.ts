/**
 * Case state for reads, kept folded in memory (at most `capacity` cases,
 * those read least recently dropped first: `RecencyCache`) and brought up to date per read with
 * only the events after the cached revision: a read of a case that did not
 * change fetches no events and parses none, where it used to read, parse and
 * fold the whole stream. Reads of one case at once share one such read, which
 * starts after they asked (`FreshRead`), so a reader always sees every event
 * committed before its request, whichever intake instance appended it.
 */
import type { EventStore, StoredEvent } from '@govsvc/eventstore/port';
import { RecencyCache } from '@govsvc/service-kit/recency-cache';
import { FreshRead } from './fresh-read.ts';

export interface CaseSnapshot<State> {
  readonly state: State;
  /** Last revision of the case stream folded into `state`. */
  readonly revision: bigint;
}

export class CaseStates<State> {
  private readonly cache: RecencyCache<string, CaseSnapshot<State>>;
  private readonly fresh: FreshRead<string>;

  constructor(
    private readonly store: EventStore,
    private readonly streamOf: (caseId: string) => string,
    private readonly initial: () => State,
    private readonly evolve: (state: State, event: StoredEvent) => State,
    capacity = 5_000,
  ) {
    this.cache = new RecencyCache(capacity);
    this.fresh = new FreshRead(async (caseId) => {
      const cached = this.cache.get(caseId);
      const events = await store.readStream(streamOf(caseId), cached ? { fromRevision: cached.revision + 1n } : {});
      if (events.length === 0) return;
      // Another read may have moved it on meanwhile: fold only what it has not.
      let current = this.cache.get(caseId) ?? { state: initial(), revision: -1n };
      for (const event of events) if (event.revision > current.revision) current = { state: evolve(current.state, event), revision: event.revision };
      this.cache.set(caseId, current);
    });
  }

  /** The case as committed before the call, or null when it has no events. */
  async current(caseId: string): Promise<CaseSnapshot<State> | null> {
    await this.fresh.read(caseId);
    const snapshot = this.cache.get(caseId);
    if (snapshot) return snapshot;
    // No events, or dropped again by more than `capacity` other cases read at the same moment: read it whole.
    const events = await this.store.readStream(this.streamOf(caseId));
    if (events.length === 0) return null;
    const folded = { state: events.reduce(this.evolve, this.initial()), revision: events[events.length - 1]!.revision };
    this.cache.set(caseId, folded);
    return folded;
  }
}
