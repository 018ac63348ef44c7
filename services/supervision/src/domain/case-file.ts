/**
 * What supervision remembers about a case to own its deadlines: the item,
 * guide version, service centre and department the case belongs to (the
 * console filters and the cards go against them), and which deadlines it
 * opened (so a contract that ends "the acceptance stage" closes every
 * acceptance deadline of the case). Also the guide facts per item and
 * version (type and limits), learned from catalog.guide-published.
 * Kept in supervision's own streams: the bus's offsets move on, these stay.
 */
import { z } from 'zod';
import { civilDateSchema } from '@govsvc/calendar/schedule';
import type { Decider } from '@govsvc/eventstore/decider';
import type { EventDefinitions } from '@govsvc/eventstore/event-codec';
import { DEADLINE_KINDS, type DeadlineKind } from './kinds.ts';

export const caseFileStream = (caseId: string): string => `supervisedcase-${caseId}`;
export const guideFileStream = (itemCode: string): string => `supervisedguide-${itemCode}`;

export const contextPatchSchema = z.object({
  itemCode: z.string().optional(),
  itemName: z.string().optional(),
  guideVersion: z.string().optional(),
  centre: z.string().nullable().optional(),
  department: z.string().optional(),
  receivedOn: civilDateSchema.optional(),
});
export type ContextPatch = z.infer<typeof contextPatchSchema>;

const trackedSchema = z.object({ deadlineId: z.string(), kind: z.enum(DEADLINE_KINDS), step: z.string() });
export type TrackedDeadline = z.infer<typeof trackedSchema>;
/** A deadline as the case file keeps it: only these three fields, whatever else the source carries. */
const trackedOf = ({ deadlineId, kind, step }: TrackedDeadline): TrackedDeadline => ({ deadlineId, kind, step });

export type CaseFileEvent =
  | { type: 'CaseContextNoted'; data: { caseId: string; patch: ContextPatch; cause: string } }
  /** Every deadline one contract opens, in one event (the case file's rows are a tenth of all stored: issue 8). */
  | { type: 'DeadlinesTracked'; data: { caseId: string; deadlines: TrackedDeadline[] } }
  /** One deadline: what case files recorded before DeadlinesTracked; still read. */
  | { type: 'DeadlineTracked'; data: { caseId: string } & TrackedDeadline };

export const caseFileEventDefinitions: EventDefinitions<CaseFileEvent> = {
  CaseContextNoted: { schemaVersion: 1, schema: z.object({ caseId: z.string(), patch: contextPatchSchema, cause: z.string() }) },
  DeadlinesTracked: { schemaVersion: 1, schema: z.object({ caseId: z.string(), deadlines: z.array(trackedSchema).min(1) }) },
  DeadlineTracked: { schemaVersion: 1, schema: trackedSchema.extend({ caseId: z.string() }) },
};

export interface CaseContext {
  readonly itemCode: string | null;
  readonly itemName: string | null;
  readonly guideVersion: string | null;
  readonly centre: string | null;
  readonly department: string | null;
  readonly receivedOn: string | null;
  readonly deadlines: readonly TrackedDeadline[];
}

export const emptyCaseContext = (): CaseContext => ({
  itemCode: null,
  itemName: null,
  guideVersion: null,
  centre: null,
  department: null,
  receivedOn: null,
  deadlines: [],
});

export type CaseFileCommand =
  | { type: 'NoteContext'; caseId: string; patch: ContextPatch; cause: string }
  /** Every deadline one contract opens, recorded in one append before any of them is opened. */
  | { type: 'TrackDeadlines'; caseId: string; deadlines: readonly TrackedDeadline[] };

export const caseFileDecider: Decider<CaseContext, CaseFileCommand, CaseFileEvent> = {
  initialState: emptyCaseContext,
  decide(command, state) {
    if (command.type === 'TrackDeadlines') {
      // Each deadline once, whatever was tracked before or repeats in the command (a redelivered contract adds nothing).
      const known = new Set(state.deadlines.map((d) => d.deadlineId));
      const deadlines = command.deadlines.flatMap((deadline) => {
        if (known.has(deadline.deadlineId)) return [];
        known.add(deadline.deadlineId);
        return [trackedOf(deadline)];
      });
      return deadlines.length === 0 ? [] : [{ type: 'DeadlinesTracked' as const, data: { caseId: command.caseId, deadlines } }];
    }
    // Only what changes is recorded, so redelivered contracts add nothing.
    const changed = Object.fromEntries(
      Object.entries(command.patch).filter(([key, value]) => value !== undefined && (state as unknown as Record<string, unknown>)[key] !== value),
    ) as ContextPatch;
    if (Object.keys(changed).length === 0) return [];
    return [{ type: 'CaseContextNoted', data: { caseId: command.caseId, patch: changed, cause: command.cause } }];
  },
  evolve(state, event) {
    if (event.type === 'DeadlinesTracked') return { ...state, deadlines: [...state.deadlines, ...event.data.deadlines.map(trackedOf)] };
    if (event.type === 'DeadlineTracked') return { ...state, deadlines: [...state.deadlines, trackedOf(event.data)] };
    const patch = Object.fromEntries(Object.entries(event.data.patch).filter(([, v]) => v !== undefined));
    return { ...state, ...patch };
  },
};

export const trackedOfKind = (context: CaseContext, kind: DeadlineKind): TrackedDeadline[] => context.deadlines.filter((d) => d.kind === kind);

/** The facts of one guide version supervision needs: is it a licensing item (Art. 32 applies), and its limits. */
export const guideFactsSchema = z.object({
  itemCode: z.string(),
  guideVersion: z.string(),
  itemName: z.string(),
  itemType: z.string(),
  implementingBody: z.string(),
  promisedLimitWorkingDays: z.int(),
  statutoryLimitWorkingDays: z.int(),
});
export type GuideFacts = z.infer<typeof guideFactsSchema>;

export type GuideFileEvent = { type: 'GuideNoted'; data: GuideFacts };
export const guideFileEventDefinitions: EventDefinitions<GuideFileEvent> = { GuideNoted: { schemaVersion: 1, schema: guideFactsSchema } };

export const guideFileDecider: Decider<readonly GuideFacts[], { type: 'NoteGuide'; facts: GuideFacts }, GuideFileEvent> = {
  initialState: () => [],
  decide: (command, state) => (state.some((g) => g.guideVersion === command.facts.guideVersion) ? [] : [{ type: 'GuideNoted', data: command.facts }]),
  evolve: (state, event) => [...state, event.data],
};
