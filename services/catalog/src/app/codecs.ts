/** Store codecs of the catalog's own streams: schema versions on write, parsing (and upcasting) on read. */
import { zodEventCodec } from '@govsvc/eventstore/event-codec';
import { guideEventDefinitions, type GuideEvent } from '../domain/guide/events.ts';
import { proofEventDefinitions, type ProofEvent } from '../domain/proofs/events.ts';

export const guideCodec = zodEventCodec<GuideEvent>(guideEventDefinitions);
export const proofCodec = zodEventCodec<ProofEvent>(proofEventDefinitions);
