/**
 * The guide version a case is bound to (R-CAT-14). Intake learns published
 * guides from the catalog's contract; a case copies the version in force at
 * submission into its first event, so every later check reads the list of
 * that version and nothing else (R-CAT-2), even after the guide is re-versioned.
 */
import { z } from 'zod';

export const guideMaterialSchema = z.object({
  materialId: z.string().min(1).max(100),
  name: z.string().min(1).max(200),
  /** 容缺受理 allowed for this material (R-ACC-2). */
  toleratedDeficiencyAllowed: z.boolean(),
  electronicRequired: z.boolean(),
  /** Fetched through inter-department data sharing; the applicant only confirms it (R-CAT-10). */
  fromDataSharing: z.boolean(),
});
export type GuideMaterial = z.infer<typeof guideMaterialSchema>;

export const boundGuideSchema = z.object({
  itemCode: z.string().min(1).max(80),
  itemName: z.string().min(1).max(200),
  itemType: z.string().min(2).max(2),
  guideVersion: z.string().min(1).max(40),
  implementingBody: z.string().min(1).max(200),
  handlingForm: z.enum(['online', 'window', 'both']),
  statutoryLimitWorkingDays: z.int().min(1),
  promisedLimitWorkingDays: z.int().min(1),
  materials: z.array(guideMaterialSchema),
});
export type BoundGuide = z.infer<typeof boundGuideSchema>;

export const materialOf = (guide: BoundGuide, materialId: string): GuideMaterial | undefined =>
  guide.materials.find((m) => m.materialId === materialId);
