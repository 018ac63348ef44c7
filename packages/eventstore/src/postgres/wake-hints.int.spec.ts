/**
 * Wake-up hints name the categories written (issue 8): each append path's NOTIFY carries them, and a
 * subscription filtered to other categories is not woken (it does not fetch), while one of the
 * category written is, without waiting for its poll. The poll interval here is a minute, so only a
 * hint can deliver within the test's seconds.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { mayConcern, wakeHintOf } from '../catch-up.ts';
import type { StoredEvent } from '../port.ts';
import type { SqlDriver } from '../sql/executor.ts';
import { createSqlEventStore, type SqlEventStore } from '../sql/sql-event-store.ts';
import { newEvent } from '../test-fixtures.ts';
import { createPgDriver } from './pg-client.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Counts the catch-up reads (the horizon-bounded fetch is the one statement that reads `pg_snapshot_xmin`),
 * and logs, in order, when a statement that writes events starts and ends and when a NOTIFY is sent.
 */
function countingFetches(driver: SqlDriver) {
  let fetches = 0;
  const log: string[] = [];
  const writesEvents = (text: string) => /INSERT INTO events|govsvc_append_planned/.test(text);
  const watched = async <T>(text: string, run: () => Promise<T>): Promise<T> => {
    const tag = writesEvents(text) ? 'append' : text.includes('pg_notify') ? 'notify' : null;
    if (tag === 'append') log.push(`append start${text.includes('pg_notify') ? ' with pg_notify' : ''}`);
    if (tag === 'notify') log.push('notify');
    try {
      return await run();
    } finally {
      if (tag === 'append') log.push('append end');
    }
  };
  const counted: SqlDriver = {
    ...driver,
    query: (text, params, options) => {
      if (text.includes('pg_snapshot_xmin')) fetches += 1;
      return watched(text, () => driver.query(text, params, options));
    },
    atomic: (text, params, options) => watched(text, () => driver.atomic(text, params, options)),
    transaction: (work) => driver.transaction((tx) => work({ query: (text, params, options) => watched(text, () => tx.query(text, params, options)) })),
  };
  return { driver: counted, fetches: () => fetches, log };
}

