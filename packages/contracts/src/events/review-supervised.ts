/**
 * Review facts the supervision service needs to keep the decision clock
 * honest, beyond the decision itself: each process step's own time limit
 * (R-CAT-11), time excluded from the limit (Licensing Law Art. 45, and the
 * supplement time during review), and renewal applications with the expiry
 * they must be decided before (R-REV-4, Licensing Law Art. 50).
 */
import { z } from 'zod';
import { CalendarDate, CaseId, OpaqueId, StaffRef, Timestamp } from '../common.ts';
import { defineIntegrationEvent } from '../define.ts';

const Department = z.string().min(1).max(100);

export const stepStartedV1 = defineIntegrationEvent({
  type: 'review.step-started.v1',
  keyField: 'caseId',
  summary: 'A process step of the guide started; it has its own time limit, carded even when the whole case is on time (R-CAT-11).',
  requirements: ['R-CAT-11', 'R-FLOW-1'],
  schema: z.object({
    caseId: CaseId,
    stepId: OpaqueId.describe('Step id in the guide version the case is bound to.'),
    stepName: z.string().min(1).max(200),
    limitWorkingDays: z.int().min(1).max(365).describe('The step’s own time limit from the guide (R-CAT-11).'),
    department: Department.describe('Department handling the step.'),
    startedAt: Timestamp,
  }),
});

export const stepCompletedV1 = defineIntegrationEvent({
  type: 'review.step-completed.v1',
  keyField: 'caseId',
  summary: 'A process step finished with its result (R-CAT-11).',
  requirements: ['R-CAT-11'],
  schema: z.object({
    caseId: CaseId,
    stepId: OpaqueId,
    completedAt: Timestamp,
    completedBy: StaffRef,
  }),
});

export const timeExcludedV1 = defineIntegrationEvent({
  type: 'review.time-excluded.v1',
  keyField: 'caseId',
  summary:
    'Time stopped counting toward the decision limit: hearing, tender, auction, inspection, testing, quarantine, appraisal, expert review (Licensing Law Art. 45) or a supplement during review; the applicant was told in writing.',
  requirements: ['R-REV-1'],
  schema: z.object({
    caseId: CaseId,
    exclusionId: OpaqueId,
    reason: z.enum(['supplement', 'hearing', 'tender', 'auction', 'inspection', 'testing', 'quarantine', 'appraisal', 'expert-review']),
    from: CalendarDate.describe('First day that does not count.'),
    applicantToldAt: Timestamp,
    excludedAt: Timestamp,
  }),
});

export const timeExclusionEndedV1 = defineIntegrationEvent({
  type: 'review.time-exclusion-ended.v1',
  keyField: 'caseId',
  summary: 'Excluded time ended; the decision limit counts again from the next day (Licensing Law Art. 45).',
  requirements: ['R-REV-1'],
  schema: z.object({
    caseId: CaseId,
    exclusionId: OpaqueId,
    until: CalendarDate.describe('Last day that does not count.'),
    endedAt: Timestamp,
  }),
});

export const renewalAppliedV1 = defineIntegrationEvent({
  type: 'review.renewal-applied.v1',
  keyField: 'caseId',
  summary: 'A renewal of a licence was applied for before expiry: it must be decided before the licence expires, or it is deemed granted (R-REV-4).',
  requirements: ['R-REV-4'],
  schema: z.object({
    caseId: CaseId.describe('The renewal case.'),
    licenceId: OpaqueId,
    licenceExpiry: CalendarDate.describe('Last day the current licence is valid.'),
    department: Department,
    appliedAt: Timestamp,
  }),
});

export const reviewSupervisedEvents = [stepStartedV1, stepCompletedV1, timeExcludedV1, timeExclusionEndedV1, renewalAppliedV1] as const;
