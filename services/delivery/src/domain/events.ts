/**
 * Events of a case's delivery stream (`delivery-<caseId>`): what the
 * applicant was told and how the result reached them (Art. 17, 18). The
 * published contracts are mapped from these in `src/app/contract-mapping.ts`.
 *
 * Personal contact data is kept only sealed (as intake sealed it); it is
 * opened at the moment of sending, never stored in clear here.
 */
import { z } from 'zod';
import { SealedContact } from '@govsvc/contracts/sealed-contact';

const instant = z.iso.datetime({ offset: true });
const civilDate = z.iso.date();
const id = z.string().min(1).max(200);

export const CHANNELS = ['sms', 'email', 'phone'] as const;
export type Channel = (typeof CHANNELS)[number];
export const channelSchema = z.enum(CHANNELS);

export const METHODS = ['window-pickup', 'kiosk-pickup', 'electronic', 'post'] as const;
export type DeliveryMethod = (typeof METHODS)[number];

export const deliveryChoiceSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('window-pickup'), serviceCentre: id }),
  z.object({ method: z.literal('kiosk-pickup'), serviceCentre: id }),
  z.object({ method: z.literal('electronic') }),
  z.object({ method: z.literal('post') }),
]);
export type DeliveryChoice = z.infer<typeof deliveryChoiceSchema>;

export const deadlineSchema = z.object({ date: civilDate, provisional: z.boolean() });
export type WorkingDayDeadline = z.infer<typeof deadlineSchema>;

export const applicantSchema = z.object({ kind: z.enum(['person', 'enterprise']), maskedId: z.string().length(18), ref: z.uuid() });

/** The stages a notice is about (the contract's `stage`). */
export const STAGES = ['accepted', 'supplement-requested', 'not-accepted', 'review-progress', 'time-limit-extended', 'decided', 'licence-issued', 'result-delivered'] as const;
export type Stage = (typeof STAGES)[number];

/** What a notice says, by stage: everything the template needs, nothing personal. */
export const noticeFactsSchema = z.discriminatedUnion('stage', [
  z.object({
    stage: z.literal('accepted'),
    decisionDue: civilDate,
    tolerated: z.object({ materials: z.array(z.string()).min(1), deadline: civilDate }).nullable(),
  }),
  z.object({ stage: z.literal('supplement-requested'), items: z.array(z.object({ name: z.string(), detail: z.string() })).min(1), deadline: civilDate }),
  z.object({ stage: z.literal('not-accepted'), reasons: z.array(z.string()).min(1) }),
  /** Review's own progress notices (review.applicant-notice-due.v1): its text, and what comes next. */
  z.object({
    stage: z.literal('review-progress'),
    kind: z.enum(['under-review', 'time-excluded', 'time-exclusion-ended']),
    text: z.string().min(1).max(2000),
    nextStep: z.enum(['await-decision', 'await-excluded-step', 'receive-licence', 'may-seek-review']),
    due: civilDate.nullable(),
  }),
  z.object({ stage: z.literal('time-limit-extended'), reason: z.string().min(1), previousDue: civilDate, newDue: civilDate }),
  z.object({
    stage: z.literal('decided'),
    outcome: z.enum(['approve', 'refuse']),
    /** A refusal's reasons and the office to call (R-REV-2); empty and null for an approval. */
    reasons: z.array(z.string()),
    contactPhone: z.string().nullable(),
  }),
  z.object({
    stage: z.literal('licence-issued'),
    resultName: z.string(),
    validUntil: civilDate.nullable(),
    method: z.enum(METHODS),
    serviceCentre: id.nullable(),
    pickupCode: z.string().nullable(),
    deliverBy: civilDate.nullable(),
  }),
  z.object({ stage: z.literal('result-delivered'), method: z.enum(METHODS), deliveredAt: instant }),
]);
export type NoticeFacts = z.infer<typeof noticeFactsSchema>;

export const signedDocumentSchema = z.object({
  documentId: id,
  /** The document as delivered: canonical JSON of the result notice (电子送达文书). */
  content: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Ed25519 signature over the content bytes, base64. */
  signature: z.string().min(1),
  keyId: id,
});
export type SignedDocument = z.infer<typeof signedDocumentSchema>;

const recipientSchema = z.object({
  kind: z.enum(['applicant', 'agent']),
  /** Masked: never a full ID number in the store (PIPL). */
  maskedId: z.string().length(18),
  authorization: id.nullable().describe('Power of attorney document id when an agent collects.'),
});

