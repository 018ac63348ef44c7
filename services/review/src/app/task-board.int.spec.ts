/**
 * The task board over PostgreSQL when appends commit out of global-position order (ADR 0002's
 * race): case A's ReviewOpened takes position N and stays open, case B's takes N+1 and commits. A
 * board paging `readAll` after its last folded event (as it did until 2026-11-27) shows B, moves
 * past N, and never shows A's decision task. Started, it tails with a catch-up subscription, waits
 * for A and shows both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeWithHeldCommits, type StoreWithHeldCommits } from '@govsvc/eventstore/postgres/held-commits';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { APPLICANT_REF, reviewHarness, type Harness } from '../test-harness.ts';
import { TaskBoard } from './task-board.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ITEM_CODE = '11110000000021467Q4110105000';

describe('review task board: a case opened after a later one commits first (PostgreSQL)', () => {
  let schema: IsolatedSchema;
  let held: StoreWithHeldCommits;
  let h: Harness;

  beforeAll(async () => {
    schema = await createIsolatedSchema('review_task_board');
    held = await storeWithHeldCommits(schema.connectionString);
    h = await reviewHarness(held.store);
  });
  afterAll(async () => {
    await h?.close();
    await held?.store.close();
    await schema?.drop();
  });

  it('R-REV-1: the lead sees both decision tasks: the board waits for the review still committing instead of moving past it', async () => {
    const ctx = (caseId: string) => ({ actor: { id: 'intake', role: 'integration' }, correlationId: `corr-${caseId}` });
    for (const caseId of ['BJ-2026-000301', 'BJ-2026-000302']) {
      await h.module.service.noteSubmission(
        {
          caseId,
          itemCode: ITEM_CODE,
          guideVersion: '3',
          applicant: { kind: 'person', maskedId: '110105********002X', ref: APPLICANT_REF },
          collaboration: null,
          materials: [{ materialId: 'm1', name: '营业执照' }],
          submittedAt: '2026-03-02T01:00:00.000Z',
        },
        ctx(caseId),
      );
    }
    const open = (caseId: string) =>
      h.module.service.openReview(
        {
          caseId,
          itemCode: ITEM_CODE,
          guideVersion: '3',
          receiptId: `RCPT-${caseId}`,
          acceptedOn: '2026-03-02',
          decisionDue: { date: '2026-03-16', provisional: false },
          statutoryDue: { date: '2026-03-30', provisional: false },
          acceptedByDepartment: 'market-regulation',
        },
        ctx(caseId),
      );
    const board = new TaskBoard(held.store);
    board.start();
    try {
      expect(await board.tasksOf('market-regulation')).toEqual([]);
      const commitOfA = held.holdNextCommit();
      const openingA = open('BJ-2026-000301');
      await commitOfA.written; // A's ReviewOpened is written (position N), not committed
      await open('BJ-2026-000302'); // N + 1, committed

      const answered = board.tasksOf('market-regulation').then(() => 'answered');
      expect(await Promise.race([answered, sleep(300).then(() => 'waiting for A')])).toBe('waiting for A');
      commitOfA.release();
      await openingA;
      await answered;
      expect((await board.tasksOf('market-regulation')).map((t) => t.caseId)).toEqual(['BJ-2026-000301', 'BJ-2026-000302']);
    } finally {
      await board.stop();
    }
  });
});
