/**
 * The applicant's licence forms (R-REV-3) and the staff–applicant contact log
 * (R-ETHICS-1, measures Art. 22).
 */
import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { requireCase } from './guards.ts';
import type { NoteDeficiencyLapse, RecordContact, RequestLicenceForms } from './review-commands.ts';
import type { ReviewEvent } from './review-events.ts';
import type { ReviewState } from './review-state.ts';
import { REVIEW_TOUCHPOINTS, type Touchpoint } from './values.ts';

export function decideRequestLicenceForms(command: RequestLicenceForms, state: ReviewState): ReviewEvent[] {
  const c = requireCase(state);
  const forms = [...new Set(command.data.forms)].sort();
  if (forms.length === 0) throw new ValidationError('ask for at least one form', [{ path: '/forms', reason: 'empty' }]);
  if (c.decision) throw new RuleViolation('R-REV-3', 'the case is decided: the licence forms were fixed by the decision');
  if (forms.includes('paper') && c.item.licence.paperAbolished) {
    throw new RuleViolation('R-REV-3', `${c.item.itemName}: paper licences are abolished; the electronic licence has full force (Art. 34)`);
  }
  if (forms.includes('electronic') && !c.item.licence.electronicAvailable) {
    throw new RuleViolation('R-REV-3', `${c.item.itemName}: no electronic licence is available yet; a paper licence is issued`);
  }
  if (c.requestedForms && c.requestedForms.join() === forms.join()) return [];
  return [{ type: 'LicenceFormsRequested', data: { forms, requestedAt: command.data.requestedAt } }];
}

const isTouchpoint = (value: string): value is Touchpoint => (REVIEW_TOUCHPOINTS as readonly string[]).includes(value);

export function decideRecordContact(command: RecordContact, state: ReviewState): ReviewEvent[] {
  const c = requireCase(state);
  const d = command.data;
  if (c.contacts.some((x) => x.contactId === d.contactId)) return [];
  if (!isTouchpoint(d.touchpoint)) {
    throw new RuleViolation(
      'R-ETHICS-1',
      `"${d.touchpoint}" is not a touchpoint where staff may meet the applicant; allowed in review: ${REVIEW_TOUCHPOINTS.join(', ')}`,
    );
  }
  if (d.summary.trim().length === 0) throw new ValidationError('a contact is recorded with what happened', [{ path: '/summary', reason: 'empty', rule: 'R-ETHICS-1' }]);
  return [{ type: 'ContactRecorded', data: { ...d, touchpoint: d.touchpoint } }];
}

/**
 * R-ACC-2: intake reports that tolerated deficiencies lapsed. Noted once; on a
 * case already decided it changes nothing (the decision stands and is reviewed
 * by the ordinary remedies, not silently reversed).
 */
export function decideNoteDeficiencyLapse(command: NoteDeficiencyLapse, state: ReviewState): ReviewEvent[] {
  const c = requireCase(state);
  if (c.lapse || c.status === 'decided') return [];
  return [{ type: 'ToleratedDeficiencyLapsed', data: command.data }];
}
