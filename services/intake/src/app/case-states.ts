/**
 * Case state for reads: the case's stream as the shared fold cache holds it
 * (`@govsvc/eventstore/stream-fold-cache`, ADR 0009), the same fold intake's
 * commands decide on, brought up to date per read with only the events after
 * the kept revision. Reads of one case at once share one such read, which
 * starts after they asked (`FreshRead`), so a reader always sees every event
 * committed before its request, whichever intake instance appended it.
 */
import type { DomainEvent } from '@govsvc/eventstore/event-codec';
import type { EventStore } from '@govsvc/eventstore/port';
import type { FoldedStream, StreamFoldCache } from '@govsvc/eventstore/stream-fold-cache';
import { FreshRead } from './fresh-read.ts';

export interface CaseSnapshot<State> {
  readonly state: State;
  /** Last revision of the case stream folded into `state`. */
  readonly revision: bigint;
}

export class CaseStates<State> {
  private readonly fresh: FreshRead<string, FoldedStream<State>>;

  constructor(store: EventStore, streamOf: (caseId: string) => string, folds: StreamFoldCache<State, DomainEvent>) {
    this.fresh = new FreshRead((caseId) => folds.load(store, streamOf(caseId)));
  }

  /** The case as committed before the call, or null when it has no events. */
  async current(caseId: string): Promise<CaseSnapshot<State> | null> {
    const { state, revision } = await this.fresh.read(caseId);
    return revision === null ? null : { state, revision };
  }
}
