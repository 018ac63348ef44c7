/**
 * The events of a guide's life, one stream per implementation
 * (`guide-<implementationCode>`), all versions in it. Past-tense facts; each
 * with a zod schema and an explicit schema version, parsed when read back
 * from the store.
 *
 * Domain events are `{ type, data }`; the schema version of each type lives
 * in `guideEventDefinitions`, which the store codec applies.
 *
 * Events carry the whole guide content: a published version is immutable,
 * and readers (the published-guides projection, the relay) need no fold of
 * drafts to know what was published.
 */
import { z } from 'zod';
import type { EventDefinitions } from '@govsvc/eventstore/event-codec';
import { guideContentSchema } from './content.ts';

export const GUIDE_STREAM_CATEGORY = 'guide';
export const guideStream = (implementationCode: string): string => `${GUIDE_STREAM_CATEGORY}-${implementationCode}`;

const instant = z.iso.datetime({ offset: true });
const civilDate = z.iso.date();

/** The law behind a change (R-CAT-14, measures Art. 11). */
export const legalChangeSchema = z
  .strictObject({
    instrument: z.string().min(1).describe('法律文件 the instrument enacted, amended or repealed'),
    kind: z.enum(['enacted', 'amended', 'repealed']).describe('变化类型 enacted, amended, repealed'),
    effectiveOn: civilDate.optional().describe('施行日期 effective date'),
    summary: z.string().optional().describe('变化摘要 what changed'),
  })
  .describe('法律依据变化 legal change');
export type LegalChange = z.infer<typeof legalChangeSchema>;

/** Why a version exists. Version 1 may have none; every later version must (R-CAT-14). */
export const changeSchema = z
  .strictObject({
    reason: z.string().trim().min(1).describe('调整原因 reason for the new version'),
    legalChange: legalChangeSchema.optional(),
  })
  .describe('版本变更 change');
export type Change = z.infer<typeof changeSchema>;

const findingSchema = z.strictObject({
  rule: z.string(),
  path: z.string(),
  severity: z.enum(['error', 'warning']),
  message: z.strictObject({ zh: z.string(), en: z.string() }),
});

const version = z.number().int().min(1);

export const guideDraftedData = z.strictObject({
  implementationCode: z.string(),
  version,
  content: guideContentSchema,
  change: changeSchema.nullable(),
  draftedAt: instant,
});

export const guideRevisedData = z.strictObject({
  implementationCode: z.string(),
  version,
  content: guideContentSchema,
  revisedAt: instant,
  note: z.string().optional(),
});

export const guidePublishedData = z.strictObject({
  implementationCode: z.string(),
  version,
  content: guideContentSchema,
  change: changeSchema.nullable(),
  publishedAt: instant,
  /** The version this one replaces in force, if any. */
  supersedes: version.nullable(),
  /** Advice the publisher saw and accepted (errors block publishing, so none are here). */
  warnings: z.array(findingSchema),
});

export const guideSupersededData = z.strictObject({
  implementationCode: z.string(),
  version,
  supersededBy: version,
  supersededAt: instant,
  reason: z.string(),
  /** The legal change behind the successor, when there is one (R-CAT-14). */
  legalChange: legalChangeSchema.optional(),
});

export const guideWithdrawnData = z.strictObject({
  implementationCode: z.string(),
  version,
  withdrawnAt: instant,
  reason: z.string().min(1),
  legalChange: legalChangeSchema.optional(),
});

export type GuideDrafted = { readonly type: 'GuideDrafted'; readonly data: z.infer<typeof guideDraftedData> };
export type GuideRevised = { readonly type: 'GuideRevised'; readonly data: z.infer<typeof guideRevisedData> };
export type GuidePublished = { readonly type: 'GuidePublished'; readonly data: z.infer<typeof guidePublishedData> };
export type GuideSuperseded = { readonly type: 'GuideSuperseded'; readonly data: z.infer<typeof guideSupersededData> };
export type GuideWithdrawn = { readonly type: 'GuideWithdrawn'; readonly data: z.infer<typeof guideWithdrawnData> };
export type GuideEvent = GuideDrafted | GuideRevised | GuidePublished | GuideSuperseded | GuideWithdrawn;
export type GuideEventType = GuideEvent['type'];

/**
 * Schema and schema version of every guide event: the codec writes the
 * version with each event and parses (and, when a version is added, upcasts)
 * every stored event with these.
 */
export const guideEventDefinitions: EventDefinitions<GuideEvent> = {
  GuideDrafted: { schemaVersion: 1, schema: guideDraftedData },
  GuideRevised: { schemaVersion: 1, schema: guideRevisedData },
  GuidePublished: { schemaVersion: 1, schema: guidePublishedData },
  GuideSuperseded: { schemaVersion: 1, schema: guideSupersededData },
  GuideWithdrawn: { schemaVersion: 1, schema: guideWithdrawnData },
};

export const GUIDE_EVENT_TYPES = Object.keys(guideEventDefinitions) as GuideEventType[];

/** `implementationCode@version`: how a case names the guide version it is bound to (R-CAT-14). */
export const guideVersionRef = (implementationCode: string, v: number): string => `${implementationCode}@${v}`;
