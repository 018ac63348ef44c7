/**
 * Upcasters lift a stored or received payload one version up. Readers always
 * get the current version (registry.ts `upcastToCurrent`); producers only
 * write current versions. Each step is pure and total: every valid old
 * payload has exactly one new form, tested against stored old payloads in
 * `__fixtures__/`.
 */
import type { z } from 'zod';
import type { guidePublishedV1 } from './events/catalog.ts';
import type { guidePublishedV2 } from './events/catalog-guide-published-v2.ts';
import type { caseAcceptedV1, caseAcceptedV2 } from './events/intake.ts';

type CaseAcceptedV1 = z.output<typeof caseAcceptedV1.schema>;
type CaseAcceptedV2 = z.output<typeof caseAcceptedV2.schema>;
type GuidePublishedV1 = z.output<typeof guidePublishedV1.schema>;
type GuidePublishedV2 = z.output<typeof guidePublishedV2.schema>;

const shanghaiDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar day (Asia/Shanghai) an instant falls on: deadlines and effective dates are on that calendar. */
export function shanghaiDateOf(instant: string): string {
  const parts = Object.fromEntries(shanghaiDay.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

export const upcasters = {
  /**
   * Every v1 acceptance was a clerk's decision (v1 could not express deemed
   * acceptance), effective on the day it was made.
   */
  'intake.case-accepted.v1': {
    to: 'intake.case-accepted.v2',
    upcast: (v1: CaseAcceptedV1): CaseAcceptedV2 => ({
      ...v1,
      basis: 'decision',
      effectiveFrom: shanghaiDateOf(v1.acceptedAt),
    }),
  },
  /**
   * v1 stated none of the review facts. The defaults are what review assumed
   * before v2 and what the law assumes when a guide says nothing:
   * - collectiveDecision `{ required: false, legalBasis: null }`: two
   *   signatures conclude (measures Art. 30); the exception must be stated;
   * - licence `null`: not stated (review falls back to an administrator's
   *   profile, else paper only, no expiry, Art. 50's 30 calendar days);
   * - collaboration `null`: the implementing body handles the item alone.
   */
  'catalog.guide-published.v1': {
    to: 'catalog.guide-published.v2',
    upcast: (v1: GuidePublishedV1): GuidePublishedV2 => ({
      ...v1,
      collectiveDecision: { required: false, legalBasis: null },
      licence: null,
      collaboration: null,
    }),
  },
} as const;
