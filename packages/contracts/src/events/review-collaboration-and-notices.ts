/**
 * Review's conversation with the outside, beyond its decisions:
 * - `department.opinion-submitted.v1`: an assisting department's back-end
 *   answers an opinion request over Kafka (R-COLLAB-1). It is inbound: the
 *   department is the producer (topic `govsvc.department.events.v1`, any
 *   `ce_source` naming the back-end); review checks it against its request and
 *   records the opinion, which it then publishes as `review.opinion-given.v1`.
 *   The same answer can be given over HTTP with the `integration` role
 *   (`POST /review/cases/{caseId}/opinions/{requestId}`).
 * - `review.renewal-decided.v1`: a renewal decided in time (R-REV-4), so the
 *   supervision deadline that would otherwise deem it granted closes.
 * - `review.applicant-notice-due.v1`: what the applicant must be told now
 *   (R-NOTIFY-1, measures Art. 17): case, item, stage, outcome and next step,
 *   with no personal data (the case number and the sealed contact are intake's); the delivery service sends it by SMS, phone or
 *   e-mail to the contact intake sealed for it.
 */
import { z } from 'zod';
import { Applicant, CalendarDate, CaseId, DocumentRef, ItemCode, OpaqueId, Reason, StaffRef, Timestamp, WorkingDayDeadline } from '../common.ts';
import { defineIntegrationEvent } from '../define.ts';

const opinionFields = {
  caseId: CaseId,
  requestId: OpaqueId.describe('The request being answered (review.opinion-requested.v1 requestId).'),
  department: z.string().min(1).max(100).describe('The assisting department answering; must be the one asked.'),
  signedBy: StaffRef.describe('Who signed the opinion in the department; department must equal `department`.'),
  submittedAt: Timestamp,
};

export const opinionSubmittedV1 = defineIntegrationEvent({
  type: 'department.opinion-submitted.v1',
  keyField: 'caseId',
  summary:
    'An assisting department’s back-end answers an opinion request (R-COLLAB-1). Review records it once (a redelivery is no news) and publishes review.opinion-given.v1; an answer to an unknown request, from another department or changing an earlier answer is dead-lettered with the reason.',
  requirements: ['R-COLLAB-1'],
  schema: z.discriminatedUnion('opinion', [
    z.object({ ...opinionFields, opinion: z.literal('concur') }),
    z.object({ ...opinionFields, opinion: z.literal('concur-with-conditions'), reasons: z.array(Reason).min(1) }),
    z.object({ ...opinionFields, opinion: z.literal('object'), reasons: z.array(Reason).min(1) }),
  ]),
});

export const applicantNoticeDueV1 = defineIntegrationEvent({
  type: 'review.applicant-notice-due.v1',
  keyField: 'caseId',
  summary:
    'The applicant is to be told of review progress or its result now, by SMS, phone or e-mail (R-NOTIFY-1, measures Art. 17): case number, item name, stage, outcome and next step. No personal data: delivery resolves the contact through intake.',
  requirements: ['R-NOTIFY-1', 'R-REV-1', 'R-REV-2'],
  schema: z.object({
    caseId: CaseId.describe('The case; the readable case number quoted to the applicant is intake’s (intake.delivery-preferences-recorded.v1 caseNumber), joined on this id.'),
    itemCode: ItemCode,
    itemName: z.string().min(1).max(200),
    applicant: Applicant,
    stage: z
      .enum(['under-review', 'time-limit-extended', 'time-excluded', 'time-exclusion-ended', 'approved', 'refused'])
      .describe('What happened: review started, the limit was extended (Art. 42) or stopped/restarted for excluded time (Art. 45), or the decision.'),
    outcome: z.string().min(1).max(2000).describe('The notice text: the result or progress, with the reasons for a refusal or extension.'),
    nextStep: z
      .enum(['await-decision', 'await-excluded-step', 'receive-licence', 'may-seek-review'])
      .describe('What comes next for the applicant: wait, attend the hearing/testing, receive the licence, or administrative reconsideration or litigation against a refusal.'),
    due: WorkingDayDeadline.nullable().describe('The decision deadline in force, while the case is undecided.'),
    document: DocumentRef.nullable().describe('The formal document behind the notice (decision, extension or excluded-time notice).'),
    occurredAt: Timestamp,
  }),
});

const renewalDecidedFields = {
  caseId: CaseId.describe('The renewal case (review.renewal-applied.v1 caseId).'),
  licenceId: OpaqueId,
  decidedAt: Timestamp,
  decidedBy: StaffRef,
};

export const renewalDecidedV1 = defineIntegrationEvent({
  type: 'review.renewal-decided.v1',
  keyField: 'caseId',
  summary:
    'A renewal was decided before the licence expired (R-REV-4, Licensing Law Art. 50): granted with the new expiry, or refused with reasons. The renewal deadline closes; no deemed grant follows.',
  requirements: ['R-REV-4', 'R-REV-2'],
  schema: z.discriminatedUnion('outcome', [
    z.object({ ...renewalDecidedFields, outcome: z.literal('grant'), renewedUntil: CalendarDate.describe('Last day the renewed licence is valid.') }),
    z.object({ ...renewalDecidedFields, outcome: z.literal('refuse'), reasons: z.array(Reason).min(1) }),
  ]),
});

export const reviewCollaborationAndNoticeEvents = [opinionSubmittedV1, applicantNoticeDueV1, renewalDecidedV1] as const;
