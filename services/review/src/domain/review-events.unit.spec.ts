import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileCheck } from '@govsvc/schema-check/compiled-check';
import { chief, handler, handlerSignedApproval, opened, seal } from './fixtures.ts';
import { reviewDecider } from './review-decider.ts';
import { DecisionDraft, DecisionMade, type ReviewEvent } from './review-events.ts';

/** The earlier definition, z.intersection(DecisionDraft, decision fields): stored decisions were checked with it. */
const asIntersection = z.intersection(DecisionDraft, DecisionMade.options[0].omit({ outcome: true }));

const decided = (history: ReviewEvent[], at = '2026-03-10T02:00:00.000Z') => {
  const state = history.reduce(reviewDecider.evolve, reviewDecider.initialState());
  const events = reviewDecider.decide({ type: 'SignDecision', data: { role: 'chief-representative', signer: chief, signedAt: at, decisionId: 'DEC-42', seal } }, state);
  return events.find((e) => e.type === 'DecisionMade')!.data as Record<string, unknown>;
};

describe('DecisionMade (R-REV-5)', () => {
  const refusal: DecisionDraft = { outcome: 'refuse', reasons: [{ text: '不符合条件' }], contact: { department: 'market-regulation', phone: '12345', address: null } };
  const handlerSignedRefusal: ReviewEvent = { type: 'DecisionSigned', data: { role: 'handler', signer: handler, signedAt: '2026-03-09T02:00:00.000Z', draft: refusal } };
  const approval = decided([opened(), handlerSignedApproval()]);
  const refused = decided([opened(), handlerSignedRefusal]);

  it('is checked without zod’s copy, and reads stored approvals and refusals as the intersection did', () => {
    const check = compileCheck(DecisionMade);
    expect(check).not.toBeNull();
    for (const decision of [approval, refused]) {
      expect(check!(decision)).toBe(true);
      expect(DecisionMade.parse(decision)).toEqual(decision);
      expect(DecisionMade.parse(decision)).toEqual(asIntersection.parse(decision));
    }
    expect(refused).toMatchObject({ outcome: 'refuse', reasons: [{ text: '不符合条件' }] });
  });

  it('refuses and strips what the intersection refused and stripped', () => {
    const cases: unknown[] = [
      { ...approval, reasons: [{ text: '不符合条件' }] }, // an approval's stray reasons: stripped
      { ...refused, reasons: [] }, // a refusal needs a reason
      { ...approval, outcome: 'defer' },
      { ...approval, signatures: [] },
      { ...refused, contact: undefined },
    ];
    for (const value of cases) {
      const now = DecisionMade.safeParse(value);
      const before = asIntersection.safeParse(value);
      expect(now.success).toBe(before.success);
      if (now.success && before.success) expect(now.data).toEqual(before.data);
      expect(compileCheck(DecisionMade)!(value)).toBe(false);
    }
  });
});
