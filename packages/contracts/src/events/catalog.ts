/** Events the catalog service publishes (Ch. 2, Art. 5–11): guide versions other services bind cases to. */
import { z } from 'zod';
import { BasicCode, GuideVersion, ItemCode, ItemType, OpaqueId, Timestamp } from '../common.ts';
import { defineIntegrationEvent } from '../define.ts';

const PublishedMaterial = z.object({
  materialId: OpaqueId.describe('Stable id of the material within the item (R-CAT-5).'),
  name: z.string().min(1).max(200),
  toleratedDeficiencyAllowed: z.boolean().describe('Whether acceptance with this material deficient (容缺受理) is allowed (R-CAT-3, R-ACC-2).'),
  electronicRequired: z.boolean().describe('Whether an electronic version is required (R-CAT-5).'),
  fromDataSharing: z.boolean().describe('Fetched through inter-department data sharing and only confirmed by the applicant (R-CAT-10).'),
});

export const guidePublishedV1 = defineIntegrationEvent({
  type: 'catalog.guide-published.v1',
  keyField: 'itemCode',
  summary: 'A service guide version was published and is in force from `effectiveFrom`; every channel reads this version (R-CAT-13).',
  requirements: ['R-CAT-1', 'R-CAT-2', 'R-CAT-3', 'R-CAT-13', 'R-CAT-14'],
  schema: z
    .object({
      itemCode: ItemCode,
      basicCode: BasicCode,
      itemName: z.string().min(1).max(200),
      itemType: ItemType,
      guideVersion: GuideVersion,
      previousVersion: GuideVersion.nullable().describe('The version this one follows; null for an item’s first guide.'),
      level: z.enum(['city', 'district', 'township']).describe('Level implementing the item (R-CAT-4, R-PLAT-1).'),
      implementingBody: z.string().min(1).max(200).describe('Department (or entrusted body) that implements the item.'),
      handlingForm: z.enum(['online', 'window', 'both']).describe('Online, at a window, or either (R-CAT-3).'),
      statutoryLimitWorkingDays: z.int().min(1).max(365).describe('Statutory time limit in working days (R-CAT-3).'),
      promisedLimitWorkingDays: z.int().min(1).max(365).describe('Promised time limit in working days, never above the statutory one (R-CAT-3, R-REV-1).'),
      resultName: z.string().min(1).max(200).describe('Name of the result (licence, certificate …) the item produces.'),
      feeCharged: z.boolean().describe('Whether the fee standard charges anything (R-CAT-3).'),
      materials: z.array(PublishedMaterial).describe('Every material intake may ask for: nothing beyond this list (R-CAT-2).'),
      publishedAt: Timestamp,
      effectiveFrom: Timestamp.describe('From this instant new applications bind to this version (R-CAT-14).'),
    })
    .refine((g) => g.promisedLimitWorkingDays <= g.statutoryLimitWorkingDays, {
      path: ['promisedLimitWorkingDays'],
      message: 'the promised limit may not exceed the statutory limit',
    }),
});

export const guideSupersededV1 = defineIntegrationEvent({
  type: 'catalog.guide-superseded.v1',
  keyField: 'itemCode',
  summary: 'A guide version stopped accepting new applications; cases already bound to it stay bound (R-CAT-14).',
  requirements: ['R-CAT-14'],
  schema: z.object({
    itemCode: ItemCode,
    guideVersion: GuideVersion.describe('The version that is no longer in force for new applications.'),
    supersededBy: GuideVersion.nullable().describe('The version now in force; null when the item left the catalog (R-CAT-1).'),
    reason: z
      .enum(['law-changed', 'correction', 'item-withdrawn'])
      .describe('law-changed: the legal basis changed and the guide was re-versioned at once (R-CAT-14).'),
    legalBasisChange: z.string().min(1).max(1000).nullable().describe('Which law or article changed, when the reason is law-changed.'),
    supersededAt: Timestamp,
  }),
});

export const catalogEvents = [guidePublishedV1, guideSupersededV1] as const;
