/**
 * RequireNewProof: a change of law requires a proof the catalog does not
 * hold. Measures Art. 7(2) allows that only "确因法律法规修订" (the legal
 * change is mandatory) and starts a 15-working-day filing period; its due
 * date is computed on the statutory calendar and carried on the event, so
 * supervision can warn and breach without recomputing it.
 */
import { computeDeadline } from '@govsvc/calendar/deadline';
import { RuleViolation } from '@govsvc/errors/errors';
import type { RequireNewProof } from './commands.ts';
import { PROOF_FILING_WORKING_DAYS, type NewProofRequired } from './events.ts';
import type { ProofState } from './state.ts';

export function decideRequireNewProof(command: RequireNewProof, state: ProofState): NewProofRequired[] {
  const { code, name, issuer, legalBasis, department, requiredBy, legalChange, requiredOn, requiredAt, calendar } = command.data;
  if (state.status === 'pending-filing' || state.status === 'retained') {
    throw new RuleViolation('R-CAT-7', `proof ${code} is already ${state.status === 'retained' ? 'in the catalog' : 'awaiting filing'}`, {
      code,
      status: state.status,
    });
  }
  if (requiredBy.length === 0) {
    throw new RuleViolation('R-CAT-7', 'name the guides that will demand the new proof: they are updated when it is filed', { path: '/requiredBy' });
  }
  const deadline = computeDeadline(calendar, { start: requiredOn, workingDays: PROOF_FILING_WORKING_DAYS });
  return [
    {
      type: 'NewProofRequired',
      data: {
        code,
        name,
        issuer,
        legalBasis: [...legalBasis],
        department,
        requiredBy: [...requiredBy],
        legalChange,
        requiredOn,
        requiredAt,
        filingDue: {
          workingDays: deadline.workingDays,
          due: deadline.due,
          dueAt: deadline.dueAt,
          provisional: deadline.provisional,
          calendarVersion: deadline.calendarVersion,
        },
      },
    },
  ];
}
