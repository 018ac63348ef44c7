/**
 * Building blocks shared by the integration events. They are the published
 * language department back-ends read, so every field says what it means and
 * which requirement (REQUIREMENTS.md R-ID) it serves.
 *
 * Personal data never crosses Kafka (PIPL): an applicant appears as a masked
 * identifier plus an opaque reference that only the intake service can
 * resolve, through an access-logged call.
 */
import { z } from 'zod';

/** Case ids are chosen by intake; they are Kafka keys, so keep them printable and short. */
export const CaseId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/)
  .describe('Case id assigned by intake at submission; the Kafka partition key and CloudEvents subject of every case event.');

export const ItemCode = z
  .string()
  .min(4)
  .max(80)
  .regex(/^[0-9A-Za-z][0-9A-Za-z._-]*$/)
  .describe('Implementation code (实施编码) of the catalog item: basic code, region, implementing body and handling item (R-CAT-1, R-CAT-4).');

export const BasicCode = z
  .string()
  .min(4)
  .max(40)
  .regex(/^[0-9A-Za-z][0-9A-Za-z._-]*$/)
  .describe('Basic code (基本编码): the same item nationwide, whatever level implements it (R-CAT-4).');

export const GuideVersion = z
  .string()
  .min(1)
  .max(40)
  .describe('Version of the service guide; a case stays bound to the version in force at submission (R-CAT-14).');

/** Opaque ids for documents, tasks, licences … issued by the owning service. */
export const OpaqueId = z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/);

export const Timestamp = z.iso.datetime({ offset: true }).describe('RFC 3339 instant.');

export const CalendarDate = z.iso.date().describe('Calendar date in Asia/Shanghai (YYYY-MM-DD).');

/**
 * A deadline computed on the statutory working-day calendar. `provisional`
 * is true when it runs into a year whose holidays the State Council has not
 * published yet: the date may move once they are.
 */
export const WorkingDayDeadline = z
  .object({
    date: CalendarDate.describe('Last day of the time limit (Asia/Shanghai, end of that working day).'),
    provisional: z.boolean().describe('True when the computation ran into a year whose holiday notice is not published yet.'),
  })
  .describe('Deadline on the Chinese statutory working-day calendar (Licensing Law Art. 82).');

export const RequirementId = z.string().regex(/^R-[A-Z]+-\d+$/);

/** R-SCOPE-1 item types, by their national platform code (REQUIREMENTS.md "Item codes"). */
export const ItemType = z
  .enum(['01', '05', '07', '08', '09', '10', '20'])
  .describe('National item type code: 01 licensing, 05 benefit payment, 07 confirmation, 08 reward, 09 adjudication, 10 other administrative power, 20 public service (R-SCOPE-1).');

/** A resident ID (GB 11643) or unified social credit code (GB 32100), both 18 characters, with the middle masked. */
export const MaskedIdentifier = z
  .string()
  .length(18)
  .regex(/^[0-9A-Z]{1,6}\*{8,16}[0-9A-Z]{1,4}$/)
  .describe('Applicant identifier (R-ID-1) with at least 8 middle characters masked, e.g. 110105********002X. Never the full number (PIPL).');

export const Applicant = z
  .object({
    kind: z.enum(['person', 'enterprise']).describe('person: resident ID; enterprise: unified social credit code (R-ID-1).'),
    maskedId: MaskedIdentifier,
    ref: z.uuid().describe('Opaque applicant reference; resolvable only through the intake service, each access logged (PIPL).'),
  })
  .describe('The applicant, without personal data.');

export const StaffRef = z
  .object({
    staffId: OpaqueId.describe('Pseudonymous staff id; names stay in the issuing service.'),
    department: z.string().min(1).max(100).describe('Department (or entrusted body) the staff member acts for.'),
  })
  .describe('A member of staff acting on the case (R-ETHICS-1: every contact is attributable).');

export const Seal = z
  .object({
    kind: z
      .enum(['approval-business', 'department', 'entrusted-body'])
      .describe('审批业务专用章, the department seal, or the entrusted body’s seal when acceptance is entrusted (R-ACC-3).'),
    sealId: OpaqueId.describe('Id of the seal in the unified e-seal system (or the physical seal register).'),
    electronic: z.boolean().describe('Electronic seals are valid evidence (R-PLAT-4, Art. 34).'),
  })
  .describe('The seal a document bears (R-ACC-3, R-REV-2).');

export const DocumentRef = z
  .object({
    documentId: OpaqueId.describe('Id of the issued document in the issuing service; fetch it from its API.'),
    kind: z.string().min(1).max(60).describe('Document kind, e.g. acceptance-receipt (受理凭证), supplement-notice (补齐补正通知书).'),
  })
  .describe('A formal document issued on the case.');

export const Reason = z
  .object({
    code: z.string().min(1).max(60).optional().describe('Machine-readable reason code, where one is defined.'),
    text: z.string().min(1).max(2000).describe('The reason as told to the applicant.'),
    legalBasis: z.string().min(1).max(500).optional().describe('Article the reason rests on.'),
  })
  .describe('A stated reason (refusals always state them: R-ACC-2, R-REV-2).');

export const MaterialRef = z
  .object({
    materialId: OpaqueId.describe('Id of the material in the guide version the case is bound to (R-CAT-2, R-CAT-5).'),
    name: z.string().min(1).max(200).describe('Material name as listed in the guide.'),
  })
  .describe('A material of the guide.');

export const ResultDeliveryMethod = z
  .enum(['window-pickup', 'electronic', 'kiosk-pickup', 'post'])
  .describe('How the result reaches the applicant (R-DELIV-1).');

export const Channel = z
  .enum(['online', 'mobile', 'window', 'kiosk', 'post'])
  .describe('Where the applicant acted (R-ACC-1: the applicant picks the channel).');
