/**
 * What courier knows of a case, from intake's and delivery's contracts: who
 * owns it (the applicant's opaque ref: they may request pickups and track
 * parcels of their own cases only) and which service centres have a part in
 * it (where it was handed in, where its result is held): their clerks may see
 * its parcels. Stream `couriercase-<caseId>`.
 */
import type { Decider } from '@govsvc/eventstore/decider';
import { z } from 'zod';

const instant = z.iso.datetime({ offset: true });

export const caseOwnerEventSchemas = {
  CaseOwnerRecorded: z.object({ owner: z.uuid(), maskedId: z.string().length(18), recordedAt: instant }),
  CaseCentreRecorded: z.object({ centre: z.string().min(1).max(100), basis: z.enum(['submission', 'pickup']), recordedAt: instant }),
} as const;

type Schemas = typeof caseOwnerEventSchemas;
export type CaseOwnerEvent = { [K in keyof Schemas]: { readonly type: K; readonly data: z.infer<Schemas[K]> } }[keyof Schemas];
export type CaseOwnerCommand =
  | { readonly type: 'RecordCaseOwner'; readonly data: z.infer<Schemas['CaseOwnerRecorded']> }
  | { readonly type: 'RecordCaseCentre'; readonly data: z.infer<Schemas['CaseCentreRecorded']> };
export type CaseOwnerState = { readonly owner: string | null; readonly centres: readonly string[] };

export const caseOwnerDecider: Decider<CaseOwnerState, CaseOwnerCommand, CaseOwnerEvent> = {
  initialState: () => ({ owner: null, centres: [] }),
  decide: (command, state) => {
    switch (command.type) {
      // The applicant of a case does not change; a repeat (or a later event naming the same owner) adds nothing.
      case 'RecordCaseOwner':
        return state.owner === command.data.owner ? [] : [{ type: 'CaseOwnerRecorded', data: command.data }];
      case 'RecordCaseCentre':
        return state.centres.includes(command.data.centre) ? [] : [{ type: 'CaseCentreRecorded', data: command.data }];
    }
  },
  evolve: (state, event) =>
    event.type === 'CaseOwnerRecorded' ? { ...state, owner: event.data.owner } : { ...state, centres: [...state.centres, event.data.centre] },
  // What stays once recorded (Decider.settles): a case's applicant, and every centre it was seen at. A
  // later contract repeating them needs no read to learn that it adds nothing.
  settles: (command, state) =>
    command.type === 'RecordCaseOwner' ? state.owner === command.data.owner : state.centres.includes(command.data.centre),
};
