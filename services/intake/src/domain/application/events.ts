/**
 * Events of an application stream (`application-<caseId>`). Each is a fact in
 * the language of Art. 15; the published contracts (`@govsvc/contracts`) are
 * mapped from these in `src/app/contract-mapping.ts`, so these may evolve
 * with new schema versions while the contracts stay stable.
 */
import { z } from 'zod';
import { boundGuideSchema } from '../guide.ts';
import { deadlineSchema, deficiencySchema, reasonSchema, receivedMaterialSchema, sealedDocumentSchema } from '../document.ts';

const instant = z.iso.datetime({ offset: true });
const civilDate = z.iso.date();

export const staffSchema = z.object({
  staffId: z.string().min(1).max(100),
  /** 受理人姓名: documents name the acceptor (R-ACC-3). */
  name: z.string().min(1).max(100),
  /** Service centre the clerk acts for. */
  centre: z.string().min(1).max(100),
});
export type Staff = z.infer<typeof staffSchema>;

export const applicantSchema = z.object({
  kind: z.enum(['person', 'enterprise']),
  /** Resident ID (GB 11643) or USCC (GB 32100), validated with its check character at the boundary (R-ID-1). */
  id: z.string().length(18),
  name: z.string().min(1).max(200),
  /**
   * Opaque reference published instead of the identifier (PIPL), derived from
   * the identifier (`applicantRefOf`): the one identity (R-PLAT-3, R-ID-1) whose
   * token subject owns the case online, in intake and in review alike.
   */
  ref: z.uuid(),
});
export type Applicant = z.infer<typeof applicantSchema>;

export const centreRefSchema = z.object({
  centreId: z.string().min(1).max(100),
  /** 6-digit administrative region code (GB/T 2260), part of the case number. */
  region: z.string().regex(/^\d{6}$/),
  /** Set when this centre accepts on behalf of the implementing body (entrusted acceptance, R-ACC-3). */
  entrustedBody: z.string().min(1).max(200).nullable(),
});
export type CentreRef = z.infer<typeof centreRefSchema>;

export const suspensionSchema = z
  .object({
    from: civilDate,
    to: civilDate,
    reason: z.literal('supplement'),
  })
  .describe('Civil dates (both included) that do not count toward the time limit: the applicant was supplementing materials.');
export type SupplementSuspension = z.infer<typeof suspensionSchema>;

/**
 * How the applicant is told about the case and gets its result (R-NOTIFY-1,
 * R-DELIV-1), chosen on the application. The contact details are sealed by the
 * app before they reach the decider (AES-256-GCM, the case id as additional
 * data): intake's store never holds them in clear, and only delivery and
 * courier can open them.
 */
export const deliveryPreferencesSchema = z.object({
  notificationChannels: z.array(z.enum(['sms', 'email', 'phone'])).min(1).max(3),
  resultDelivery: z.discriminatedUnion('method', [
    z.object({ method: z.literal('window-pickup'), serviceCentre: z.string().min(1).max(100) }),
    z.object({ method: z.literal('kiosk-pickup'), serviceCentre: z.string().min(1).max(100) }),
    z.object({ method: z.literal('electronic') }),
    z.object({ method: z.literal('post') }),
  ]),
  sealedContact: z.object({ alg: z.literal('A256GCM'), keyId: z.string().min(1), iv: z.string().min(1), ciphertext: z.string().min(1), tag: z.string().min(1) }),
});
export type DeliveryPreferences = z.infer<typeof deliveryPreferencesSchema>;

/**
 * A cross-department case (R-COLLAB-1, "办好一件事"): the lead department owns
 * flow, material list and time limit; intake is the one window for all of
 * them. Null for an item one department handles alone.
 */
export const collaborationSchema = z
  .object({ leadDepartment: z.string().min(1).max(100), assistingDepartments: z.array(z.string().min(1).max(100)).min(1) })
  .refine((c) => !c.assistingDepartments.includes(c.leadDepartment), { message: 'the lead department does not assist itself' });
export type Collaboration = z.infer<typeof collaborationSchema>;

export const TOUCHPOINTS = {
  receipt: '接件',
  acceptance: '受理',
  'window-delivery': '窗口送达',
} as const;
export type Touchpoint = keyof typeof TOUCHPOINTS;
const touchpoint = z.enum(Object.keys(TOUCHPOINTS) as [Touchpoint, ...Touchpoint[]]);

