import type { ProofCatalogEntry, ProofStatus } from '../lint/context.ts';
import type { ProofEvent } from './events.ts';

export interface ProofState {
  readonly code: string | null;
  readonly name: string | null;
  readonly status: ProofStatus | null;
  readonly requiredOn?: string;
  readonly requiredBy?: readonly string[];
  readonly filingDue?: string;
  readonly filingReference?: string;
}

export const initialProofState = (): ProofState => ({ code: null, name: null, status: null });

export function evolveProof(state: ProofState, event: ProofEvent): ProofState {
  switch (event.type) {
    case 'RetainedProofCatalogued':
      return { code: event.data.code, name: event.data.name, status: 'retained' };
    case 'NewProofRequired':
      return {
        code: event.data.code,
        name: event.data.name,
        status: 'pending-filing',
        requiredOn: event.data.requiredOn,
        requiredBy: event.data.requiredBy,
        filingDue: event.data.filingDue.due,
      };
    case 'ProofFiled':
      return { ...state, status: 'retained', filingReference: event.data.filingReference };
    case 'ProofAbolished':
      return { ...state, status: 'abolished' };
  }
}

/** The catalog entry the guide lints read (R-CAT-7). */
export function catalogEntryOf(state: ProofState): ProofCatalogEntry | null {
  if (state.code === null || state.name === null || state.status === null) return null;
  return { code: state.code, name: state.name, status: state.status, ...(state.status === 'pending-filing' && state.filingDue ? { filingDue: state.filingDue } : {}) };
}
