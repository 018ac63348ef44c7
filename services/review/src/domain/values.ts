/**
 * Value types of the review domain, as zod schemas: events are parsed with
 * them when read back from the store (parse at every boundary), and commands
 * arriving over HTTP or Kafka are built from them.
 */
import { z } from 'zod';

export const CalendarDate = z.iso.date();
export const Instant = z.iso.datetime({ offset: true });
export const Id = z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/);
export const Department = z.string().min(1).max(100);

export const StaffRef = z.object({ staffId: Id, department: Department });
export type StaffRef = z.infer<typeof StaffRef>;

export const Reason = z.object({
  code: z.string().min(1).max(60).optional(),
  text: z.string().trim().min(1).max(2000),
  legalBasis: z.string().min(1).max(500).optional(),
});
export type Reason = z.infer<typeof Reason>;

/** A deadline on the statutory working-day calendar; provisional when it runs into an unpublished year. */
export const Deadline = z.object({ date: CalendarDate, provisional: z.boolean() });
export type Deadline = z.infer<typeof Deadline>;

/** A public office contact for a refusal (R-REV-2): never a person's private number. */
export const OfficeContact = z.object({
  department: Department,
  phone: z.string().regex(/^[0-9+()\- ]{3,30}$/),
  address: z.string().min(1).max(300).nullable(),
});
export type OfficeContact = z.infer<typeof OfficeContact>;

export const LicenceForm = z.enum(['electronic', 'paper']);
export type LicenceForm = z.infer<typeof LicenceForm>;

export const Applicant = z.object({
  kind: z.enum(['person', 'enterprise']),
  /** Masked resident ID / USCC: the full number never enters review (PIPL). */
  maskedId: z.string().min(1).max(18),
  /** Opaque reference; an applicant's token subject equals it. */
  ref: z.string().min(1).max(100),
});
export type Applicant = z.infer<typeof Applicant>;

export const MaterialRef = z.object({ materialId: Id, name: z.string().min(1).max(200) });
export type MaterialRef = z.infer<typeof MaterialRef>;

/**
 * What review must know about the item, fixed when the review opens (R-CAT-14:
 * the case stays bound to the guide version it was submitted under).
 */
export const RenewalLeadUnit = z.enum(['calendar-days', 'working-days']);
export type RenewalLeadUnit = z.infer<typeof RenewalLeadUnit>;

export const ItemFacts = z.object({
  itemCode: Id,
  itemName: z.string().min(1).max(200),
  guideVersion: z.string().min(1).max(40),
  resultName: z.string().min(1).max(200),
  /** Items that by law need a collective decision (R-REV-5 exception, Art. 30). */
  collectiveDecision: z.object({ required: z.boolean(), legalBasis: z.string().min(1).max(500).nullable() }),
  licence: z.object({
    /** The item already issues electronic licences (R-REV-3: otherwise paper only, for now). */
    electronicAvailable: z.boolean(),
    /** Paper licences abolished for the item (R-REV-3: electronic only). */
    paperAbolished: z.boolean(),
    /** Validity of a licence in months; null for results without expiry. */
    validityMonths: z.int().min(1).max(1200).nullable(),
    /** Days before expiry a renewal must be applied for (Licensing Law Art. 50: 30 unless other rules say otherwise). */
    renewalLeadDays: z.int().min(0).max(365),
    /** How those days count: Art. 50's are calendar days; some rules (食品经营许可, 2023) count working days. Absent in facts stored before the catalog said. */
    renewalLeadUnit: RenewalLeadUnit.default('calendar-days'),
  }),
});
export type ItemFacts = z.infer<typeof ItemFacts>;

export const SignatureRole = z.enum(['handler', 'chief-representative']);
export type SignatureRole = z.infer<typeof SignatureRole>;

export const Signature = z.object({ role: SignatureRole, signer: StaffRef, signedAt: Instant });
export type Signature = z.infer<typeof Signature>;

/** The seal a decision or licence bears (R-REV-2, Art. 34): an electronic signature by a seal key. */
export const SealImprint = z.object({
  kind: z.enum(['approval-business', 'department']),
  sealId: Id,
  keyId: Id,
  algorithm: z.literal('Ed25519'),
  /** base64url signature over the canonical document. */
  signature: z.string().min(16).max(200),
});
export type SealImprint = z.infer<typeof SealImprint>;

/** Art. 45 excluded time, by the calendar package's suspension reasons (supplement is intake's). */
export const SuspensionReason = z.enum(['hearing', 'tender', 'auction', 'inspection', 'testing', 'quarantine', 'appraisal', 'expert-review']);
export type SuspensionReason = z.infer<typeof SuspensionReason>;

/**
 * Art. 22 of the measures: the only moments staff may meet an applicant are
 * receipt (接件), acceptance (受理), window delivery (窗口送达) and the
 * necessary site inspection (现场勘查), professional technical review
 * (专业技术审查), mediation/arbitration (调解仲裁), hearing (听证), court
 * hearing (庭审) and examination (考试). Receipt and acceptance happen in
 * intake; review records the others.
 */
export const REVIEW_TOUCHPOINTS = [
  'window-delivery',
  'site-inspection',
  'technical-review',
  'mediation-arbitration',
  'hearing',
  'court-hearing',
  'examination',
] as const;
export const Touchpoint = z.enum(REVIEW_TOUCHPOINTS);
export type Touchpoint = z.infer<typeof Touchpoint>;
