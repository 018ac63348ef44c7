/**
 * WithdrawGuide: the item leaves the catalog (measures Art. 5: no item runs
 * outside the catalog, R-CAT-1), typically because the law behind it was
 * repealed. Only the version in force can be withdrawn; the history stays.
 */
import { RuleViolation } from '@govsvc/errors/errors';
import type { WithdrawGuide } from './commands.ts';
import type { GuideWithdrawn } from './events.ts';
import type { GuideState } from './state.ts';

export function decideWithdrawGuide(command: WithdrawGuide, state: GuideState): GuideWithdrawn[] {
  const { reason, legalChange, withdrawnAt } = command.data;
  if (state.inForce === null || state.implementationCode === null) {
    throw new RuleViolation('R-CAT-1', 'no version of this guide is in force: there is nothing to withdraw');
  }
  if (reason.trim() === '') throw new RuleViolation('R-CAT-14', 'withdrawing a guide needs a reason', { path: '/reason' });
  return [
    {
      type: 'GuideWithdrawn',
      data: {
        implementationCode: state.implementationCode,
        version: state.inForce,
        withdrawnAt,
        reason,
        ...(legalChange !== undefined ? { legalChange } : {}),
      },
    },
  ];
}
