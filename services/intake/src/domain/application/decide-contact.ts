/** RecordContact (R-ETHICS-1): staff meet applicants only at defined touchpoints, and each meeting is recorded. */
import { RuleViolation } from '@govsvc/errors/errors';
import type { RecordContact } from './commands.ts';
import { TOUCHPOINTS, type ApplicationEvent, type Touchpoint } from './events.ts';
import { requireSubmitted } from './rules.ts';
import type { ApplicationState } from './state.ts';

const isTouchpoint = (value: string): value is Touchpoint => Object.hasOwn(TOUCHPOINTS, value);

export function decideRecordContact(command: RecordContact, state: ApplicationState): ApplicationEvent[] {
  requireSubmitted(state);
  if (!isTouchpoint(command.touchpoint)) {
    throw new RuleViolation(
      'R-ETHICS-1',
      `"${command.touchpoint}" is not an intake touchpoint; staff contact applicants only at ${Object.entries(TOUCHPOINTS).map(([k, v]) => `${k} (${v})`).join(', ')}`,
    );
  }
  if (command.touchpoint === 'window-delivery' && state.documents.length === 0) {
    throw new RuleViolation('R-ETHICS-1', 'nothing has been issued that a window could deliver');
  }
  return [{ type: 'ContactRecorded', data: { touchpoint: command.touchpoint, staff: command.staff, at: command.at, note: command.note } }];
}
