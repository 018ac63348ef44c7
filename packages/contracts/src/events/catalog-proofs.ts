/** Catalog facts about proof materials (R-CAT-7): a newly required proof is filed in the retained-proofs catalog within 15 working days. */
import { z } from 'zod';
import { ItemCode, OpaqueId, Timestamp } from '../common.ts';
import { defineIntegrationEvent } from '../define.ts';

export const proofFilingRequiredV1 = defineIntegrationEvent({
  type: 'catalog.proof-filing-required.v1',
  keyField: 'itemCode',
  summary: 'A guide newly requires a proof (证明) that is not in the retained-proofs catalog: it must be filed within 15 working days (R-CAT-7).',
  requirements: ['R-CAT-7'],
  schema: z.object({
    itemCode: ItemCode,
    proofId: OpaqueId,
    proofName: z.string().min(1).max(200),
    department: z.string().min(1).max(100).describe('Department that must file it.'),
    requiredAt: Timestamp,
  }),
});

export const proofFiledV1 = defineIntegrationEvent({
  type: 'catalog.proof-filed.v1',
  keyField: 'itemCode',
  summary: 'The proof was filed in the retained-proofs catalog and the guide updated at the same time (R-CAT-7).',
  requirements: ['R-CAT-7'],
  schema: z.object({
    itemCode: ItemCode,
    proofId: OpaqueId,
    filedAt: Timestamp,
  }),
});

export const catalogProofEvents = [proofFilingRequiredV1, proofFiledV1] as const;