describe('wake-up hints name the categories written', () => {
  let schema: IsolatedSchema;
  let store: SqlEventStore;
  let fetches: () => number;
  let statements: string[];
  let listener: pg.Client;
  const payloads: string[] = [];

  beforeAll(async () => {
    schema = await createIsolatedSchema('eventstore_wake');
    const counting = countingFetches(createPgDriver({ connectionString: schema.connectionString, maxConnections: 8 }));
    fetches = counting.fetches;
    statements = counting.log;
    store = await createSqlEventStore(counting.driver, { pollIntervalMs: 60_000 });
    listener = new pg.Client({ connectionString: schema.connectionString });
    await listener.connect();
    listener.on('notification', (message) => payloads.push(message.payload ?? ''));
    await listener.query(`LISTEN "${`govsvc_events_${schema.schema}`.slice(0, 63)}"`);
  });
  afterAll(async () => {
    await listener?.end();
    await store?.close();
    await schema?.drop();
  });

  it('reads a hint as text between commas: other categories do not concern a filtered subscriber; no hint, no filter, or a comma inside a category still wake', () => {
    expect(mayConcern(wakeHintOf('deadline,review'), { categories: ['application'] })).toBe(false);
    expect(mayConcern(wakeHintOf('deadline,application'), { categories: ['application'] })).toBe(true);
    expect(mayConcern(wakeHintOf('applications'), { categories: ['application'] })).toBe(false);
    expect(mayConcern(wakeHintOf(''), { categories: ['application'] })).toBe(true);
    expect(mayConcern(undefined, { categories: ['application'] })).toBe(true);
    expect(mayConcern(wakeHintOf('deadline'), undefined)).toBe(true);
    expect(mayConcern(wakeHintOf('deadline'), { eventTypes: ['X'] })).toBe(true);
    expect(mayConcern(wakeHintOf('x,odd,name,y'), { categories: ['odd,name'] })).toBe(true);
  });

  it('every append path notifies the categories it wrote; a subscriber of another category never fetches, one of the category written is woken at once', async () => {
    const mine = `mine${randomUUID().slice(0, 8)}`;
    const other = `other${randomUUID().slice(0, 8)}`;
    const delivered: StoredEvent[] = [];
    const subscription = store.subscribeToAll({ subscriptionId: `wake-${mine}`, filter: { categories: [mine] } }, async (events) => {
      delivered.push(...events);
    });
    await subscription.caughtUp();
    await sleep(100);
    const before = fetches();
    payloads.length = 0;

    // The four paths: the locked one (head unknown, 'any'), the lone-event statement, the function (a lone
    // append of two events), the set-based group.
    await store.appendToStream(`${other}-1`, [newEvent()], { expectedRevision: 'any' });
    await store.appendToStream(`${other}-2`, [newEvent()], { expectedRevision: 'no_stream' });
    await store.appendToStream(`${other}-3`, [newEvent(), newEvent()], { expectedRevision: 'no_stream' });
    await Promise.all(Array.from({ length: 6 }, (_, i) => store.appendToStream(`${other}-g${i}`, [newEvent()], { expectedRevision: 'no_stream' })));
    await sleep(300);
    expect(fetches() - before).toBe(0);
    expect(payloads.length).toBeGreaterThan(0);
    expect(new Set(payloads)).toEqual(new Set([other]));

    // Woken at once: the subscriber fetches within a second of the append. Delivery itself may wait:
    // a transaction held open elsewhere in the cluster (postgres-faults holds one for 20 s, and vitest
    // may run that file beside this one) keeps the horizon below the new event (ADR 0002).
    const wokenSince = async (fetchesBefore: number) => {
      for (let i = 0; i < 100 && fetches() === fetchesBefore; i++) await sleep(10);
      expect(fetches()).toBeGreaterThan(fetchesBefore);
    };
    const waitFor = async (count: number) => {
      for (let i = 0; i < 1_500 && delivered.length < count; i++) await sleep(30);
      expect(delivered).toHaveLength(count);
    };
    payloads.length = 0;
    let fetched = fetches();
    await store.appendToStream(`${mine}-1`, [newEvent()], { expectedRevision: 'any' });
    await wokenSince(fetched);
    await waitFor(1);
    fetched = fetches();
    await store.appendToStream(`${mine}-2`, [newEvent()], { expectedRevision: 'no_stream' });
    await wokenSince(fetched);
    await waitFor(2);
    // One group with both categories: one NOTIFY naming both, and the subscriber gets its own. Whether six
    // appends made at once meet in one group depends on timing (a free commit slot takes the first alone; on a
    // slow machine the rest may split too), so up to five rounds are made. A group NOTIFY naming only some of
    // its categories never yields the mixed payload, in any round, and fails here.
    const namesBoth = () => payloads.some((p) => p.split(',').sort().join(',') === [mine, other].sort().join(','));
    let expected = 2;
    for (let round = 0; round < 5 && !namesBoth(); round++) {
      await Promise.all([
        ...Array.from({ length: 3 }, (_, i) => store.appendToStream(`${mine}-g${round}x${i}`, [newEvent()], { expectedRevision: 'no_stream' })),
        ...Array.from({ length: 3 }, (_, i) => store.appendToStream(`${other}-h${round}x${i}`, [newEvent()], { expectedRevision: 'no_stream' })),
      ]);
      expected += 3;
      await waitFor(expected);
    }
    expect(namesBoth()).toBe(true);
    await subscription.stop();
  });

  it('no append sends its NOTIFY inside its transaction (which would make every commit in the cluster wait for the previous one): the hint follows the commit as a statement of its own', async () => {
    const category = `after${randomUUID().slice(0, 8)}`;
    // The test before may still have a hint on its way (its last appends can leave in two groups, each
    // with its own NOTIFY): let the channel go quiet first, so no hint of its lands in this test's log.
    for (let seen = -1; seen !== payloads.length; ) {
      seen = payloads.length;
      await sleep(100);
    }
    const paths: [string, () => Promise<unknown>][] = [
      ['locked', () => store.appendToStream(`${category}-1`, [newEvent()], { expectedRevision: 'any' })],
      ['lone event', () => store.appendToStream(`${category}-2`, [newEvent()], { expectedRevision: 'no_stream' })],
      ['function', () => store.appendToStream(`${category}-3`, [newEvent(), newEvent()], { expectedRevision: 'no_stream' })],
    ];
    for (const [path, append] of paths) {
      statements.length = 0;
      payloads.length = 0;
      await append();
      for (let i = 0; i < 50 && payloads.length === 0; i++) await sleep(10);
      expect({ path, statements }).toEqual({ path, statements: ['append start', 'append end', 'notify'] });
      expect(payloads).toEqual([category]);
    }
    statements.length = 0;
    await Promise.all(Array.from({ length: 6 }, (_, i) => store.appendToStream(`${category}-g${i}`, [newEvent()], { expectedRevision: 'no_stream' })));
    expect(statements.filter((s) => s.includes('pg_notify'))).toEqual([]);
    expect(statements[0]).toBe('append start');
  });
});
