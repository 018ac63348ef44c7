/**
 * The retained-proofs catalog as the lints read it (R-CAT-7): every proof's
 * current state, folded from the `proof-*` streams. In memory, rebuilt from
 * the store at start; a redelivered event (subscriptions deliver at least
 * once) is recognised by its stream revision and skipped.
 */
import type { StoredEvent } from '@govsvc/eventstore/port';
import { categoryOf } from '@govsvc/eventstore/port';
import type { ProofCatalogEntry } from '../domain/lint/context.ts';
import { PROOF_STREAM_CATEGORY, type ProofEvent } from '../domain/proofs/events.ts';
import { catalogEntryOf, evolveProof, initialProofState, type ProofState } from '../domain/proofs/state.ts';
import { proofCodec } from './codecs.ts';

export interface ProofView extends ProofCatalogEntry {
  readonly issuer: string;
  readonly legalBasis: readonly { readonly instrument: string; readonly article?: string }[];
  readonly requiredOn?: string;
  readonly filingDueProvisional?: boolean;
  readonly filedOn?: string;
  readonly filedLate?: boolean;
  readonly requiredBy?: readonly string[];
}

interface Entry {
  readonly revision: bigint;
  readonly state: ProofState;
  readonly view: Omit<ProofView, keyof ProofCatalogEntry>;
}

export class RetainedProofsReadModel {
  readonly #entries = new Map<string, Entry>();

  apply(events: readonly StoredEvent[]): void {
    for (const stored of events) {
      if (categoryOf(stored.stream) !== PROOF_STREAM_CATEGORY) continue;
      const previous = this.#entries.get(stored.stream);
      if (previous && stored.revision <= previous.revision) continue;
      const event = proofCodec.decode(stored);
      this.#entries.set(stored.stream, {
        revision: stored.revision,
        state: evolveProof(previous?.state ?? initialProofState(), event),
        view: viewOf(previous?.view, event),
      });
    }
  }

  /** The catalog the lints consult: code → entry. */
  catalog(): ReadonlyMap<string, ProofCatalogEntry> {
    const out = new Map<string, ProofCatalogEntry>();
    for (const { state } of this.#entries.values()) {
      const entry = catalogEntryOf(state);
      if (entry) out.set(entry.code, entry);
    }
    return out;
  }

  list(): ProofView[] {
    return [...this.#entries.values()]
      .flatMap(({ state, view }) => {
        const entry = catalogEntryOf(state);
        return entry ? [{ ...entry, ...view }] : [];
      })
      .sort((a, b) => a.code.localeCompare(b.code));
  }
}

function viewOf(previous: Entry['view'] | undefined, event: ProofEvent): Entry['view'] {
  switch (event.type) {
    case 'RetainedProofCatalogued':
      return { issuer: event.data.issuer, legalBasis: event.data.legalBasis };
    case 'NewProofRequired':
      return {
        issuer: event.data.issuer,
        legalBasis: event.data.legalBasis,
        requiredOn: event.data.requiredOn,
        requiredBy: event.data.requiredBy,
        filingDueProvisional: event.data.filingDue.provisional,
      };
    case 'ProofFiled':
      return { ...(previous ?? { issuer: '', legalBasis: [] }), filedOn: event.data.filedOn, filedLate: event.data.late };
    case 'ProofAbolished':
      return previous ?? { issuer: '', legalBasis: [] };
  }
}
