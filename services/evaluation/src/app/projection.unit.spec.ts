import { afterEach, describe, expect, it } from 'vitest';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import type { EventStore, ReadAllOptions } from '@govsvc/eventstore/port';
import { ratingStatistics } from '../domain/statistics.ts';
import { APPLICANT_REF, evaluationHarness, type Harness } from '../test-harness.ts';
import { EvaluationProjection } from './projection.ts';

let h: Harness | undefined;
afterEach(async () => h?.close());

describe('the read side', () => {
  it('R-EVAL-4: a reader’s catch-up includes what was appended while a poll was already reading', async () => {
    // Story: the poller's readAll has read an empty page and is slow to return; meanwhile a rating is
    // appended and a reader (GET /statistics) asks to catch up. Joining the poller's run would answer
    // without the rating; the reader must get a read of its own after the poller's.
    const store = createInMemoryEventStore();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    const slow = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'readAll') {
          return async (options?: ReadAllOptions) => {
            const page = await target.readAll(options);
            if (first) {
              first = false;
              await gate;
            }
            return page;
          };
        }
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) as EventStore;
    const projection = new EvaluationProjection(slow);
    const polling = projection.catchUp();

    h = await evaluationHarness(store);
    const ctx = { actor: { id: 'test', role: 'integration' }, correlationId: 'c' };
    await h.module.service.registerCase({ caseId: 'C-1', itemCode: 'ITEM-1', applicantRef: APPLICANT_REF, serviceCentre: null, leadDepartment: 'D', submittedAt: '2026-03-02T01:00:00.000Z' }, ctx);
    await h.module.service.submitRating('C-1', { occasion: { kind: 'online', occasionId: 'C-1' }, channel: 'website', level: 'satisfied', indicators: {}, comment: null, named: false }, APPLICANT_REF, ctx);

    const reader = projection.catchUp();
    release();
    await Promise.all([polling, reader]);
    expect(ratingStatistics(projection.statistics, { groupBy: 'all', asOf: '2026-04-01T00:00:00.000Z' }).total.ratings).toBe(1);
  });

  it('R-EVAL-3: a bad rating given before the department was known lands in that department’s inbox once acceptance arrives', async () => {
    const store = createInMemoryEventStore();
    h = await evaluationHarness(store);
    const ctx = { actor: { id: 'test', role: 'integration' }, correlationId: 'c' };
    await h.module.service.registerCase({ caseId: 'C-2', itemCode: 'ITEM-1', applicantRef: APPLICANT_REF, serviceCentre: null, leadDepartment: null, submittedAt: '2026-03-02T01:00:00.000Z' }, ctx);
    await h.module.service.registerCase({ caseId: 'C-3', itemCode: 'ITEM-1', applicantRef: APPLICANT_REF, serviceCentre: null, leadDepartment: null, submittedAt: '2026-03-02T01:00:00.000Z' }, ctx);
    const bad = { channel: 'website' as const, level: 'dissatisfied' as const, indicators: { attitude: 1 }, comment: null, named: false };
    await h.module.service.submitRating('C-2', { ...bad, occasion: { kind: 'online', occasionId: 'C-2' } }, APPLICANT_REF, ctx);
    await h.module.service.submitRating('C-3', { ...bad, occasion: { kind: 'online', occasionId: 'C-3' } }, APPLICANT_REF, ctx);
    const projection = new EvaluationProjection(store);
    await projection.catchUp();
    expect(projection.inbox().map((e) => e.department)).toEqual([null, null]);
    await h.module.service.assignDepartment({ caseId: 'C-2', department: 'D-2', source: 'acceptance', at: '2026-03-10T03:00:00.000Z' }, ctx);
    await projection.catchUp();
    expect(projection.inbox({ department: 'D-2' }).map((e) => e.caseId)).toEqual(['C-2']);
    expect(projection.inbox().find((e) => e.caseId === 'C-3')?.department).toBeNull();
  });

  it('R-EVAL-3: an appeal pending when its rating is excluded on review leaves the supervisors’ list of pending appeals', async () => {
    const store = createInMemoryEventStore();
    h = await evaluationHarness(store);
    const ctx = { actor: { id: 'test', role: 'integration' }, correlationId: 'c' };
    const staff = { staffId: 'S-1', department: 'D-1' };
    await h.module.service.registerCase({ caseId: 'C-4', itemCode: 'ITEM-1', applicantRef: APPLICANT_REF, serviceCentre: null, leadDepartment: 'D-1', submittedAt: '2026-03-02T01:00:00.000Z' }, ctx);
    const rated = await h.module.service.submitRating(
      'C-4',
      { occasion: { kind: 'online', occasionId: 'C-4' }, channel: 'website', level: 'dissatisfied', indicators: { result: 1 }, comment: null, named: false },
      APPLICANT_REF,
      ctx,
    );
    const ratingId = (rated.events[0] as { data: { ratingId: string } }).data.ratingId;
    await h.module.service.verify('C-4', ratingId, { finding: 'unreasonable', note: '无法律依据' }, staff, ctx);
    await h.module.service.giveFeedback('C-4', ratingId, { outcome: 'explained', measures: '说明', feedback: '已说明' }, staff, ctx);
    await h.module.service.appeal('C-4', ratingId, '不认可', APPLICANT_REF, ctx);
    const projection = new EvaluationProjection(store);
    await projection.catchUp();
    expect(projection.inbox({ appeal: 'pending' })).toHaveLength(1);
    await h.module.service.review('C-4', ratingId, { outcome: 'mistaken', reason: '误评' }, 'SUP-1', ctx);
    await projection.catchUp();
    expect(projection.inbox({ appeal: 'pending' })).toEqual([]);
  });
});
