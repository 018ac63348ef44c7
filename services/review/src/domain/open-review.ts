/** OpenReview: intake accepted the case; review tasks open for the lead and every assisting department. */
import { ValidationError, type FieldIssue } from '@govsvc/errors/errors';
import type { NoteSubmission, OpenReview } from './review-commands.ts';
import type { ReviewEvent } from './review-events.ts';
import type { ReviewState } from './review-state.ts';
import { notice, texts } from './notices.ts';

export function decideOpenReview(command: OpenReview, state: ReviewState): ReviewEvent[] {
  // A redelivered case-accepted message: the review is already open.
  if (state.status !== 'none' && state.status !== 'noted') return [];
  const d = command.data;
  const issues: FieldIssue[] = [];
  if (!d.item.licence.electronicAvailable && d.item.licence.paperAbolished) {
    issues.push({ path: '/item/licence', reason: 'paper is abolished and no electronic licence exists: the item can issue nothing', rule: 'R-REV-3' });
  }
  if (d.assistingDepartments.includes(d.leadDepartment)) {
    issues.push({ path: '/assistingDepartments', reason: 'the lead department cannot also assist', rule: 'R-COLLAB-1' });
  }
  if (new Set(d.assistingDepartments).size !== d.assistingDepartments.length) {
    issues.push({ path: '/assistingDepartments', reason: 'each assisting department once', rule: 'R-COLLAB-1' });
  }
  if (d.statutoryDue.date < d.decisionDue.date) {
    issues.push({ path: '/decisionDue', reason: 'the promised limit may not run past the statutory one', rule: 'R-REV-1' });
  }
  if (issues.length > 0) throw new ValidationError(`case ${d.caseId} cannot open for review`, issues);
  return [
    { type: 'ReviewOpened', data: d },
    notice(d, {
      stage: 'under-review',
      outcome: texts.underReview(d.item.itemName, d.decisionDue),
      nextStep: 'await-decision',
      due: d.decisionDue,
      document: { documentId: d.receiptId, kind: 'acceptance-receipt' },
      occurredAt: d.openedAt,
    }),
  ];
}

/** NoteSubmission: intake's application, kept until the acceptance opens the review; a redelivery is harmless. */
export function decideNoteSubmission(command: NoteSubmission, state: ReviewState): ReviewEvent[] {
  if (state.status !== 'none') return [];
  const c = command.data.collaboration;
  if (c && c.assistingDepartments.includes(c.leadDepartment)) {
    throw new ValidationError('the lead department cannot also assist', [{ path: '/collaboration/assistingDepartments', reason: 'contains the lead', rule: 'R-COLLAB-1' }]);
  }
  return [{ type: 'SubmissionNoted', data: command.data }];
}
