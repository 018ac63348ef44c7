/**
 * The events of one deadline's stream (`deadline-<id>`): its life from
 * opening through warning (预警), yellow card at breach, red card when the
 * follow-up (督办) is missed too, the automatic outcome the law names, to its
 * closing. Every event carries the deadline and case ids so projections need
 * no other source.
 */
import { z } from 'zod';
import { civilDateSchema } from '@govsvc/calendar/schedule';
import { SUSPENSION_REASONS, type SuspensionReason } from '@govsvc/calendar/suspension';
import type { EventDefinitions } from '@govsvc/eventstore/event-codec';
import { AUTOMATIC_OUTCOMES, DEADLINE_KINDS } from './kinds.ts';

const instant = z.iso.datetime({ offset: true });
const reasonKeys = Object.keys(SUSPENSION_REASONS) as [SuspensionReason, ...SuspensionReason[]];

const ids = { deadlineId: z.string().min(1), caseId: z.string().min(1) };

const scheduleFields = {
  due: civilDateSchema,
  dueAt: instant,
  warnAt: instant,
  provisional: z.boolean(),
  calendarVersion: z.string(),
};

export const ownerSchema = z.object({
  department: z.string().nullable(),
  centre: z.string().nullable(),
  itemCode: z.string().nullable(),
  itemName: z.string().nullable(),
  guideVersion: z.string().nullable(),
});
export type Owner = z.infer<typeof ownerSchema>;

export const deadlineOpenedSchema = z.object({
  ...ids,
  kind: z.enum(DEADLINE_KINDS),
  step: z.string().min(1),
  openedAt: instant,
  start: civilDateSchema,
  unit: z.enum(['working-days', 'calendar-days']),
  amount: z.int().min(0),
  ...scheduleFields,
  warning: z.object({ minUnits: z.int().min(0), fraction: z.number().min(0).max(1) }),
  followUpWorkingDays: z.int().min(1),
  automaticOutcome: z.enum(AUTOMATIC_OUTCOMES).nullable(),
  owner: ownerSchema,
  /** The contract event that opened it. */
  cause: z.string(),
});

export const deadlineSuspendedSchema = z.object({
  ...ids,
  suspensionId: z.string().min(1),
  from: civilDateSchema,
  reason: z.enum(reasonKeys),
  at: instant,
});

export const deadlineResumedSchema = z.object({
  ...ids,
  suspensionId: z.string().min(1),
  from: civilDateSchema,
  until: civilDateSchema,
  reason: z.enum(reasonKeys),
  at: instant,
  ...scheduleFields,
});

export const deadlineExtendedSchema = z.object({
  ...ids,
  extensionId: z.string().min(1),
  units: z.int().min(1),
  reason: z.string(),
  approvedBy: z.string().nullable(),
  at: instant,
  oldDue: civilDateSchema,
  ...scheduleFields,
});

export const deadlineRecomputedSchema = z.object({
  ...ids,
  at: instant,
  oldDue: civilDateSchema,
  ...scheduleFields,
  why: z.string(),
  cause: z.object({ year: z.int(), version: z.int(), notice: z.string() }),
});

export const deadlineWarnedSchema = z.object({
  ...ids,
  at: instant,
  due: civilDateSchema,
  dueAt: instant,
  remainingUnits: z.int().min(0),
});

export const deadlineBreachedSchema = z.object({
  ...ids,
  card: z.literal('yellow'),
  at: instant,
  due: civilDateSchema,
  dueAt: instant,
  followUpDue: civilDateSchema,
  followUpDueAt: instant,
});

export const deadlineEscalatedSchema = z.object({
  ...ids,
  card: z.literal('red'),
  at: instant,
  followUpDue: civilDateSchema,
  followUpDueAt: instant,
});

export const automaticOutcomeRequestedSchema = z.object({
  ...ids,
  outcome: z.enum(AUTOMATIC_OUTCOMES),
  /** Deterministic per deadline and outcome: the owning service deduplicates on it. */
  commandId: z.uuid(),
  at: instant,
  /** What the command needs beyond the deadline (licence id, date received …). */
  details: z.record(z.string(), z.string()),
});

export const deadlineClosedSchema = z.object({
  ...ids,
  at: instant,
  resolution: z.enum(['met', 'late', 'cancelled', 'automatic-outcome']),
  cause: z.string(),
});

export type DeadlineOpened = { type: 'DeadlineOpened'; data: z.infer<typeof deadlineOpenedSchema> };
export type DeadlineSuspended = { type: 'DeadlineSuspended'; data: z.infer<typeof deadlineSuspendedSchema> };
export type DeadlineResumed = { type: 'DeadlineResumed'; data: z.infer<typeof deadlineResumedSchema> };
export type DeadlineExtended = { type: 'DeadlineExtended'; data: z.infer<typeof deadlineExtendedSchema> };
export type DeadlineRecomputed = { type: 'DeadlineRecomputed'; data: z.infer<typeof deadlineRecomputedSchema> };
export type DeadlineWarned = { type: 'DeadlineWarned'; data: z.infer<typeof deadlineWarnedSchema> };
export type DeadlineBreached = { type: 'DeadlineBreached'; data: z.infer<typeof deadlineBreachedSchema> };
export type DeadlineEscalated = { type: 'DeadlineEscalated'; data: z.infer<typeof deadlineEscalatedSchema> };
export type AutomaticOutcomeRequested = { type: 'AutomaticOutcomeRequested'; data: z.infer<typeof automaticOutcomeRequestedSchema> };
export type DeadlineClosed = { type: 'DeadlineClosed'; data: z.infer<typeof deadlineClosedSchema> };

export type DeadlineEvent =
  | DeadlineOpened
  | DeadlineSuspended
  | DeadlineResumed
  | DeadlineExtended
  | DeadlineRecomputed
  | DeadlineWarned
  | DeadlineBreached
  | DeadlineEscalated
  | AutomaticOutcomeRequested
  | DeadlineClosed;

export const DEADLINE_EVENT_TYPES = [
  'DeadlineOpened',
  'DeadlineSuspended',
  'DeadlineResumed',
  'DeadlineExtended',
  'DeadlineRecomputed',
  'DeadlineWarned',
  'DeadlineBreached',
  'DeadlineEscalated',
  'AutomaticOutcomeRequested',
  'DeadlineClosed',
] as const satisfies readonly DeadlineEvent['type'][];

export const deadlineEventDefinitions: EventDefinitions<DeadlineEvent> = {
  DeadlineOpened: { schemaVersion: 1, schema: deadlineOpenedSchema },
  DeadlineSuspended: { schemaVersion: 1, schema: deadlineSuspendedSchema },
  DeadlineResumed: { schemaVersion: 1, schema: deadlineResumedSchema },
  DeadlineExtended: { schemaVersion: 1, schema: deadlineExtendedSchema },
  DeadlineRecomputed: { schemaVersion: 1, schema: deadlineRecomputedSchema },
  DeadlineWarned: { schemaVersion: 1, schema: deadlineWarnedSchema },
  DeadlineBreached: { schemaVersion: 1, schema: deadlineBreachedSchema },
  DeadlineEscalated: { schemaVersion: 1, schema: deadlineEscalatedSchema },
  AutomaticOutcomeRequested: { schemaVersion: 1, schema: automaticOutcomeRequestedSchema },
  DeadlineClosed: { schemaVersion: 1, schema: deadlineClosedSchema },
};
