/** CatalogueRetainedProof: enters a proof the city already retains. */
import { RuleViolation } from '@govsvc/errors/errors';
import type { CatalogueRetainedProof } from './commands.ts';
import type { RetainedProofCatalogued } from './events.ts';
import type { ProofState } from './state.ts';

export function decideCatalogueRetainedProof(command: CatalogueRetainedProof, state: ProofState): RetainedProofCatalogued[] {
  const { code, name, issuer, legalBasis, cataloguedAt } = command.data;
  if (state.status === 'retained' && state.name === name) return []; // loading the same catalog twice
  if (state.status !== null && state.status !== 'abolished') {
    throw new RuleViolation('R-CAT-7', `proof ${code} is already in the catalog (${state.status})`, { code, status: state.status });
  }
  return [{ type: 'RetainedProofCatalogued', data: { code, name, issuer, legalBasis: [...legalBasis], cataloguedAt } }];
}
