/**
 * The read side over PostgreSQL when appends commit out of global-position order (ADR 0002's race):
 * rating A takes position N and stays open, rating B takes N+1 and commits. A reader that pages by
 * position (the read side polled `readAll` after its position until 2026-11-27) folds B, moves past
 * N, and never sees A. Tailing with a catch-up subscription, the read side waits for A and folds both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeWithHeldCommits, type StoreWithHeldCommits } from '@govsvc/eventstore/postgres/held-commits';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { EvaluationProjection } from '../src/app/projection.ts';
import { ratingStatistics } from '../src/domain/statistics.ts';
import { APPLICANT_REF, evaluationHarness, type Harness } from '../src/test-harness.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('evaluation read side: a rating that commits after a later one (PostgreSQL)', () => {
  let schema: IsolatedSchema;
  let held: StoreWithHeldCommits;
  let h: Harness;
  const ctx = { actor: { id: 'test', role: 'integration' }, correlationId: 'c' };

  beforeAll(async () => {
    schema = await createIsolatedSchema('evaluation_read_side');
    held = await storeWithHeldCommits(schema.connectionString);
    h = await evaluationHarness(held.store);
  });
  afterAll(async () => {
    await h?.close();
    await held?.store.close();
    await schema?.drop();
  });

  it('R-EVAL-4: counts both ratings: it waits for the one still committing instead of moving past it', async () => {
    for (const caseId of ['C-A', 'C-B']) {
      await h.module.service.registerCase({ caseId, itemCode: 'ITEM-1', applicantRef: APPLICANT_REF, serviceCentre: null, leadDepartment: 'D', submittedAt: '2026-03-02T01:00:00.000Z' }, ctx);
    }
    const projection = new EvaluationProjection(held.store);
    projection.start();
    try {
      await projection.catchUp();
      const rating = (caseId: string) =>
        h.module.service.submitRating(caseId, { occasion: { kind: 'online', occasionId: caseId }, channel: 'website', level: 'satisfied', indicators: {}, comment: null, named: false }, APPLICANT_REF, ctx);

      const commitOfA = held.holdNextCommit();
      const ratingA = rating('C-A');
      await commitOfA.written; // A's row is written (position N), its transaction not committed
      await rating('C-B'); // N + 1, committed

      // A reader going by position would answer now with B alone, and never look behind B again.
      const answered = projection.catchUp().then(() => 'answered');
      expect(await Promise.race([answered, sleep(300).then(() => 'waiting for A')])).toBe('waiting for A');

      commitOfA.release();
      await ratingA;
      await answered;
      await projection.catchUp();
      expect(ratingStatistics(projection.statistics, { groupBy: 'all', asOf: '2026-04-01T00:00:00.000Z' }).total.ratings).toBe(2);
    } finally {
      await projection.stop();
    }
  });
});
