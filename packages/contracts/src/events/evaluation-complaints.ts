/** Complaints (R-EVAL-1): every complaint, the 12345 hotline among the channels, is answered and handled within its limit. */
import { z } from 'zod';
import { CaseId, OpaqueId, Timestamp } from '../common.ts';
import { defineIntegrationEvent } from '../define.ts';

export const complaintReceivedV1 = defineIntegrationEvent({
  type: 'evaluation.complaint-received.v1',
  keyField: 'caseId',
  summary: 'A complaint about a case was received; it must be answered within its handling limit (R-EVAL-1).',
  requirements: ['R-EVAL-1'],
  schema: z.object({
    caseId: CaseId,
    complaintId: OpaqueId,
    channel: z.enum(['12345-hotline', 'website', 'mobile', 'window', 'letter']),
    department: z.string().min(1).max(100).describe('Department the complaint is about and that must handle it.'),
    limitWorkingDays: z.int().min(1).max(60).describe('Handling limit that applies to this complaint.'),
    receivedAt: Timestamp,
  }),
});

export const complaintAnsweredV1 = defineIntegrationEvent({
  type: 'evaluation.complaint-answered.v1',
  keyField: 'caseId',
  summary: 'A complaint was answered and handled (R-EVAL-1).',
  requirements: ['R-EVAL-1'],
  schema: z.object({
    caseId: CaseId,
    complaintId: OpaqueId,
    answeredAt: Timestamp,
  }),
});

export const evaluationComplaintEvents = [complaintReceivedV1, complaintAnsweredV1] as const;
