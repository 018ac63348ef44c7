/**
 * The decider the command handler's specs run on (specs only): a case takes at most two
 * signatures (R-REV-5), one per signer; signing twice decides nothing.
 */
import { z } from 'zod';
import { RuleViolation } from '@govsvc/errors/errors';
import type { Decider } from './decider.ts';
import { zodEventCodec } from './event-codec.ts';

export type SigningEvent = { type: 'DecisionSigned'; data: { signer: string } };
export type SigningCommand = { type: 'SignDecision'; signer: string };
export type SigningState = { signers: string[] };

export const signingDecider: Decider<SigningState, SigningCommand, SigningEvent> = {
  initialState: () => ({ signers: [] }),
  evolve: (state, event) => ({ signers: [...state.signers, event.data.signer] }),
  decide: (command, state) => {
    if (state.signers.includes(command.signer)) return [];
    if (state.signers.length >= 2) throw new RuleViolation('R-REV-5', 'a case takes at most two signatures');
    return [{ type: 'DecisionSigned', data: { signer: command.signer } }];
  },
};

export const signingCodec = zodEventCodec<SigningEvent>({ DecisionSigned: { schemaVersion: 1, schema: z.object({ signer: z.string().min(1) }) } });
