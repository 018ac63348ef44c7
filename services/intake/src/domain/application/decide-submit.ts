/** SubmitApplication (R-ACC-1, R-CAT-2, R-CAT-10, R-CAT-14, R-ETHICS-1). */
import { RuleViolation } from '@govsvc/errors/errors';
import type { SubmitApplication } from './commands.ts';
import type { ApplicationEvent } from './events.ts';
import { assertReceivable } from './rules.ts';
import type { ApplicationState } from './state.ts';

export function decideSubmit(command: SubmitApplication, state: ApplicationState): ApplicationEvent[] {
  if (state.status !== 'none') throw new RuleViolation('R-ACC-1', `case ${command.caseId} was already submitted`);
  const form = command.guide.handlingForm;
  const atWindow = command.channel === 'window';
  // R-ACC-1: the applicant picks among the channels the guide offers (R-CAT-3 handling form).
  if ((form === 'window' && !atWindow) || (form === 'online' && atWindow)) {
    throw new RuleViolation('R-ACC-1', `${command.guide.itemName} is handled ${form === 'window' ? 'at a window only' : 'online only'} (guide ${command.guide.guideVersion})`);
  }
  if (atWindow && command.receivedBy === null) throw new RuleViolation('R-ETHICS-1', 'a window submission names the clerk who received it');
  const bound: ApplicationState = { ...state, guide: command.guide, centre: command.centre };
  assertReceivable(bound, command.materials, command.sharedAvailable, '/materials');

  const events: ApplicationEvent[] = [
    {
      type: 'ApplicationSubmitted',
      data: {
        caseId: command.caseId,
        caseNumber: command.caseNumber,
        guide: command.guide,
        applicant: command.applicant,
        channel: command.channel,
        centre: command.centre,
        materials: [...command.materials],
        sharedAvailable: [...command.sharedAvailable],
        delivery: command.delivery,
        collaboration: command.collaboration,
        submittedAt: command.submittedAt,
        receivedOn: command.receivedOn,
        acceptanceDue: command.acceptanceDue,
        noticeDue: command.noticeDue,
      },
    },
  ];
  // 接件 at a window is a staff–applicant contact: recorded with the submission itself (R-ETHICS-1).
  if (atWindow && command.receivedBy) {
    events.push({ type: 'ContactRecorded', data: { touchpoint: 'receipt', staff: command.receivedBy, at: command.submittedAt, note: null } });
  }
  return events;
}
