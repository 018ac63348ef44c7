/**
 * `catalog.guide-published.v2`: v1 plus the facts review decides by, so the
 * review service takes an item's profile from the catalog instead of an
 * administrator typing it in (R-REV-3, R-REV-4, R-REV-5, R-COLLAB-1):
 * - `collectiveDecision`: the law requires a collective decision, so the
 *   second signature does not conclude a case (measures Art. 30);
 * - `licence`: electronic licence available, paper abolished, validity and
 *   renewal lead time (Licensing Law Art. 50), or null when the guide states
 *   no licence facts (its result is not a document, or it predates v2);
 * - `collaboration`: lead and assisting departments of a cross-department
 *   item, or null when the implementing body handles it alone.
 * v1 readers get v2 through `upcasters.ts`. The fields of v1 are reused as
 * they are: v2 changes none of them.
 */
import { z } from 'zod';
import { defineIntegrationEvent } from '../define.ts';
import { guidePublishedV1 } from './catalog.ts';

const Department = z.string().min(1).max(100);

export const GuidePublishedCollectiveDecision = z
  .object({
    required: z.boolean().describe('By law the case is concluded by a collective decision, not by the chief representative’s signature (R-REV-5, measures Art. 30).'),
    legalBasis: z.string().min(1).max(500).nullable().describe('The provision requiring the collective decision; null when none is required.'),
  })
  .refine((c) => !c.required || c.legalBasis !== null, { path: ['legalBasis'], message: 'a collective decision required by law cites the law' });

export const GuidePublishedLicence = z
  .object({
    electronicAvailable: z.boolean().describe('The item issues electronic licences (R-REV-3: otherwise paper only, for now).'),
    paperAbolished: z.boolean().describe('Paper licences are abolished: electronic only (R-REV-3).'),
    validityMonths: z.int().min(1).max(1200).nullable().describe('Validity of a licence in months from the decision day; null when it does not expire (R-REV-4).'),
    renewalLead: z
      .object({
        days: z.int().min(0).max(365),
        unit: z.enum(['calendar-days', 'working-days']).describe('Licensing Law Art. 50 counts 30 calendar days; some rules count working days.'),
      })
      .describe('A renewal is applied for at least this long before expiry (Licensing Law Art. 50: 30 days unless another rule says otherwise; R-REV-4). Meaningless when validityMonths is null.'),
  })
  .refine((l) => l.electronicAvailable || !l.paperAbolished, { path: ['paperAbolished'], message: 'paper abolished with no electronic licence leaves no licence at all' });

export const GuidePublishedCollaboration = z
  .object({
    leadDepartment: Department.describe('Owns the flow, the material list and the time limit; the applicant’s one contact (R-COLLAB-1).'),
    assistingDepartments: z
      .array(z.object({ department: Department, matter: z.string().min(1).max(200).nullable().describe('What the department gives its opinion on.') }))
      .min(1)
      .describe('Asked for their opinions in parallel (R-COLLAB-1).'),
  })
  .refine((c) => c.assistingDepartments.every((a) => a.department !== c.leadDepartment), { path: ['assistingDepartments'], message: 'the lead department cannot also assist' })
  .refine((c) => new Set(c.assistingDepartments.map((a) => a.department)).size === c.assistingDepartments.length, {
    path: ['assistingDepartments'],
    message: 'each assisting department is listed once',
  });

export const guidePublishedV2 = defineIntegrationEvent({
  type: 'catalog.guide-published.v2',
  keyField: 'itemCode',
  summary:
    'A service guide version was published and is in force from `effectiveFrom`; every channel reads this version (R-CAT-13). v2 adds the facts review decides by: collective decision, licence form, validity and renewal lead time, collaboration.',
  requirements: ['R-CAT-1', 'R-CAT-2', 'R-CAT-3', 'R-CAT-13', 'R-CAT-14', 'R-REV-3', 'R-REV-4', 'R-REV-5', 'R-COLLAB-1'],
  schema: z
    .object({
      ...guidePublishedV1.schema.shape,
      collectiveDecision: GuidePublishedCollectiveDecision.describe('Whether two signatures conclude a case of this item (R-REV-5).'),
      licence: GuidePublishedLicence.nullable().describe('The licence the item issues; null when the guide states no licence facts (R-REV-3, R-REV-4).'),
      collaboration: GuidePublishedCollaboration.nullable().describe('Cross-department handling; null when the implementing body handles the item alone (R-COLLAB-1).'),
    })
    .refine((g) => g.promisedLimitWorkingDays <= g.statutoryLimitWorkingDays, {
      path: ['promisedLimitWorkingDays'],
      message: 'the promised limit may not exceed the statutory limit',
    }),
});

export const catalogGuidePublishedV2Events = [guidePublishedV2] as const;
