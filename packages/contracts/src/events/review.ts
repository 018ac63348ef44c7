/** Events the review service publishes (Art. 16, 20, 30; Licensing Law Art. 42, 44, 50). */
import { z } from 'zod';
import {
  CalendarDate,
  CaseId,
  DocumentRef,
  MaterialRef,
  OpaqueId,
  Reason,
  Seal,
  StaffRef,
  Timestamp,
  WorkingDayDeadline,
} from '../common.ts';
import { defineIntegrationEvent } from '../define.ts';

const Department = z.string().min(1).max(100);

const LicenceForm = z.enum(['electronic', 'paper']).describe('R-REV-3: the applicant may ask for both.');

/** A public office contact, never a person's private number. */
const OfficeContact = z
  .object({
    department: Department,
    phone: z.string().regex(/^[0-9+()\- ]{3,30}$/).describe('Office or hotline number (e.g. 12345).'),
    address: z.string().min(1).max(300).nullable().describe('Office address, where the applicant may ask in person.'),
  })
  .describe('Whom the applicant contacts about a refusal (R-REV-2).');

export const opinionRequestedV1 = defineIntegrationEvent({
  type: 'review.opinion-requested.v1',
  keyField: 'caseId',
  summary: 'The lead department asked an assisting department for its opinion, time-boxed, on the shared data set (R-COLLAB-1, R-COLLAB-2).',
  requirements: ['R-COLLAB-1', 'R-COLLAB-2'],
  schema: z.object({
    caseId: CaseId,
    requestId: OpaqueId,
    leadDepartment: Department,
    assistingDepartment: Department,
    question: z.string().min(1).max(2000),
    materials: z.array(MaterialRef).describe('Materials shared with the assisting department: one data set (R-COLLAB-2).'),
    due: WorkingDayDeadline,
    requestedAt: Timestamp,
    requestedBy: StaffRef,
  }),
});

const opinionGivenFields = {
  caseId: CaseId,
  requestId: OpaqueId,
  department: Department,
  givenAt: Timestamp,
  signedBy: StaffRef,
};

export const opinionGivenV1 = defineIntegrationEvent({
  type: 'review.opinion-given.v1',
  keyField: 'caseId',
  summary: 'An assisting department gave its opinion; conditions and objections always carry reasons (R-COLLAB-1).',
  requirements: ['R-COLLAB-1'],
  schema: z.discriminatedUnion('opinion', [
    z.object({ ...opinionGivenFields, opinion: z.literal('concur') }),
    z.object({ ...opinionGivenFields, opinion: z.literal('concur-with-conditions'), reasons: z.array(Reason).min(1) }),
    z.object({ ...opinionGivenFields, opinion: z.literal('object'), reasons: z.array(Reason).min(1) }),
  ]),
});

const Signature = z.object({
  role: z.enum(['handler', 'chief-representative']).describe('经办人 or 首席代表 (R-REV-5).'),
  signer: StaffRef,
  signedAt: Timestamp,
});

const decisionFields = {
  caseId: CaseId,
  decision: DocumentRef,
  signatures: z.array(Signature).min(1).max(2).describe('At most two signatures conclude an accepted case (R-REV-5).'),
  collectiveDecision: z
    .object({ minutesId: OpaqueId.describe('Minutes of the collective decision the law requires.') })
    .nullable()
    .describe('Set only for items that by law need a collective decision (R-REV-5 exception).'),
  seal: Seal,
  decidedAt: Timestamp,
  withinPromisedLimit: z.boolean().describe('Decided within the promised time limit (R-REV-1).'),
};

export const decisionMadeV1 = defineIntegrationEvent({
  type: 'review.decision-made.v1',
  keyField: 'caseId',
  summary: 'The case was decided: approved (with the licence forms asked for) or refused with reasons and a contact (R-REV-1, R-REV-2, R-REV-5).',
  requirements: ['R-REV-1', 'R-REV-2', 'R-REV-3', 'R-REV-5'],
  schema: z.discriminatedUnion('outcome', [
    z.object({
      ...decisionFields,
      outcome: z.literal('approve'),
      licenceForms: z.array(LicenceForm).min(1).max(2),
    }),
    z.object({
      ...decisionFields,
      outcome: z.literal('refuse'),
      reasons: z.array(Reason).min(1),
      contact: OfficeContact,
    }),
  ]),
});

const extensionFields = {
  caseId: CaseId,
  reason: Reason.describe('The reason, also told to the applicant (Licensing Law Art. 42).'),
  previousDue: WorkingDayDeadline,
  newDue: WorkingDayDeadline,
  approvedBy: StaffRef,
  applicantToldAt: Timestamp.describe('When the applicant was told of the extension and its reason.'),
  extendedAt: Timestamp,
};

export const timeLimitExtendedV1 = defineIntegrationEvent({
  type: 'review.time-limit-extended.v1',
  keyField: 'caseId',
  summary:
    'The decision time limit was extended with approval: up to 10 working days by the agency head, up to 15 for joint or centralized handling by the government head (Licensing Law Art. 42).',
  requirements: ['R-REV-1'],
  schema: z.discriminatedUnion('authority', [
    z.object({
      ...extensionFields,
      authority: z.literal('agency-head'),
      extensionWorkingDays: z.int().min(1).max(10),
    }),
    z.object({
      ...extensionFields,
      authority: z.literal('government-head').describe('Joint or centralized handling.'),
      extensionWorkingDays: z.int().min(1).max(15),
    }),
  ]),
});

export const licenceIssuedV1 = defineIntegrationEvent({
  type: 'review.licence-issued.v1',
  keyField: 'caseId',
  summary: 'The licence (or other result) was issued in the forms the applicant asked for (R-REV-3; Licensing Law Art. 44).',
  requirements: ['R-REV-3', 'R-PLAT-4'],
  schema: z.object({
    caseId: CaseId,
    licenceId: OpaqueId,
    resultName: z.string().min(1).max(200),
    forms: z.array(LicenceForm).min(1).max(2),
    electronicLicenceId: OpaqueId.nullable().describe('Id in the electronic licence library when an e-licence was issued (R-PLAT-4).'),
    validFrom: CalendarDate,
    validUntil: CalendarDate.nullable().describe('Null for results without expiry.'),
    issuedAt: Timestamp,
    withinIssueLimit: z.boolean().describe('Issued within 10 working days of approval (Licensing Law Art. 44).'),
  }),
});

export const renewalDeemedGrantedV1 = defineIntegrationEvent({
  type: 'review.renewal-deemed-granted.v1',
  keyField: 'caseId',
  summary: 'A renewal applied for in time was not decided before the licence expired: it is deemed granted, automatically (R-REV-4).',
  requirements: ['R-REV-4'],
  schema: z.object({
    caseId: CaseId.describe('The renewal case.'),
    licenceId: OpaqueId,
    renewalAppliedAt: Timestamp,
    previousExpiry: CalendarDate,
    renewedUntil: CalendarDate.nullable().describe('New expiry where the law fixes the renewal period; null otherwise.'),
    deemedAt: Timestamp,
  }),
});

export const reviewEvents = [
  opinionRequestedV1,
  opinionGivenV1,
  decisionMadeV1,
  timeLimitExtendedV1,
  licenceIssuedV1,
  renewalDeemedGrantedV1,
] as const;
