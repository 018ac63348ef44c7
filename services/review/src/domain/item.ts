/**
 * What review knows about a catalog item (stream `reviewitem-<itemCode>`):
 * - every guide version the catalog published (`catalog.guide-published`):
 *   name, result, implementing body, limits (R-CAT-14: a case stays bound to
 *   its version) and, since v2, the facts review decides by: collective
 *   decision by law (R-REV-5), e-licence and abolished paper (R-REV-3),
 *   validity and renewal lead time (R-REV-4), collaboration (R-COLLAB-1);
 * - an administrator's review profile (`PUT /review/items/:code/profile`),
 *   an override of the first four.
 *
 * Which facts a case gets (`itemFactsOf`), for the guide version it binds to:
 * 1. the profile, when it was set after that version was noted (an explicit
 *    correction of what the catalog said) or the version is not known yet
 *    and no version was noted after the profile;
 * 2. otherwise the version's own facts: a guide version noted after the
 *    profile wins, so the override lasts until the catalog publishes again;
 * 3. facts a version does not state (licence `null`: a result that is no
 *    document, or a version noted before v2 / upcast from v1) come from the
 *    profile if there is one, else the cautious default: no collective
 *    decision, paper licence, no expiry, 30 calendar days' lead time.
 * Collaboration comes from the guide only; a submission's own collaboration
 * set-up wins over it (`ReviewService.openReview`).
 */
import { z } from 'zod';
import { ValidationError } from '@govsvc/errors/errors';
import type { Decider } from '@govsvc/eventstore/decider';
import type { EventDefinitions } from '@govsvc/eventstore/event-codec';
import { Department, Id, Instant, ItemFacts, StaffRef } from './values.ts';

/** The facts a guide version states (catalog.guide-published.v2); null on versions noted before v2. */
export const GuideFacts = z.object({
  collectiveDecision: ItemFacts.shape.collectiveDecision,
  licence: ItemFacts.shape.licence.nullable(),
  collaboration: z.object({ leadDepartment: Department, assistingDepartments: z.array(Department).min(1) }).nullable(),
});
export type GuideFacts = z.infer<typeof GuideFacts>;

export const GuideNoted = z.object({
  itemCode: Id,
  guideVersion: z.string().min(1).max(40),
  itemName: z.string().min(1).max(200),
  resultName: z.string().min(1).max(200),
  implementingBody: Department,
  promisedLimitWorkingDays: z.int().min(1).max(365),
  statutoryLimitWorkingDays: z.int().min(1).max(365),
  publishedAt: Instant,
  // Absent in events noted before the catalog published these facts.
  facts: GuideFacts.nullable().default(null),
});
export type GuideNoted = z.output<typeof GuideNoted>;

export const ReviewProfile = z.object({
  collectiveDecision: ItemFacts.shape.collectiveDecision,
  licence: ItemFacts.shape.licence,
});
export type ReviewProfile = z.infer<typeof ReviewProfile>;
export type ReviewProfileInput = z.input<typeof ReviewProfile>;

export const ReviewProfileSet = ReviewProfile.extend({ itemCode: Id, setBy: StaffRef, setAt: Instant });

export type ItemEvent =
  | { type: 'GuideNoted'; data: z.output<typeof GuideNoted> }
  | { type: 'ReviewProfileSet'; data: z.output<typeof ReviewProfileSet> };

export const itemEventDefinitions: EventDefinitions<ItemEvent> = {
  GuideNoted: { schemaVersion: 1, schema: GuideNoted },
  ReviewProfileSet: { schemaVersion: 1, schema: ReviewProfileSet },
};

export interface ItemState {
  /** Each noted version with its position in the stream's order of noting. */
  readonly guides: ReadonlyMap<string, GuideNoted & { readonly order: number }>;
  readonly profile: ReviewProfile | null;
  /** How many versions were noted when the profile was set: versions noted later win over it. */
  readonly profileSetAfter: number;
}

export type ItemCommand =
  | { type: 'NoteGuide'; data: z.input<typeof GuideNoted> }
  | { type: 'SetReviewProfile'; data: z.output<typeof ReviewProfileSet> };

export const itemStream = (itemCode: string): string => `reviewitem-${itemCode}`;

export const DEFAULT_PROFILE: ReviewProfile = {
  collectiveDecision: { required: false, legalBasis: null },
  licence: { electronicAvailable: false, paperAbolished: false, validityMonths: null, renewalLeadDays: 30, renewalLeadUnit: 'calendar-days' },
};

export const itemDecider: Decider<ItemState, ItemCommand, ItemEvent> = {
  initialState: () => ({ guides: new Map(), profile: null, profileSetAfter: 0 }),
  evolve(state, event) {
    switch (event.type) {
      case 'GuideNoted':
        return { ...state, guides: new Map(state.guides).set(event.data.guideVersion, { ...event.data, order: state.guides.size }) };
      case 'ReviewProfileSet':
        return { ...state, profile: { collectiveDecision: event.data.collectiveDecision, licence: event.data.licence }, profileSetAfter: state.guides.size };
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'NoteGuide':
        // A republished version (redelivery) is noted once: versions are immutable in the catalog.
        return state.guides.has(command.data.guideVersion) ? [] : [{ type: 'GuideNoted', data: GuideNoted.parse(command.data) }];
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

/** The item facts a case binds to: its guide version's, or the administrator's override (precedence in the header). */
export function itemFactsOf(
  state: ItemState,
  itemCode: string,
  guideVersion: string,
): ItemFacts & { guideKnown: boolean; implementingBody: string | null; collaboration: GuideFacts['collaboration'] } {
  const guide = state.guides.get(guideVersion);
  // An unknown version is treated as the newest: it wins over the profile only if some version was noted after it.
  const latest = [...state.guides.values()].reduce<(GuideNoted & { order: number }) | undefined>((a, g) => (a === undefined || g.order > a.order ? g : a), undefined);
  const overriding = state.profile !== null && (guide ? guide.order < state.profileSetAfter : state.guides.size <= state.profileSetAfter);
  const stated = guide ? guide.facts : (latest?.facts ?? null);
  const fallback = state.profile ?? DEFAULT_PROFILE;
  const collectiveDecision = overriding ? fallback.collectiveDecision : (stated?.collectiveDecision ?? fallback.collectiveDecision);
  const licence = overriding ? fallback.licence : (stated?.licence ?? fallback.licence);
  return {
    itemCode,
    guideVersion,
    // Unknown guide (catalog events not seen yet): the code stands in for the name rather than blocking the review.
    itemName: guide?.itemName ?? itemCode,
    resultName: guide?.resultName ?? itemCode,
    collectiveDecision,
    licence,
    guideKnown: guide !== undefined,
    implementingBody: guide?.implementingBody ?? null,
    collaboration: stated?.collaboration ?? null,
  };
}
