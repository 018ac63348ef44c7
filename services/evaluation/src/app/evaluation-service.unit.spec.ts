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

describe('reads of a case stream for the facts from Kafka (issue 8)', () => {
  it('R-EVAL-1: a new case is registered without a read; a department, once assigned, is kept by the later contracts without a read', async () => {
    const memory = createInMemoryEventStore();
    let reads = 0;
    const counting = new Proxy(memory, {
      get(target, key, receiver) {
        if (key === 'readStream') return (...args: Parameters<typeof memory.readStream>) => (reads++, target.readStream(...args));
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const counted = await evaluationHarness(counting);
    const other = await evaluationHarness(memory); // another instance, writing unseen by `counted`
    try {
      const NEW = 'BJ-2026-000778';
      await counted.module.service.registerCase({ caseId: NEW, itemCode: '110000-FOOD-LIC-01', applicantRef: APPLICANT_REF, serviceCentre: null, leadDepartment: null, submittedAt: '2026-03-02T01:00:00.000Z' }, ctx('intake'));
      await counted.module.service.assignDepartment({ caseId: NEW, department: '东城区市场监督管理局', source: 'acceptance', at: '2026-03-02T02:00:00.000Z' }, ctx('intake'));
      await other.module.service.inviteRating({ caseId: NEW, deliveryMethod: 'electronic', serviceCentre: null, deliveredAt: '2026-03-09T02:00:00.000Z' }, ctx('delivery'));
      expect(reads).toBe(0);

      // The decision's department only fills a gap: held here, the gap is closed, whatever was appended since.
      const later = await counted.module.service.assignDepartment({ caseId: NEW, department: '西城区市场监督管理局', source: 'decision', at: '2026-03-05T02:00:00.000Z' }, ctx('review'));
      expect(later.events).toEqual([]);
      expect(reads).toBe(0);
      const types = (await memory.readStream(evaluationStream(NEW))).map((e) => e.type);
      expect(types).toEqual(['CaseRegistered', 'ResponsibleDepartmentAssigned', 'RatingInvited']);
    } finally {
      await other.close();
      await counted.close();
    }
  });
});
