/** AbolishProof: the proof leaves the catalog; guides demanding it no longer pass R-CAT-7. */
import { RuleViolation } from '@govsvc/errors/errors';
import type { AbolishProof } from './commands.ts';
import type { ProofAbolished } from './events.ts';
import type { ProofState } from './state.ts';

export function decideAbolishProof(command: AbolishProof, state: ProofState): ProofAbolished[] {
  const { reason, legalChange, abolishedAt } = command.data;
  if (state.code === null) throw new RuleViolation('R-CAT-7', 'no such proof in the catalog');
  if (state.status === 'abolished') return [];
  if (reason.trim() === '') throw new RuleViolation('R-CAT-7', 'abolishing a proof needs a reason', { path: '/reason' });
  return [{ type: 'ProofAbolished', data: { code: state.code, reason, ...(legalChange ? { legalChange } : {}), abolishedAt } }];
}