export const deliveryEventSchemas = {
  PreferencesRecorded: z.object({
    caseNumber: z.string().min(1),
    itemCode: z.string().min(1),
    itemName: z.string().min(1),
    applicant: applicantSchema,
    channels: z.array(channelSchema).min(1),
    choice: deliveryChoiceSchema,
    contact: SealedContact,
    recordedAt: instant,
  }),
  /** Where the application was handed in (null online): that centre's clerks may act on the case. */
  SubmissionRecorded: z.object({ serviceCentre: id.nullable(), submittedAt: instant }),
  DeliveryMethodChanged: z.object({
    from: deliveryChoiceSchema,
    to: deliveryChoiceSchema,
    changedBy: z.object({ id, role: z.string() }),
    changedAt: instant,
  }),
  NoticeRequested: z.object({ noticeId: z.uuid(), noticeKey: z.string().min(1), facts: noticeFactsSchema, requestedAt: instant }),
  NotificationSent: z.object({ noticeId: z.uuid(), stage: z.enum(STAGES), channel: channelSchema, attempt: z.int().min(1), providerMessageId: z.string().min(1), sentAt: instant }),
  NotificationAttemptFailed: z.object({
    noticeId: z.uuid(),
    channel: channelSchema,
    attempt: z.int().min(1),
    error: z.string().max(500),
    failedAt: instant,
    retryAt: instant,
  }),
  NotificationFailed: z.object({ noticeId: z.uuid(), channel: channelSchema, attempts: z.int().min(0), error: z.string().max(500), failedAt: instant }),
  NotificationRequeued: z.object({ noticeId: z.uuid(), channel: channelSchema, by: id, requeuedAt: instant }),
  DecisionRecorded: z.object({ outcome: z.enum(['approve', 'refuse']), decisionId: id, decidedAt: instant, deliverBy: deadlineSchema }),
  ResultDeliveryScheduled: z.object({ deliveryId: id, method: z.enum(METHODS), decidedAt: instant, deliverBy: deadlineSchema, scheduledAt: instant }),
  LicenceRecorded: z.object({
    licenceId: id,
    resultName: z.string().min(1),
    forms: z.array(z.enum(['electronic', 'paper'])).min(1),
    electronicLicenceId: id.nullable(),
    validUntil: civilDate.nullable(),
    issuedAt: instant,
    document: signedDocumentSchema,
  }),
  PickupCodeIssued: z.object({ method: z.enum(['window-pickup', 'kiosk-pickup']), serviceCentre: id, code: z.string().regex(/^\d{8}$/), issuedAt: instant }),
  ResultDownloaded: z.object({ downloadId: id, by: id, downloadedAt: instant }),
  PostalDeliveryRequested: z.object({
    deliveryId: id,
    caseNumber: z.string().min(1),
    applicant: applicantSchema,
    contents: z.array(z.object({ kind: z.enum(['licence', 'decision', 'other']), reference: id, title: z.string().min(1) })).min(1),
    recipient: SealedContact,
    deliverBy: deadlineSchema,
    requestedAt: instant,
  }),
  ShipmentProgressed: z.object({ waybillId: id, status: z.string().min(1), occurredAt: instant }),
  ResultDelivered: z.discriminatedUnion('method', [
    z.object({ method: z.literal('window-pickup'), serviceCentre: id, recipient: recipientSchema, handedOverBy: id, licenceId: id, deliveredAt: instant }),
    z.object({ method: z.literal('kiosk-pickup'), kioskId: id, recipient: recipientSchema, licenceId: id, deliveredAt: instant }),
    z.object({ method: z.literal('electronic'), electronicLicenceId: id, downloadId: id, licenceId: id, deliveredAt: instant }),
    z.object({ method: z.literal('post'), waybillId: id, licenceId: id, deliveredAt: instant }),
  ]),
} as const;

type Schemas = typeof deliveryEventSchemas;
export type DeliveryEvent = { [K in keyof Schemas]: { readonly type: K; readonly data: z.infer<Schemas[K]> } }[keyof Schemas];
export type DeliveryEventOf<K extends DeliveryEvent['type']> = Extract<DeliveryEvent, { type: K }>;
export type Recipient = z.infer<typeof recipientSchema>;
