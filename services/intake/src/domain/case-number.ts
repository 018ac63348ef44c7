/**
 * Case numbers: `京<region><yyyymmdd><seq>`, e.g. 京1101052026112600001 —
 * 京, the 6-digit region code of the centre, the Shanghai date of submission
 * and a 5-digit sequence per region and day. Uniqueness is the store's: each
 * (region, day) has one counter stream, and an assignment is appended with
 * the expected revision it was decided on, so two submissions racing for a
 * number cannot both get it (the loser re-reads and takes the next one).
 * Assigning again for the same case id yields the number it already has.
 */
import { z } from 'zod';
import { RuleViolation } from '@govsvc/errors/errors';
import type { Decider } from '@govsvc/eventstore/decider';
import type { EventDefinitions } from '@govsvc/eventstore/event-codec';

export const MAX_SEQUENCE = 99_999;

export const caseNumberEventSchemas = {
  CaseNumberAssigned: z.object({ caseId: z.uuid(), caseNumber: z.string().min(1), sequence: z.int().min(1).max(MAX_SEQUENCE) }),
} as const;
export type CaseNumberEvent = { readonly type: 'CaseNumberAssigned'; readonly data: z.infer<typeof caseNumberEventSchemas.CaseNumberAssigned> };
export const caseNumberEventDefinitions: EventDefinitions<CaseNumberEvent> = { CaseNumberAssigned: { schemaVersion: 1, schema: caseNumberEventSchemas.CaseNumberAssigned } };

export interface AssignCaseNumber {
  readonly caseId: string;
  readonly region: string;
  /** Shanghai civil date of submission. */
  readonly date: string;
}

export interface CaseNumberState {
  readonly assigned: Readonly<Record<string, string>>;
  readonly last: number;
}

export const formatCaseNumber = (region: string, date: string, sequence: number): string =>
  `京${region}${date.replaceAll('-', '')}${String(sequence).padStart(5, '0')}`;

export const caseNumberStream = (region: string, date: string): string => `casenumber-${region}_${date.replaceAll('-', '')}`;

export const caseNumberDecider: Decider<CaseNumberState, AssignCaseNumber, CaseNumberEvent> = {
  initialState: () => ({ assigned: {}, last: 0 }),
  evolve: (state, event) => ({ assigned: { ...state.assigned, [event.data.caseId]: event.data.caseNumber }, last: event.data.sequence }),
  decide(command, state) {
    if (state.assigned[command.caseId] !== undefined) return [];
    const sequence = state.last + 1;
    if (sequence > MAX_SEQUENCE) throw new RuleViolation('R-ACC-1', `no case numbers left for region ${command.region} on ${command.date}`);
    return [{ type: 'CaseNumberAssigned', data: { caseId: command.caseId, caseNumber: formatCaseNumber(command.region, command.date, sequence), sequence } }];
  },
};
