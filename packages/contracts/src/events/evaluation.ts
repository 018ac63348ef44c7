/** Events the evaluation service publishes (Art. 37, 38; GB/T 39734/39735 good/bad ratings). */
import { z } from 'zod';
import { CalendarDate, CaseId, OpaqueId, Timestamp } from '../common.ts';
import { defineIntegrationEvent } from '../define.ts';

export const ratingSubmittedV1 = defineIntegrationEvent({
  type: 'evaluation.rating-submitted.v1',
  keyField: 'caseId',
  summary:
    'A good/bad rating (好差评) was given: one per on-site occasion, one per online matter; a bad rating opens a 7-day rectification (R-EVAL-2, R-EVAL-3).',
  requirements: ['R-EVAL-2', 'R-EVAL-3'],
  schema: z.object({
    caseId: CaseId,
    ratingId: OpaqueId,
    level: z
      .enum(['very-satisfied', 'satisfied', 'basically-satisfied', 'dissatisfied', 'very-dissatisfied'])
      .describe('非常满意, 满意, 基本满意, 不满意, 非常不满意.'),
    occasion: z.object({
      kind: z.enum(['on-site', 'online']).describe('一次一评 (each on-site occasion) or 一事一评 (each online matter).'),
      occasionId: OpaqueId,
    }),
    channel: z.enum(['window-device', 'website', 'mobile', 'phone', 'sms', 'qr-code', 'kiosk']),
    named: z.boolean().describe('Named bad ratings get a callback.'),
    hasComment: z.boolean().describe('The free-text comment stays in the evaluation service: it may hold personal data.'),
    rectificationDue: CalendarDate.nullable().describe('Set for bad ratings: verified and rectified within 7 days (R-EVAL-3).'),
    submittedAt: Timestamp,
  }),
});

export const rectificationCompletedV1 = defineIntegrationEvent({
  type: 'evaluation.rectification-completed.v1',
  keyField: 'caseId',
  summary: 'A bad rating was rectified, explained, or excluded on appeal, and the feedback published online (R-EVAL-3, R-EVAL-4).',
  requirements: ['R-EVAL-3', 'R-EVAL-4'],
  schema: z.object({
    caseId: CaseId,
    ratingId: OpaqueId,
    outcome: z
      .enum(['rectified', 'explained', 'excluded-mistaken', 'excluded-malicious'])
      .describe('explained: the complaint was unreasonable and got an explanation; excluded-*: removed on appeal and review.'),
    feedback: z.string().min(1).max(2000).describe('Public feedback text, without personal data.'),
    completedAt: Timestamp,
    withinLimit: z.boolean().describe('Completed within the 7 days (R-EVAL-3).'),
    feedbackPublishedAt: Timestamp,
  }),
});

export const evaluationEvents = [ratingSubmittedV1, rectificationCompletedV1] as const;
