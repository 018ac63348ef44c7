import pg from 'pg';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgProcessedMessages, type PgProcessedMessages } from './processed-messages-pg.ts';

describe('processed-message record in PostgreSQL (real server)', () => {
  let schema: IsolatedSchema;
  let processed: PgProcessedMessages;
  let probe: pg.Client;

  beforeAll(async () => {
    schema = await createIsolatedSchema('processed-messages');
    processed = createPgProcessedMessages({ connectionString: schema.connectionString, maxConnections: 12 });
    await processed.ensureSchema();
    await processed.ensureSchema(); // idempotent
    probe = new pg.Client({ connectionString: schema.connectionString });
    await probe.connect();
    // The handler's own effect: a projection row written in the record's transaction.
    await probe.query('CREATE TABLE decisions (case_id text PRIMARY KEY, times int NOT NULL)');
  });
  afterAll(async () => {
    await probe?.end();
    await processed?.close();
    await schema?.drop();
  });

  const effectFor = (caseId: string) => async (tx: { query(text: string, values?: unknown[]): Promise<unknown> }) => {
    await tx.query('INSERT INTO decisions (case_id, times) VALUES ($1, 1) ON CONFLICT (case_id) DO UPDATE SET times = decisions.times + 1', [caseId]);
  };
  const timesOf = async (caseId: string) => (await probe.query<{ times: number }>('SELECT times FROM decisions WHERE case_id = $1', [caseId])).rows[0]?.times ?? 0;

  it('commits the effect and the record together; a second delivery is a duplicate with no effect', async () => {
    expect(await processed.wasProcessed('review', 'e-1')).toBe(false);
    expect(await processed.processOnce('review', 'e-1', effectFor('BJ-1'))).toBe('processed');
    expect(await processed.wasProcessed('review', 'e-1')).toBe(true);
    expect(await processed.processOnce('review', 'e-1', effectFor('BJ-1'))).toBe('duplicate');
    expect(await timesOf('BJ-1')).toBe(1);
    // Another consumer is another record.
    expect(await processed.processOnce('delivery', 'e-1', effectFor('BJ-1'))).toBe('processed');
    expect(await timesOf('BJ-1')).toBe(2);
  });

  it('a failing effect leaves neither the effect nor the record, and its error passes unchanged', async () => {
    class ProjectionBroken extends Error {}
    await expect(
      processed.processOnce('review', 'e-2', async (tx) => {
        await effectFor('BJ-2')(tx);
        throw new ProjectionBroken('after the write');
      }),
    ).rejects.toBeInstanceOf(ProjectionBroken);
    expect(await timesOf('BJ-2')).toBe(0);
    expect(await processed.wasProcessed('review', 'e-2')).toBe(false);
    expect(await processed.processOnce('review', 'e-2', effectFor('BJ-2'))).toBe('processed');
    expect(await timesOf('BJ-2')).toBe(1);
  });

  it('race: ten concurrent deliveries of one event (a rebalance hands it to several members) apply the effect once', async () => {
    // Story: every delivery inserts the record first; all but one block on the uncommitted
    // row, and when the first commits they see the conflict. The slow effect widens the window.
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        processed.processOnce('review', 'e-3', async (tx) => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          await effectFor('BJ-3')(tx);
        }),
      ),
    );
    expect(outcomes.filter((o) => o === 'processed')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(9);
    expect(await timesOf('BJ-3')).toBe(1);
  });

  it('race: several processes creating the table at once all succeed', async () => {
    const racers = Array.from({ length: 4 }, () => createPgProcessedMessages({ connectionString: schema.connectionString, table: 'processed_race', maxConnections: 1 }));
    try {
      await Promise.all(racers.map((r) => r.ensureSchema()));
      expect(await racers[0]!.processOnce('c', 'e', async () => undefined)).toBe('processed');
    } finally {
      await Promise.all(racers.map((r) => r.close()));
    }
  });

  it('refuses a table name that is not a plain identifier', () => {
    expect(() => createPgProcessedMessages({ connectionString: schema.connectionString, table: 'x; DROP TABLE decisions' })).toThrow(/table/);
  });
});
