/**
 * Acceptance-stage documents (R-ACC-2, R-ACC-3). Every outcome issues one:
 * 受理凭证, 补齐补正通知书, 容缺受理凭证 (with its one-time supplement notice),
 * 不予受理决定书, and the written notice of deemed acceptance (Licensing Law
 * Art. 32: acceptance is written, sealed and dated). The content carries every
 * field R-ACC-3 names; the electronic seal (Art. 34) is a signature over the
 * canonical JSON of the content, made outside the decider (SealSigner port)
 * because keys are not data a decider may hold.
 */
import { z } from 'zod';

export const DOCUMENT_KINDS = {
  'acceptance-receipt': '受理凭证',
  'supplement-notice': '补齐补正通知书',
  'tolerated-deficiency-acceptance': '容缺受理凭证（含一次性补正告知）',
  'non-acceptance-decision': '不予受理决定书',
  'deemed-acceptance-notice': '视为受理告知书',
} as const;
export type DocumentKind = keyof typeof DOCUMENT_KINDS;

export const SEAL_KINDS = {
  'approval-business': '审批业务专用章',
  department: '部门公章',
  'entrusted-body': '受委托机构公章',
} as const;
export type SealKind = keyof typeof SEAL_KINDS;

const documentKind = z.enum(Object.keys(DOCUMENT_KINDS) as [DocumentKind, ...DocumentKind[]]);
const sealKind = z.enum(Object.keys(SEAL_KINDS) as [SealKind, ...SealKind[]]);

export const deadlineSchema = z.object({
  /** Last day (Asia/Shanghai) of the period, ending 24:00 that day. */
  date: z.iso.date(),
  /** The instant the last day ends: what deciders compare `now` against. */
  endsAt: z.iso.datetime({ offset: true }),
  /** True when the count ran into a year whose holiday notice is not published yet. */
  provisional: z.boolean(),
});
export type Deadline = z.infer<typeof deadlineSchema>;

export const receivedMaterialSchema = z.object({
  materialId: z.string().min(1),
  form: z.enum(['electronic', 'paper']),
  source: z.enum(['applicant', 'data-sharing']),
  /** What was handed in: a file digest or the shared record's id and revision. */
  reference: z.string().min(1).max(300),
});
export type ReceivedMaterial = z.infer<typeof receivedMaterialSchema>;

export const deficiencySchema = z.object({
  materialId: z.string().min(1),
  problem: z.enum(['missing', 'defective']),
  detail: z.string().min(1).max(1000),
});
export type Deficiency = z.infer<typeof deficiencySchema>;

export const reasonSchema = z.object({
  text: z.string().min(1).max(2000),
  legalBasis: z.string().min(1).max(500).optional(),
});
export type Reason = z.infer<typeof reasonSchema>;

export const sealSchema = z.object({
  kind: sealKind,
  /** The seal's id in the e-seal system (or the physical seal register). */
  sealId: z.string().min(1).max(100),
  /** The seal's legend, e.g. 北京市朝阳区政务服务管理局审批业务专用章. */
  name: z.string().min(1).max(200),
});
export type Seal = z.infer<typeof sealSchema>;

export const documentContentSchema = z.object({
  documentId: z.string().min(1).max(100),
  kind: documentKind,
  title: z.string().min(1),
  caseId: z.string().min(1),
  caseNumber: z.string().min(1),
  itemCode: z.string().min(1),
  itemName: z.string().min(1),
  guideVersion: z.string().min(1),
  applicant: z.object({ kind: z.enum(['person', 'enterprise']), maskedId: z.string().length(18), name: z.string().min(1) }),
  /** 受理人: null only for a deemed acceptance, where the law, not a person, accepted. */
  acceptor: z.object({ staffId: z.string().min(1), name: z.string().min(1) }).nullable(),
  issuingBody: z.string().min(1),
  /** The body acceptance was entrusted to, when it was (R-ACC-3). */
  entrustedBody: z.string().min(1).nullable(),
  received: z.array(z.object({ materialId: z.string(), name: z.string(), form: z.enum(['electronic', 'paper']), source: z.enum(['applicant', 'data-sharing']) })),
  toSupplement: z.array(z.object({ materialId: z.string(), name: z.string(), problem: z.enum(['missing', 'defective']), detail: z.string() })),
  supplementDeadline: deadlineSchema.nullable(),
  reasons: z.array(reasonSchema),
  /** 收到日期 (Asia/Shanghai). */
  dateReceived: z.iso.date(),
  issuedAt: z.iso.datetime({ offset: true }),
  seal: sealSchema,
});
export type DocumentContent = z.infer<typeof documentContentSchema>;

export const signatureSchema = z.object({
  algorithm: z.literal('Ed25519'),
  keyId: z.string().min(1).max(100),
  /** base64url signature over `canonicalJson(content)` (UTF-8). */
  value: z.string().min(1),
});
export type DocumentSignature = z.infer<typeof signatureSchema>;

export const sealedDocumentSchema = z.object({ content: documentContentSchema, signature: signatureSchema });
export type SealedDocument = z.infer<typeof sealedDocumentSchema>;

/** Resident ID / USCC with the middle masked, the form documents and contracts show (PIPL). */
export function maskIdentifier(id: string): string {
  return `${id.slice(0, 6)}********${id.slice(14)}`;
}
