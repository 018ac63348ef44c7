/**
 * Two fault rows of the reliability matrix (issue 9) at the store's own
 * level, on the real PostgreSQL:
 * - an ambiguous append: the commit succeeded, the caller saw a timeout and
 *   retries the same events; the retry is a no-op that answers like the first;
 * - a writer transaction held open for 20 s while 1,000 other appends commit:
 *   no subscriber skips the held event (ADR 0002's horizon holds that long).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { UnavailableError } from '@govsvc/errors/errors';
import type { StoredEvent } from '../port.ts';
import type { SqlDriver } from '../sql/executor.ts';
import { createSqlEventStore, type SqlEventStore } from '../sql/sql-event-store.ts';
import { newEvent, newEvents } from '../test-fixtures.ts';
import { createPgDriver } from './pg-client.ts';

/** What a connection lost after COMMIT looks like to the caller: the work is done, the answer is lost. */
class AnswerLost extends Error {
  readonly code = 'ECONNRESET';
  constructor() {
    super('read ECONNRESET: the connection went away after COMMIT was sent');
  }
}

interface FaultyDriver extends SqlDriver {
  /** The next write commits, then throws `AnswerLost`. */
  loseNextAnswer(): void;
  /** The next write holds its transaction open before COMMIT until `release` resolves. */
  holdNext(atCommit: () => void, release: Promise<void>): void;
}

function faulty(driver: SqlDriver): FaultyDriver {
  let loseAnswer = false;
  let hold: { atCommit: () => void; release: Promise<void> } | null = null;
  const afterCommit = <T>(result: T): T => {
    if (!loseAnswer) return result;
    loseAnswer = false;
    throw new AnswerLost();
  };
  const transaction: SqlDriver['transaction'] = async (work) =>
    afterCommit(
      await driver.transaction(async (tx) => {
        const result = await work(tx);
        const held = hold;
        if (held) {
          hold = null;
          held.atCommit();
          await held.release;
        }
        return result;
      }),
    );
  return {
    ...driver,
    transaction,
    // The one-statement append (ADR 0005) goes through a transaction here so both faults can reach it.
    atomic: (text, params, options) => transaction((tx) => tx.query(text, params, options)),
    loseNextAnswer: () => void (loseAnswer = true),
    holdNext: (atCommit, release) => void (hold = { atCommit, release }),
  };
}

describe('PostgreSQL event store under faults (issue 9)', () => {
  let schema: IsolatedSchema;
  let driver: FaultyDriver;
  let store: SqlEventStore;

  beforeAll(async () => {
    schema = await createIsolatedSchema('eventstore_faults');
    driver = faulty(createPgDriver({ connectionString: schema.connectionString, maxConnections: 20 }));
    store = await createSqlEventStore(driver, { pollIntervalMs: 10 });
  });
  afterAll(async () => {
    await store?.close();
    await schema?.drop();
  });

  it('ambiguous append: committed, the caller saw a timeout, the retry with the same events stores nothing twice', async () => {
    const stream = `ambiguous-${randomUUID()}`;
    const events = newEvents(3, 'ApplicationSubmitted');
    driver.loseNextAnswer();
    // The store says what it knows: unavailable, retry (HTTP 503 + Retry-After at the service).
    await expect(store.appendToStream(stream, events, { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(UnavailableError);
    // The caller cannot know: it retries exactly what it sent.
    const retried = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
    expect(retried.nextExpectedRevision).toBe(2n);
    const stored = await store.readStream(stream);
    expect(stored.map((e) => e.id)).toEqual(events.map((e) => e.id));
    // And a later append goes on from there as usual.
    await store.appendToStream(stream, [newEvent('ApplicationAccepted')], { expectedRevision: 2n });
    expect((await store.readStream(stream)).length).toBe(4);
  });

  it('a writer held open for 20 s while 1,000 other appends commit: the subscriber delivers the held event, in commit order, nothing skipped', async () => {
    const category = `held${randomUUID().slice(0, 8)}`;
    const delivered: StoredEvent[] = [];
    const subscription = store.subscribeToAll({ subscriptionId: `held-${randomUUID()}`, filter: { categories: [category] }, batchSize: 200 }, async (events) => {
      delivered.push(...events);
    });
    await subscription.caughtUp();

    let atCommit!: () => void;
    const heldInserted = new Promise<void>((resolve) => (atCommit = resolve));
    let release!: () => void;
    driver.holdNext(atCommit, new Promise<void>((resolve) => (release = resolve)));
    const heldStart = Date.now();
    const held = store.appendToStream(`${category}-held`, [newEvent('ApplicationSubmitted')], { expectedRevision: 'no_stream' });
    await heldInserted; // its row has a global position; it is not committed

    const others: Promise<unknown>[] = [];
    for (let writer = 0; writer < 10; writer++) {
      others.push(
        (async () => {
          for (let i = 0; i < 100; i++) await store.appendToStream(`${category}-w${writer}`, [newEvent('ApplicationSubmitted', { i })], { expectedRevision: i === 0 ? 'no_stream' : BigInt(i - 1) });
        })(),
      );
    }
    await Promise.all(others);
    // While the held transaction is open the subscriber may not run past its position.
    expect(delivered).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 20_000 - (Date.now() - heldStart))));
    expect(delivered).toEqual([]);

    release();
    const heldResult = await held;
    await subscription.caughtUp();
    await subscription.stop();
    expect(delivered).toHaveLength(1_001);
    expect(new Set(delivered.map((e) => e.id)).size).toBe(1_001);
    // Commit order is the writing transaction's id, then the position (ADR 0002); not the position alone:
    // a transaction can draw its position before another that then takes the lower transaction id.
    // (An output column named global_position would be what ORDER BY sorts, as text: hence `position`.)
    const committed = await driver.query<{ position: string }>(
      `SELECT global_position::text AS position FROM events WHERE stream_name LIKE $1 ORDER BY transaction_id, global_position`,
      [`${category}-%`],
    );
    expect(delivered.map((e) => e.globalPosition)).toEqual(committed.map((r) => BigInt(r.position)));
    expect(delivered[0]!.globalPosition).toBe(heldResult.lastGlobalPosition);
    for (let writer = 0; writer < 10; writer++) {
      expect(delivered.filter((e) => e.stream === `${category}-w${writer}`).map((e) => e.revision)).toEqual(Array.from({ length: 100 }, (_, i) => BigInt(i)));
    }
  }, 180_000);
});
