/**
 * Clock suspensions intake records (R-ACC-2): the days an applicant spent
 * supplementing materials do not count toward the case's time limits (the
 * office could not act until the materials arrived). A typed interval, so
 * supervision (deadlines) and review (decision limits) apply exactly the
 * days intake recorded instead of re-deriving them from notice and receipt.
 * A family of its own, next to `intake.supplement-received.v1`, so no reader
 * of that event has to move to a new version.
 */
import { z } from 'zod';
import { CalendarDate, CaseId, DocumentRef, Timestamp } from '../common.ts';
import { defineIntegrationEvent } from '../define.ts';

export const clockSuspendedV1 = defineIntegrationEvent({
  type: 'intake.clock-suspended.v1',
  keyField: 'caseId',
  summary:
    'A supplement notice was answered in full: the civil dates from the day after the notice to the day the last item arrived (both included) do not count toward the case’s working-day limits (R-ACC-2).',
  requirements: ['R-ACC-2'],
  schema: z.object({
    caseId: CaseId,
    suspension: z
      .object({
        from: CalendarDate.describe('First suspended day: the day after the supplement notice.'),
        to: CalendarDate.describe('Last suspended day: the day the last item arrived.'),
        reason: z.enum(['supplement']).describe('补正材料: the applicant was supplementing materials.'),
      })
      .refine((s) => s.to >= s.from, { path: ['to'], message: 'must not be before from' }),
    notice: DocumentRef.describe('The supplement notice (补齐补正通知书) that was answered.'),
    recordedAt: Timestamp,
  }),
});

export const intakeSuspensionEvents = [clockSuspendedV1] as const;
