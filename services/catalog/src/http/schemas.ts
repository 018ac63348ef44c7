/** Request and response schemas shared by the catalog's routes (zod; rendered to OpenAPI at /docs/json). */
import { z } from 'zod';
import { guideContentSchema } from '../domain/guide/content.ts';
import { changeSchema } from '../domain/guide/events.ts';

export const CHANNELS = ['web', 'mobile', 'kiosk', 'qr'] as const;

export const findingSchema = z.object({
  rule: z.string().describe('Requirement id (REQUIREMENTS.md)'),
  path: z.string().describe('JSON pointer into the guide'),
  severity: z.enum(['error', 'warning']).describe('error blocks publishing'),
  message: z.object({ zh: z.string(), en: z.string() }),
});

export const codeParams = z.strictObject({ code: z.string().min(6).max(120).describe('Implementation code (hyphens allowed)') });
export const versionParams = codeParams.extend({ version: z.coerce.number().int().min(1) });

export const versionQuery = z.strictObject({
  version: z.coerce.number().int().min(1).optional().describe('A published version; default: the version in force'),
  at: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(T.+)?$/u, 'an ISO instant or a date YYYY-MM-DD')
    .optional()
    .describe('The version in force at this instant; a date means the end of that day in Beijing'),
  channel: z.enum(CHANNELS).optional().describe('The channel asking (web, mobile, kiosk, qr): recorded, never changes the answer (R-CAT-13)'),
});

export const listQuery = z.strictObject({
  code: z.string().max(120).optional().describe('Implementation or basic code, or a prefix of one'),
  name: z.string().max(100).optional().describe('Part of the item name'),
  type: z.string().regex(/^\d{2}$/u).optional().describe('Item type code (01, 05, 07, 08, 09, 10, 20)'),
  department: z.string().max(100).optional().describe('Part of the implementing body’s name'),
  level: z.enum(['city', 'district', 'township']).optional(),
  channel: z.enum(CHANNELS).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const guideSummarySchema = z.object({
  implementationCode: z.string(),
  basicCode: z.string().optional(),
  itemName: z.string().optional(),
  itemType: z.string().optional(),
  level: z.string().optional(),
  region: z.string().optional(),
  implementingBody: z.string().optional(),
  version: z.number().int(),
  publishedAt: z.string(),
});

export const guideListSchema = z.object({
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  guides: z.array(guideSummarySchema),
});

const versionMeta = {
  implementationCode: z.string(),
  version: z.number().int(),
  guideVersion: z.string().describe('The version as intake binds cases to it (R-CAT-14)'),
  status: z.enum(['in-force', 'superseded', 'withdrawn']),
  publishedAt: z.string(),
  endedAt: z.string().optional().describe('When it stopped being in force'),
  supersededBy: z.number().int().optional(),
  withdrawalReason: z.string().optional(),
  change: changeSchema.nullable(),
};

export const publishedGuideSchema = z.object({ ...versionMeta, content: guideContentSchema });
export const versionHistorySchema = z.object({ implementationCode: z.string(), versions: z.array(z.object(versionMeta)) });

export const guideDocumentBody = z.strictObject({ content: guideContentSchema, change: changeSchema.optional() });
export const reviseBody = z.strictObject({ content: guideContentSchema, note: z.string().max(500).optional() });
export const lintBody = z.strictObject({ content: guideContentSchema });