export const applicationEventSchemas = {
  ApplicationSubmitted: z.object({
    caseId: z.uuid(),
    caseNumber: z.string().min(1),
    guide: boundGuideSchema,
    applicant: applicantSchema,
    channel: z.enum(['online', 'mobile', 'window']),
    centre: centreRefSchema,
    materials: z.array(receivedMaterialSchema),
    /** Materials the data-sharing port holds a record for: they are never demanded from the applicant (R-CAT-10). */
    sharedAvailable: z.array(z.string()),
    delivery: deliveryPreferencesSchema,
    collaboration: collaborationSchema.nullable(),
    submittedAt: instant,
    receivedOn: civilDate,
    /** Acceptance decision due (R-ACC-2: one working day). */
    acceptanceDue: deadlineSchema,
    /** Licensing Law Art. 32: no supplement notice by then means the application counts as accepted. */
    noticeDue: deadlineSchema,
  }),
  ContactRecorded: z.object({
    touchpoint,
    staff: staffSchema,
    at: instant,
    note: z.string().max(1000).nullable(),
  }),
  SupplementRequested: z.object({
    document: sealedDocumentSchema,
    items: z.array(deficiencySchema).min(1),
    deadline: deadlineSchema,
    requestedAt: instant,
    acceptor: staffSchema,
  }),
  SupplementReceived: z.object({
    noticeId: z.string(),
    noticeKind: z.enum(['supplement-notice', 'tolerated-deficiency-notice']),
    materials: z.array(receivedMaterialSchema).min(1),
    channel: z.enum(['online', 'mobile', 'window']),
    receivedAt: instant,
    receivedOn: civilDate,
    /** Every item of the notice is now in (not yet judged: the check reopens). */
    complete: z.boolean(),
    /** Set when a supplement notice is complete: the period the clock stood still. */
    suspension: suspensionSchema.nullable(),
    /** Set when the check reopens: the new acceptance decision due date. */
    acceptanceDue: deadlineSchema.nullable(),
  }),
  CaseAccepted: z.object({
    basis: z.enum(['decision', 'deemed']),
    document: sealedDocumentSchema,
    acceptedAt: instant,
    /** Day the acceptance counts from: the decision day, or the day received when deemed (Art. 32). */
    effectiveFrom: civilDate,
    acceptor: staffSchema.nullable(),
    toleratedDeficiencies: z.object({ items: z.array(deficiencySchema).min(1), deadline: deadlineSchema }).nullable(),
    decisionDue: deadlineSchema,
    statutoryDue: deadlineSchema,
  }),
  /**
   * R-COURIER-1 (Art. 19): paper materials the applicant sent by courier were checked in at the
   * centre (courier's `courier.materials-received.v1`). Only materials of the bound guide are
   * recorded; anything else in the parcel is named in `outsideGuide` and not taken onto the case.
   */
  InboundMaterialsReceived: z.object({
    waybillId: z.string().min(1).max(100),
    carrier: z.string().min(1).max(60),
    trackingNumber: z.string().min(1).max(60),
    materials: z
      .array(z.object({ materialId: z.string().min(1), name: z.string().min(1), copies: z.int().min(1).max(100), form: z.literal('paper') }))
      .min(1),
    outsideGuide: z.array(z.string().min(1)),
    discrepancy: z.string().min(1).max(1000).nullable(),
    receivedAt: instant,
    receivedBy: z.object({ staffId: z.string().min(1).max(100), department: z.string().min(1).max(100) }),
  }),
  ToleratedDeficienciesCured: z.object({ confirmedAt: instant, acceptor: staffSchema }),
  ToleratedDeficiencyLapsed: z.object({
    cause: z.enum(['not-supplemented', 'still-defective']),
    noticeId: z.string(),
    items: z.array(deficiencySchema).min(1),
    reasons: z.array(reasonSchema).min(1),
    deadline: deadlineSchema,
    lapsedAt: instant,
  }),
  CaseNotAccepted: z.object({
    document: sealedDocumentSchema,
    reasons: z.array(reasonSchema).min(1),
    decidedAt: instant,
    acceptor: staffSchema,
  }),
} as const;

type Schemas = typeof applicationEventSchemas;
export type ApplicationEventType = keyof Schemas;
export type ApplicationEvent = { [T in ApplicationEventType]: { readonly type: T; readonly data: z.infer<Schemas[T]> } }[ApplicationEventType];
export type ApplicationEventOf<T extends ApplicationEventType> = Extract<ApplicationEvent, { type: T }>;
