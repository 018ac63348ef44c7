/** Events the supervision service publishes (Art. 12, 15, 16, 38): the deadlines of electronic supervision (电子监察). */
import { z } from 'zod';
import { CalendarDate, CaseId, OpaqueId, RequirementId, Timestamp, WorkingDayDeadline } from '../common.ts';
import { defineIntegrationEvent } from '../define.ts';

const DeadlineKind = z
  .enum([
    'acceptance-decision',
    'supplement',
    'tolerated-deficiency',
    'opinion',
    'review-decision',
    'licence-issuance',
    'renewal-decision',
    'rating-rectification',
    'step',
  ])
  .describe('Which time limit: step is a process step’s own limit, carded even when the whole case is on time.');

const AutomaticOutcome = z
  .enum(['deemed-accepted', 'refusal-decision-required', 'renewal-deemed-granted'])
  .nullable()
  .describe('What the regulation makes happen on breach, where it names something (R-REV-4, R-ACC-2); null otherwise.');

const deadlineFields = {
  caseId: CaseId,
  deadlineId: OpaqueId,
  kind: DeadlineKind,
};

export const deadlineOpenedV1 = defineIntegrationEvent({
  type: 'supervision.deadline-opened.v1',
  keyField: 'caseId',
  summary: 'A time limit started running for a case.',
  requirements: ['R-ACC-2', 'R-REV-1', 'R-REV-4', 'R-EVAL-3'],
  schema: z.object({
    ...deadlineFields,
    rule: RequirementId.describe('The requirement that sets this limit.'),
    openedAt: Timestamp,
    due: WorkingDayDeadline,
    warnOn: CalendarDate.describe('Day the warning (预警) fires if the deadline is still open.'),
    automaticOutcome: AutomaticOutcome,
  }),
});

export const deadlineWarnedV1 = defineIntegrationEvent({
  type: 'supervision.deadline-warned.v1',
  keyField: 'caseId',
  summary: 'An open deadline is close (预警).',
  requirements: ['R-ACC-2', 'R-REV-1'],
  schema: z.object({
    ...deadlineFields,
    due: WorkingDayDeadline,
    remainingWorkingDays: z.int().min(0),
    warnedAt: Timestamp,
  }),
});

export const deadlineBreachedV1 = defineIntegrationEvent({
  type: 'supervision.deadline-breached.v1',
  keyField: 'caseId',
  summary: 'A deadline was missed: a yellow card, or a red card when the follow-up (督办) deadline was missed too.',
  requirements: ['R-ACC-2', 'R-REV-1', 'R-REV-4', 'R-EVAL-3'],
  schema: z.discriminatedUnion('card', [
    z.object({
      ...deadlineFields,
      card: z.literal('yellow'),
      due: WorkingDayDeadline,
      followUpDue: WorkingDayDeadline.describe('The follow-up (督办) deadline; missing it turns the card red.'),
      automaticOutcome: AutomaticOutcome,
      breachedAt: Timestamp,
    }),
    z.object({
      ...deadlineFields,
      card: z.literal('red'),
      due: WorkingDayDeadline.describe('The follow-up deadline that was missed.'),
      automaticOutcome: AutomaticOutcome,
      breachedAt: Timestamp,
    }),
  ]),
});

export const deadlineClosedV1 = defineIntegrationEvent({
  type: 'supervision.deadline-closed.v1',
  keyField: 'caseId',
  summary: 'A deadline stopped running: met, met late, cancelled, or ended by its automatic outcome.',
  requirements: ['R-ACC-2', 'R-REV-1', 'R-REV-4'],
  schema: z.object({
    ...deadlineFields,
    resolution: z.enum(['met', 'met-late', 'cancelled', 'automatic-outcome']),
    closedAt: Timestamp,
  }),
});

export const supervisionEvents = [deadlineOpenedV1, deadlineWarnedV1, deadlineBreachedV1, deadlineClosedV1] as const;
