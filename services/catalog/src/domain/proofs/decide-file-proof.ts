/**
 * FileProof: the new proof is filed and so joins the retained catalog. The
 * guides demanding it are updated "同步" (at the same time, Art. 7(2)), so a
 * filing names them, and must name every guide the requirement listed; a late filing is still accepted, and recorded as late
 * for supervision.
 */
import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import type { FileProof } from './commands.ts';
import type { ProofFiled } from './events.ts';
import type { ProofState } from './state.ts';

export function decideFileProof(command: FileProof, state: ProofState): ProofFiled[] {
  const { filedOn, filingReference, updatedGuides, filedAt } = command.data;
  if (state.code === null) throw new RuleViolation('R-CAT-7', 'no such proof has been required');
  if (state.status === 'retained' && state.filingReference === filingReference) return []; // a retry
  if (state.status !== 'pending-filing') {
    throw new RuleViolation('R-CAT-7', `proof ${state.code} is ${state.status}, not awaiting filing`, { code: state.code, status: state.status });
  }
  const missing = (state.requiredBy ?? []).filter((code) => !updatedGuides.includes(code));
  if (updatedGuides.length === 0 || missing.length > 0) {
    throw new RuleViolation('R-CAT-7', `a filing updates every guide that demands the proof at the same time; not updated: ${missing.join(', ') || '(none named)'}`, {
      path: '/updatedGuides',
      missing,
    });
  }
  if (state.requiredOn !== undefined && filedOn < state.requiredOn) {
    throw new ValidationError('a proof cannot be filed before it was required', [
      { path: '/filedOn', reason: `required on ${state.requiredOn}, filed on ${filedOn}` },
    ]);
  }
  return [
    {
      type: 'ProofFiled',
      data: {
        code: state.code,
        filedOn,
        filingReference,
        late: state.filingDue !== undefined && filedOn > state.filingDue,
        updatedGuides: [...updatedGuides],
        filedAt,
      },
    },
  ];
}
