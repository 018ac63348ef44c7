/**
 * What follows a delivery and a bad rating (Art. 38; 国办发〔2019〕51号): the
 * rating invitation, which delivery may pass on over the applicant's
 * notification channels, and the rectification case with the instant its
 * 7 days run out, which the supervision service tracks (R-EVAL-2, R-EVAL-3).
 */
import { z } from 'zod';
import { CalendarDate, CaseId, OpaqueId, Timestamp } from '../common.ts';
import { defineIntegrationEvent } from '../define.ts';

export const ratingInvitedV1 = defineIntegrationEvent({
  type: 'evaluation.rating-invited.v1',
  keyField: 'caseId',
  summary:
    'The result reached the applicant, who is invited to rate the service: once per on-site occasion (一次一评), once per online matter (一事一评) (R-EVAL-2).',
  requirements: ['R-EVAL-2'],
  schema: z.object({
    caseId: CaseId,
    invitationId: OpaqueId,
    occasion: z.object({
      kind: z.enum(['on-site', 'online']).describe('on-site: the pickup at a window or kiosk; online: the matter as a whole (the case).'),
      occasionId: OpaqueId,
    }),
    channels: z
      .array(z.enum(['window-device', 'website', 'mobile', 'phone', 'sms', 'qr-code', 'kiosk']))
      .min(1)
      .describe('Rating channels open for this occasion (Art. 38(2): 评价器, 网站, 电话, 二维码, 自助终端).'),
    invitedAt: Timestamp,
  }),
});

export const rectificationOpenedV1 = defineIntegrationEvent({
  type: 'evaluation.rectification-opened.v1',
  keyField: 'caseId',
  summary:
    'A bad rating (不满意, 非常不满意) opened a rectification for the responsible department: verified, rectified or explained, and fed back within 7 days; published again with reopened = true and a new due when an appeal sends it back (R-EVAL-3).',
  requirements: ['R-EVAL-3'],
  schema: z.object({
    caseId: CaseId,
    ratingId: OpaqueId,
    department: z.string().min(1).max(100).nullable().describe('Department that rectifies; null until the case’s department is known.'),
    openedAt: Timestamp,
    dueDate: CalendarDate.describe('Last of the 7 calendar days, counted from the day after the rating (Asia/Shanghai).'),
    dueAt: Timestamp.describe('The instant the 7 days run out: the end of dueDate in Asia/Shanghai (23:59:59.999+08:00).'),
    reopened: z.boolean().describe('True when an upheld appeal sent the rectification back to the department.'),
  }),
});

export const evaluationRectificationEvents = [ratingInvitedV1, rectificationOpenedV1] as const;
