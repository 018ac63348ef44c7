import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RuleViolation } from '@govsvc/errors/errors';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { APPLICANT_REF, evaluationHarness, type Harness } from '../test-harness.ts';
import { evaluationStream } from './streams.ts';

const CASE = 'BJ-2026-000777';
const ctx = (id: string) => ({ actor: { id, role: 'applicant' }, correlationId: `corr-${id}` });
const rating = { occasion: { kind: 'online' as const, occasionId: CASE }, channel: 'website' as const, level: 'satisfied' as const, indicators: {}, comment: null, named: false };
let h: Harness;

beforeEach(async () => {
  h = await evaluationHarness(createInMemoryEventStore());
  await h.module.service.registerCase(
    { caseId: CASE, itemCode: '110000-FOOD-LIC-01', applicantRef: APPLICANT_REF, serviceCentre: null, leadDepartment: null, submittedAt: '2026-03-02T01:00:00.000Z' },
    ctx('intake'),
  );
});
afterEach(async () => h.close());

describe('races on a case stream', () => {
  it('R-EVAL-2: two ratings of one matter sent at once (both read revision 0, one appends first): one is stored, the other refused by the rule, not left at 412', async () => {
    const results = await Promise.allSettled([
      h.module.service.submitRating(CASE, rating, APPLICANT_REF, ctx('phone-a')),
      h.module.service.submitRating(CASE, { ...rating, channel: 'mobile' }, APPLICANT_REF, ctx('phone-b')),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused?.reason).toBeInstanceOf(RuleViolation);
    expect((refused?.reason as RuleViolation).rule).toBe('R-EVAL-2');
    const stored = await h.store.readStream(evaluationStream(CASE));
    expect(stored.filter((e) => e.type === 'RatingSubmitted')).toHaveLength(1);
  });

  it('R-EVAL-2: a rating racing the delivery fact from Kafka (both read the same revision) is stored too, after the fact', async () => {
    const [rated] = await Promise.all([
      h.module.service.submitRating(CASE, rating, APPLICANT_REF, ctx('rater')),
      h.module.service.inviteRating({ caseId: CASE, deliveryMethod: 'electronic', serviceCentre: null, deliveredAt: '2026-03-09T02:00:00.000Z' }, ctx('delivery')),
    ]);
    expect(rated.events.map((e) => e.type)).toEqual(['RatingSubmitted']);
    const types = (await h.store.readStream(evaluationStream(CASE))).map((e) => e.type);
    expect(types.sort()).toEqual(['CaseRegistered', 'RatingInvited', 'RatingSubmitted']);
  });
});
