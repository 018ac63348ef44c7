/**
 * The retained-proofs catalog (保留证明事项目录, measures Art. 7(2), R-CAT-7):
 * one stream per proof (`proof-<code>`). A proof is either catalogued as
 * already retained, or newly required by a change of law; a new proof must
 * be filed with the city's government-service department within 15 working
 * days, and the guides demanding it are updated at the same time.
 */
import { z } from 'zod';
import type { EventDefinitions } from '@govsvc/eventstore/event-codec';
import { legalReferenceSchema } from '../guide/content.ts';
import { legalChangeSchema } from '../guide/events.ts';

export const PROOF_STREAM_CATEGORY = 'proof';
export const proofStream = (code: string): string => `${PROOF_STREAM_CATEGORY}-${code}`;

/** Working days within which a newly required proof is filed (Art. 7(2)). */
export const PROOF_FILING_WORKING_DAYS = 15;

export const proofCodeSchema = z.string().regex(/^[A-Z0-9][A-Z0-9-]{2,40}$/, 'capital letters, digits and dashes').describe('证明事项编码 proof code');
const civilDate = z.iso.date();
const instant = z.iso.datetime({ offset: true });

/** A deadline as the calendar computed it: enough for supervision to track it without recomputing. */
export const filingDueSchema = z.strictObject({
  workingDays: z.number().int(),
  due: civilDate,
  dueAt: z.string(),
  provisional: z.boolean(),
  calendarVersion: z.string(),
});

const proofFacts = {
  code: proofCodeSchema,
  name: z.string().min(1).describe('证明名称 proof name'),
  issuer: z.string().min(1).describe('开具单位 issuing body'),
  legalBasis: z.array(legalReferenceSchema).min(1).describe('设定依据 legal basis'),
};

export const retainedProofCataloguedData = z.strictObject({ ...proofFacts, cataloguedAt: instant });
export const newProofRequiredData = z.strictObject({
  ...proofFacts,
  department: z.string().min(1).describe('要求提交该证明的部门 the department that requires it and must file it'),
  /** Implementation codes of the guides that will demand the proof; each is updated with the filing. */
  requiredBy: z.array(z.string()).min(1),
  legalChange: legalChangeSchema,
  requiredOn: civilDate,
  filingDue: filingDueSchema,
  requiredAt: instant,
});
export const proofFiledData = z.strictObject({
  code: proofCodeSchema,
  filedOn: civilDate,
  filingReference: z.string().min(1),
  late: z.boolean(),
  updatedGuides: z.array(z.string()).min(1),
  filedAt: instant,
});
export const proofAbolishedData = z.strictObject({
  code: proofCodeSchema,
  reason: z.string().min(1),
  legalChange: legalChangeSchema.optional(),
  abolishedAt: instant,
});

export type RetainedProofCatalogued = { readonly type: 'RetainedProofCatalogued'; readonly data: z.infer<typeof retainedProofCataloguedData> };
export type NewProofRequired = { readonly type: 'NewProofRequired'; readonly data: z.infer<typeof newProofRequiredData> };
export type ProofFiled = { readonly type: 'ProofFiled'; readonly data: z.infer<typeof proofFiledData> };
export type ProofAbolished = { readonly type: 'ProofAbolished'; readonly data: z.infer<typeof proofAbolishedData> };
export type ProofEvent = RetainedProofCatalogued | NewProofRequired | ProofFiled | ProofAbolished;

export const proofEventDefinitions: EventDefinitions<ProofEvent> = {
  RetainedProofCatalogued: { schemaVersion: 1, schema: retainedProofCataloguedData },
  NewProofRequired: { schemaVersion: 1, schema: newProofRequiredData },
  ProofFiled: { schemaVersion: 1, schema: proofFiledData },
  ProofAbolished: { schemaVersion: 1, schema: proofAbolishedData },
};

export const PROOF_EVENT_TYPES = Object.keys(proofEventDefinitions) as ProofEvent['type'][];
