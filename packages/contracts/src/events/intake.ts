/** Events the intake service publishes (Art. 14, 15, 21): submission and the four acceptance outcomes. */
import { z } from 'zod';
import {
  Applicant,
  CalendarDate,
  CaseId,
  Channel,
  DocumentRef,
  GuideVersion,
  ItemCode,
  MaterialRef,
  OpaqueId,
  Reason,
  Seal,
  StaffRef,
  Timestamp,
  WorkingDayDeadline,
} from '../common.ts';
import { defineIntegrationEvent } from '../define.ts';

const ReceivedMaterial = MaterialRef.extend({
  form: z.enum(['electronic', 'paper']),
  source: z.enum(['applicant', 'data-sharing']).describe('data-sharing: fetched from another department and confirmed by the applicant (R-CAT-10).'),
});

const Deficiency = MaterialRef.extend({
  problem: z.enum(['missing', 'defective']),
  detail: z.string().min(1).max(1000).describe('What exactly is missing or wrong, as written on the notice.'),
});

export const applicationSubmittedV1 = defineIntegrationEvent({
  type: 'intake.application-submitted.v1',
  keyField: 'caseId',
  summary: 'An applicant submitted an application for a catalog item; the acceptance decision is due within one working day (R-ACC-2).',
  requirements: ['R-ACC-1', 'R-ACC-2', 'R-CAT-1', 'R-CAT-14', 'R-ID-1', 'R-COLLAB-1'],
  schema: z.object({
    caseId: CaseId,
    itemCode: ItemCode,
    guideVersion: GuideVersion.describe('Guide version in force at submission; the case stays bound to it (R-CAT-14).'),
    applicant: Applicant,
    channel: Channel,
    serviceCentre: OpaqueId.nullable().describe('Service centre or station where it was submitted; null online (R-PLAT-1).'),
    materials: z.array(ReceivedMaterial).describe('Materials received with the application.'),
    submittedAt: Timestamp,
    acceptanceDue: WorkingDayDeadline.describe('The acceptance decision is due by the end of this working day (R-ACC-2).'),
    collaboration: z
      .object({
        leadDepartment: z.string().min(1).max(100),
        assistingDepartments: z.array(z.string().min(1).max(100)).min(1),
      })
      .nullable()
      .describe('Cross-department case: the lead department owns flow, materials and limit (R-COLLAB-1); null otherwise.'),
  }),
});

export const supplementRequestedV1 = defineIntegrationEvent({
  type: 'intake.supplement-requested.v1',
  keyField: 'caseId',
  summary:
    'A written supplement notice (补齐补正通知书) listed, at once, everything missing or wrong and the deadline; it never asks beyond the guide (R-ACC-2, R-CAT-2).',
  requirements: ['R-ACC-2', 'R-ACC-3', 'R-CAT-2'],
  schema: z.object({
    caseId: CaseId,
    notice: DocumentRef,
    items: z.array(Deficiency).min(1).describe('Everything to supplement, on one notice.'),
    deadline: WorkingDayDeadline.describe('Supplement deadline stated on the notice.'),
    requestedAt: Timestamp,
    acceptor: StaffRef,
    seal: Seal,
  }),
});

export const supplementReceivedV1 = defineIntegrationEvent({
  type: 'intake.supplement-received.v1',
  keyField: 'caseId',
  summary: 'Materials were received against a supplement notice or a tolerated-deficiency notice.',
  requirements: ['R-ACC-2'],
  schema: z.object({
    caseId: CaseId,
    notice: z.object({
      kind: z.enum(['supplement-notice', 'tolerated-deficiency-notice']),
      documentId: OpaqueId,
    }),
    materials: z.array(ReceivedMaterial).min(1),
    complete: z.boolean().describe('Every item on the notice has now been received (not yet judged lawful: acceptance decides).'),
    channel: Channel,
    receivedAt: Timestamp,
  }),
});

const ToleratedDeficiencies = z
  .object({
    items: z.array(Deficiency).min(1).describe('Materials accepted as deficient; each one the guide allows to be (R-ACC-2).'),
    deadline: WorkingDayDeadline.describe('By when they must be supplemented; missing it leads to a refusal decision with reasons.'),
    notice: DocumentRef.describe('The one-time notice telling the applicant what to supplement and by when.'),
  })
  .describe('Acceptance with tolerated deficiencies (容缺受理).');

