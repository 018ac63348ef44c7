/**
 * Automatic outcomes the law names, sent by the supervision service as
 * commands to the service that owns the decision. They travel on the
 * supervision topic like every supervision contract (one topic per producer,
 * topics.ts), keyed by case id so they stay in order with the deadline events
 * of the case; the target service subscribes to that topic and handles only
 * the command types addressed to it (`target` below, and in the summary).
 * The owner decides: it checks its own state (already accepted? renewal
 * already decided?) so a duplicate or late firing is harmless. `commandId` is
 * deterministic per deadline and outcome: the same firing always carries the
 * same id.
 */
import { z } from 'zod';
import { CalendarDate, CaseId, OpaqueId, Timestamp } from '../common.ts';
import { defineIntegrationEvent } from '../define.ts';

/** The service each command is addressed to: it alone handles it. */
export const commandTargets = {
  'supervision.deem-acceptance-command.v1': 'intake',
  'supervision.lapse-tolerated-deficiency-command.v1': 'intake',
  'supervision.deem-renewal-granted-command.v1': 'review',
} as const;

const commandFields = {
  commandId: z.uuid().describe('Deterministic per deadline and outcome: a redelivered or re-fired command has the same id.'),
  caseId: CaseId,
  deadlineId: OpaqueId.describe('The supervision deadline whose breach triggers the outcome.'),
  requestedAt: Timestamp,
};

export const deemAcceptanceCommandV1 = defineIntegrationEvent({
    type: 'supervision.deem-acceptance-command.v1',
    keyField: 'caseId',
    summary:
      'No supplement notice within 5 working days of receipt: the application counts as accepted from the day it was received (Licensing Law Art. 32). Intake records a deemed acceptance (intake.case-accepted.v2 basis=deemed) unless it already decided.',
    requirements: ['R-ACC-2'],
    schema: z.object({
      ...commandFields,
      receivedOn: CalendarDate.describe('Day the application was received: the deemed acceptance counts from it.'),
      noticeDue: CalendarDate.describe('Last day a supplement notice could have been given.'),
    }),
});

export const lapseToleratedDeficiencyCommandV1 = defineIntegrationEvent({
    type: 'supervision.lapse-tolerated-deficiency-command.v1',
    keyField: 'caseId',
    summary:
      'Tolerated deficiencies were not supplemented by their deadline: intake records the lapse (intake.tolerated-deficiency-lapsed.v1) and a refusal decision with reasons follows (R-ACC-2), unless the supplement already arrived.',
    requirements: ['R-ACC-2'],
    schema: z.object({
      ...commandFields,
      deadline: CalendarDate.describe('The supplement deadline on the tolerated-deficiency notice.'),
    }),
});

export const deemRenewalGrantedCommandV1 = defineIntegrationEvent({
    type: 'supervision.deem-renewal-granted-command.v1',
    keyField: 'caseId',
    summary:
      'A renewal applied for in time was not decided before the licence expired: review records it as deemed granted (review.renewal-deemed-granted.v1), unless it already decided (R-REV-4, Licensing Law Art. 50).',
    requirements: ['R-REV-4'],
    schema: z.object({
      ...commandFields,
      licenceId: OpaqueId,
      previousExpiry: CalendarDate,
    }),
});

export const supervisionCommands = [deemAcceptanceCommandV1, lapseToleratedDeficiencyCommandV1, deemRenewalGrantedCommandV1] as const;
