/**
 * Who owns a case, as intake published it (the applicant's opaque ref): an
 * applicant may ask for a pickup and track parcels of their own cases only.
 * Stream `couriercase-<caseId>`.
 */
import type { Decider } from '@govsvc/eventstore/decider';
import { z } from 'zod';

export const caseOwnerEventSchemas = {
  CaseOwnerRecorded: z.object({ owner: z.uuid(), maskedId: z.string().length(18), recordedAt: z.iso.datetime({ offset: true }) }),
} as const;

export type CaseOwnerEvent = { readonly type: 'CaseOwnerRecorded'; readonly data: z.infer<(typeof caseOwnerEventSchemas)['CaseOwnerRecorded']> };
export type CaseOwnerCommand = { readonly type: 'RecordCaseOwner'; readonly data: CaseOwnerEvent['data'] };
export type CaseOwnerState = { readonly owner: string | null };

export const caseOwnerDecider: Decider<CaseOwnerState, CaseOwnerCommand, CaseOwnerEvent> = {
  initialState: () => ({ owner: null }),
  // The applicant of a case does not change; a repeat (or a later event naming the same owner) adds nothing.
  decide: (command, state) => (state.owner === command.data.owner ? [] : [{ type: 'CaseOwnerRecorded', data: command.data }]),
  evolve: (_state, event) => ({ owner: event.data.owner }),
};