const caseAcceptedV1Fields = {
  caseId: CaseId,
  itemCode: ItemCode,
  guideVersion: GuideVersion,
  receipt: DocumentRef.describe('The acceptance receipt (受理凭证).'),
  acceptedAt: Timestamp,
  toleratedDeficiencies: ToleratedDeficiencies.nullable().describe('Null when the materials were complete.'),
  decisionDue: WorkingDayDeadline.describe('Decision due within the promised time limit (R-REV-1).'),
  statutoryDue: WorkingDayDeadline.describe('Outer bound: the statutory time limit (Licensing Law Art. 42).'),
};

export const caseAcceptedV1 = defineIntegrationEvent({
  type: 'intake.case-accepted.v1',
  keyField: 'caseId',
  summary: 'The case was accepted, possibly with tolerated deficiencies and their deadline (R-ACC-2, R-ACC-3).',
  requirements: ['R-ACC-2', 'R-ACC-3', 'R-REV-1'],
  schema: z.object({
    ...caseAcceptedV1Fields,
    acceptedBy: StaffRef,
    seal: Seal,
  }),
});

/**
 * v2: v1 could only say that a clerk accepted. The Licensing Law (Art. 32)
 * also knows deemed acceptance: with no supplement notice within 5 days the
 * application counts as accepted from the day it was received. A deemed
 * acceptance has no acceptor and no seal, and its clock starts on a date
 * that is not the day it is recorded, so v2 adds `basis` and `effectiveFrom`.
 */
export const caseAcceptedV2 = defineIntegrationEvent({
  type: 'intake.case-accepted.v2',
  keyField: 'caseId',
  summary:
    'The case was accepted, by a clerk’s decision or deemed by law (Licensing Law Art. 32); possibly with tolerated deficiencies and their deadline (R-ACC-2, R-ACC-3).',
  requirements: ['R-ACC-2', 'R-ACC-3', 'R-REV-1'],
  schema: z.discriminatedUnion('basis', [
    z.object({
      ...caseAcceptedV1Fields,
      basis: z.literal('decision').describe('A clerk decided to accept.'),
      effectiveFrom: CalendarDate.describe('Day the acceptance takes effect: the day of the decision.'),
      acceptedBy: StaffRef,
      seal: Seal,
    }),
    z.object({
      ...caseAcceptedV1Fields,
      basis: z.literal('deemed').describe('No supplement notice within the statutory period: accepted by law (Licensing Law Art. 32).'),
      effectiveFrom: CalendarDate.describe('Day the application was received: the deemed acceptance counts from it.'),
    }),
  ]),
});

export const caseNotAcceptedV1 = defineIntegrationEvent({
  type: 'intake.case-not-accepted.v1',
  keyField: 'caseId',
  summary: 'A written, sealed decision not to accept (不予受理决定), with reasons (R-ACC-2, R-ACC-3).',
  requirements: ['R-ACC-2', 'R-ACC-3'],
  schema: z.object({
    caseId: CaseId,
    decision: DocumentRef,
    reasons: z.array(Reason).min(1),
    decidedAt: Timestamp,
    decidedBy: StaffRef,
    seal: Seal,
  }),
});

export const toleratedDeficiencyLapsedV1 = defineIntegrationEvent({
  type: 'intake.tolerated-deficiency-lapsed.v1',
  keyField: 'caseId',
  summary:
    'Tolerated deficiencies were not (or not properly) supplemented by their deadline: a refusal decision with reasons must follow (R-ACC-2).',
  requirements: ['R-ACC-2'],
  schema: z.object({
    caseId: CaseId,
    notice: OpaqueId.describe('Document id of the tolerated-deficiency notice.'),
    materials: z.array(MaterialRef).min(1),
    cause: z.enum(['not-supplemented', 'still-defective']),
    deadline: CalendarDate,
    lapsedAt: Timestamp,
    consequence: z.literal('refusal-decision-required'),
  }),
});

export const intakeEvents = [
  applicationSubmittedV1,
  supplementRequestedV1,
  supplementReceivedV1,
  caseAcceptedV1,
  caseAcceptedV2,
  caseNotAcceptedV1,
  toleratedDeficiencyLapsedV1,
] as const;
