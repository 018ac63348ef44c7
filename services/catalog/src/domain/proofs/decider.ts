/** The retained-proof decider (R-CAT-7). */
import type { Decider } from '@govsvc/eventstore/decider';
import type { ProofCommand } from './commands.ts';
import { decideAbolishProof } from './decide-abolish-proof.ts';
import { decideCatalogueRetainedProof } from './decide-catalogue-retained-proof.ts';
import { decideFileProof } from './decide-file-proof.ts';
import { decideRequireNewProof } from './decide-require-new-proof.ts';
import type { ProofEvent } from './events.ts';
import { evolveProof, initialProofState, type ProofState } from './state.ts';

export const proofDecider: Decider<ProofState, ProofCommand, ProofEvent> = {
  decide(command, state) {
    switch (command.type) {
      case 'CatalogueRetainedProof':
        return decideCatalogueRetainedProof(command, state);
      case 'RequireNewProof':
        return decideRequireNewProof(command, state);
      case 'FileProof':
        return decideFileProof(command, state);
      case 'AbolishProof':
        return decideAbolishProof(command, state);
    }
  },
  evolve: evolveProof,
  initialState: initialProofState,
};
