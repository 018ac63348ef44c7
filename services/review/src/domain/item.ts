/**
 * What review knows about a catalog item (stream `reviewitem-<itemCode>`):
 * - every guide version the catalog published (`catalog.guide-published`):
 *   name, result, implementing body, limits (R-CAT-14: a case stays bound to
 *   its version);
 * - the item's review profile: collective decision by law (R-REV-5), e-licence
 *   availability and abolished paper (R-REV-3), validity and renewal lead time
 *   (R-REV-4). `catalog.guide-published.v1` does not carry these yet, so an
 *   administrator sets them here; when the catalog publishes them they are
 *   noted from its contract instead.
 * Without a profile review uses the cautious default: no collective decision,
 * paper licences (no e-licence assumed), no expiry, 30 days renewal lead time.
 */
import { z } from 'zod';
import { ValidationError } from '@govsvc/errors/errors';
import type { Decider } from '@govsvc/eventstore/decider';
import type { EventDefinitions } from '@govsvc/eventstore/event-codec';
import { Department, Id, Instant, ItemFacts, StaffRef } from './values.ts';

export const GuideNoted = z.object({
  itemCode: Id,
  guideVersion: z.string().min(1).max(40),
  itemName: z.string().min(1).max(200),
  resultName: z.string().min(1).max(200),
  implementingBody: Department,
  promisedLimitWorkingDays: z.int().min(1).max(365),
  statutoryLimitWorkingDays: z.int().min(1).max(365),
  publishedAt: Instant,
});

export const ReviewProfile = z.object({
  collectiveDecision: ItemFacts.shape.collectiveDecision,
  licence: ItemFacts.shape.licence,
});
export type ReviewProfile = z.infer<typeof ReviewProfile>;

export const ReviewProfileSet = ReviewProfile.extend({ itemCode: Id, setBy: StaffRef, setAt: Instant });

export type ItemEvent =
  | { type: 'GuideNoted'; data: z.output<typeof GuideNoted> }
  | { type: 'ReviewProfileSet'; data: z.output<typeof ReviewProfileSet> };

export const itemEventDefinitions: EventDefinitions<ItemEvent> = {
  GuideNoted: { schemaVersion: 1, schema: GuideNoted },
  ReviewProfileSet: { schemaVersion: 1, schema: ReviewProfileSet },
};

export interface ItemState {
  readonly guides: ReadonlyMap<string, z.output<typeof GuideNoted>>;
  readonly profile: ReviewProfile | null;
}

export type ItemCommand =
  | { type: 'NoteGuide'; data: z.output<typeof GuideNoted> }
  | { type: 'SetReviewProfile'; data: z.output<typeof ReviewProfileSet> };

export const itemStream = (itemCode: string): string => `reviewitem-${itemCode}`;

export const DEFAULT_PROFILE: ReviewProfile = {
  collectiveDecision: { required: false, legalBasis: null },
  licence: { electronicAvailable: false, paperAbolished: false, validityMonths: null, renewalLeadDays: 30 },
};

export const itemDecider: Decider<ItemState, ItemCommand, ItemEvent> = {
  initialState: () => ({ guides: new Map(), profile: null }),
  evolve(state, event) {
    switch (event.type) {
      case 'GuideNoted':
        return { ...state, guides: new Map(state.guides).set(event.data.guideVersion, event.data) };
      case 'ReviewProfileSet':
        return { ...state, profile: { collectiveDecision: event.data.collectiveDecision, licence: event.data.licence } };
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'NoteGuide':
        // A republished version (redelivery) is noted once: versions are immutable in the catalog.
        return state.guides.has(command.data.guideVersion) ? [] : [{ type: 'GuideNoted', data: command.data }];
      case 'SetReviewProfile': {
        const d = command.data;
        if (!d.licence.electronicAvailable && d.licence.paperAbolished) {
          throw new ValidationError('an item issues at least one licence form', [{ path: '/licence', reason: 'paper abolished and no e-licence', rule: 'R-REV-3' }]);
        }
        if (d.collectiveDecision.required && !d.collectiveDecision.legalBasis) {
          throw new ValidationError('a collective decision is required by law: cite it', [{ path: '/collectiveDecision/legalBasis', reason: 'required', rule: 'R-REV-5' }]);
        }
        const same = state.profile && JSON.stringify(state.profile) === JSON.stringify({ collectiveDecision: d.collectiveDecision, licence: d.licence });
        return same ? [] : [{ type: 'ReviewProfileSet', data: d }];
      }
    }
  },
};

/** The item facts a case binds to: its guide version (when noted) and the current profile. */
export function itemFactsOf(state: ItemState, itemCode: string, guideVersion: string): ItemFacts & { guideKnown: boolean; implementingBody: string | null } {
  const guide = state.guides.get(guideVersion);
  const profile = state.profile ?? DEFAULT_PROFILE;
  return {
    itemCode,
    guideVersion,
    // Unknown guide (catalog events not seen yet): the code stands in for the name rather than blocking the review.
    itemName: guide?.itemName ?? itemCode,
    resultName: guide?.resultName ?? itemCode,
    collectiveDecision: profile.collectiveDecision,
    licence: profile.licence,
    guideKnown: guide !== undefined,
    implementingBody: guide?.implementingBody ?? null,
  };
}
