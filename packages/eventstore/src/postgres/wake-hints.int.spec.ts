/**
 * Wake-up hints (issue 8; ADR 0002). A writer wakes its own store's subscriptions in-process and
 * NOTIFYs only when a store elsewhere (another process; here another store on its own connections)
 * follows a category it wrote (wake-interest.ts). A hint names the categories written: a subscription
 * filtered to others is not woken (it does not fetch), while one of the category written is, without
 * waiting for its poll. The poll interval here is a minute, so only a hint can deliver within the
 * test's seconds.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { mayConcern, wakeHintOf } from '../catch-up.ts';
import type { StoredEvent, Subscription } from '../port.ts';
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

/** A subscription to one category (or all), what it delivered, and how soon. */
function follow(store: SqlEventStore, categories: string[] | undefined, wakeFromOtherProcesses?: boolean) {
  const delivered: StoredEvent[] = [];
  const subscription: Subscription = store.subscribeToAll(
    { subscriptionId: `wake-${randomUUID()}`, ...(categories ? { filter: { categories } } : {}), ...(wakeFromOtherProcesses === undefined ? {} : { wakeFromOtherProcesses }) },
    async (events) => {
      delivered.push(...events);
    },
  );
  const waitFor = async (count: number, withinMs = 3_000) => {
    const deadline = Date.now() + withinMs;
    while (delivered.length < count && Date.now() < deadline) await sleep(10);
    expect(delivered).toHaveLength(count);
  };
  return { delivered, subscription, waitFor };
}

describe("wake-up hints: in-process for the writer's own subscribers, NOTIFY only for the categories another store follows", () => {
  let schema: IsolatedSchema;
  /** The writer: it has no subscription of its own unless a test makes one, so it does not LISTEN. */
  let writer: SqlEventStore;
  let writerFetches: () => number;
  let statements: string[];
  /** Another process's store on the same schema: its own pool and LISTEN connection. */
  let remote: SqlEventStore;
  let remoteFetches: () => number;
  let listener: pg.Client;
  const payloads: string[] = [];
  const channelRows = async () =>
    (await listener.query<{ categories: string[] | null }>('SELECT categories FROM wake_listeners WHERE expires_at > now()')).rows.map((r) => r.categories);

  beforeAll(async () => {
    schema = await createIsolatedSchema('eventstore_wake');
    const writing = countingFetches(createPgDriver({ connectionString: schema.connectionString, maxConnections: 8 }));
    writerFetches = writing.fetches;
    statements = writing.log;
    // The writer's view of the other stores may be 100 ms old (1 s by default), so tests wait a little, not a second.
    writer = await createSqlEventStore(writing.driver, { pollIntervalMs: 60_000, wakeInterestRefreshMs: 100 });
    const reading = countingFetches(createPgDriver({ connectionString: schema.connectionString, maxConnections: 4 }));
    remoteFetches = reading.fetches;
    // Its one extra look after a subscription starts (at the refresh interval) falls early, before what tests count.
    remote = await createSqlEventStore(reading.driver, { pollIntervalMs: 60_000, wakeInterestRefreshMs: 100 });
    listener = new pg.Client({ connectionString: schema.connectionString });
    await listener.connect();
    listener.on('notification', (message) => payloads.push(message.payload ?? ''));
    await listener.query(`LISTEN "${`govsvc_events_${schema.schema}`.slice(0, 63)}"`);
  });
  afterAll(async () => {
    await listener?.end();
    await writer?.close();
    await remote?.close();
    await schema?.drop();
  });

  /** The hints on the channel, without the sending store's tag; interest announcements left out. */
  const hints = () => payloads.filter((p) => p.startsWith('@from:')).map((p) => p.slice(p.indexOf(',') + 1));

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

  it('every append path: nothing on the channel for categories no other store follows; a NOTIFY naming the categories written when one does; a subscriber there of another category never fetches, one of the category written is woken at once', async () => {
    const mine = `mine${randomUUID().slice(0, 8)}`;
    const other = `other${randomUUID().slice(0, 8)}`;
    const remoteSide = follow(remote, [mine]);
    await remoteSide.subscription.caughtUp();
    // Declared as the subscription starts, written a moment later.
    for (let i = 0; i < 100 && !(await channelRows()).some((row) => row?.includes(mine)); i++) await sleep(10);
    expect(await channelRows()).toContainEqual([mine]);
    await sleep(300); // past the writer's view of the table
    const before = remoteFetches();
    payloads.length = 0;

    // The four paths: the locked one (head unknown, 'any'), the lone-event statement, the function (a lone
    // append of two events), the set-based group.
    await writer.appendToStream(`${other}-1`, [newEvent()], { expectedRevision: 'any' });
    await writer.appendToStream(`${other}-2`, [newEvent()], { expectedRevision: 'no_stream' });
    await writer.appendToStream(`${other}-3`, [newEvent(), newEvent()], { expectedRevision: 'no_stream' });
    await Promise.all(Array.from({ length: 6 }, (_, i) => writer.appendToStream(`${other}-g${i}`, [newEvent()], { expectedRevision: 'no_stream' })));
    await sleep(300);
    expect(remoteFetches() - before).toBe(0);
    expect(hints()).toEqual([]);

    // Woken at once: the subscriber fetches within a second of the append. Delivery itself may wait:
    // a transaction held open elsewhere in the cluster (postgres-faults holds one for 20 s, and vitest
    // may run that file beside this one) keeps the horizon below the new event (ADR 0002).
    const wokenSince = async (fetchesBefore: number) => {
      for (let i = 0; i < 100 && remoteFetches() === fetchesBefore; i++) await sleep(10);
      expect(remoteFetches()).toBeGreaterThan(fetchesBefore);
    };
    const waitFor = (count: number) => remoteSide.waitFor(count, 45_000);
    let fetched = remoteFetches();
    await writer.appendToStream(`${mine}-1`, [newEvent()], { expectedRevision: 'any' });
    await wokenSince(fetched);
    await waitFor(1);
    fetched = remoteFetches();
    await writer.appendToStream(`${mine}-2`, [newEvent()], { expectedRevision: 'no_stream' });
    await wokenSince(fetched);
    await waitFor(2);
    expect(hints()).toEqual([mine, mine]);
    // One group with both categories: one NOTIFY naming both. Whether six appends made at once meet in one
    // group depends on timing (a free commit slot takes the first alone; on a slow machine the rest may split
    // too), so up to five rounds are made. A group NOTIFY naming only some of its categories never yields the
    // mixed payload, in any round, and fails here.
    const namesBoth = () => hints().some((p) => p.split(',').sort().join(',') === [mine, other].sort().join(','));
    let expected = 2;
    for (let round = 0; round < 5 && !namesBoth(); round++) {
      await Promise.all([
        ...Array.from({ length: 3 }, (_, i) => writer.appendToStream(`${mine}-g${round}x${i}`, [newEvent()], { expectedRevision: 'no_stream' })),
        ...Array.from({ length: 3 }, (_, i) => writer.appendToStream(`${other}-h${round}x${i}`, [newEvent()], { expectedRevision: 'no_stream' })),
      ]);
      expected += 3;
      await waitFor(expected);
    }
    expect(namesBoth()).toBe(true);
    await remoteSide.subscription.stop();
    // A store with no subscription left follows nothing: its row goes.
    for (let i = 0; i < 100 && (await channelRows()).length > 0; i++) await sleep(10);
    expect(await channelRows()).toEqual([]);
  });

  it("the writer's own subscriber is woken in-process, with nothing on the channel when no other store follows the category", async () => {
    const solo = `solo${randomUUID().slice(0, 8)}`;
    const own = follow(writer, [solo]);
    await own.subscription.caughtUp();
    await sleep(300);
    payloads.length = 0;
    statements.length = 0;
    const fetched = writerFetches();
    await writer.appendToStream(`${solo}-1`, [newEvent()], { expectedRevision: 'no_stream' });
    await own.waitFor(1);
    expect(writerFetches()).toBeGreaterThan(fetched);
    await sleep(200);
    expect(statements.filter((s) => s === 'notify')).toEqual([]);
    expect(hints()).toEqual([]);
    await own.subscription.stop();
  });

  it("a subscription that asks not to be woken from other processes (wakeFromOtherProcesses: false) costs the writers nothing: no declared interest, no NOTIFY, no read; it still gets its own store's writes at once, and everything on caughtUp()", async () => {
    const polled = `polled${randomUUID().slice(0, 8)}`;
    const everything = follow(remote, undefined, false);
    await everything.subscription.caughtUp();
    const head = everything.delivered.length;
    await sleep(300); // past the writer's view of the table
    expect(await channelRows()).toEqual([]);
    payloads.length = 0;
    statements.length = 0;
    const before = remoteFetches();
    await writer.appendToStream(`${polled}-1`, [newEvent()], { expectedRevision: 'no_stream' });
    await Promise.all(Array.from({ length: 4 }, (_, i) => writer.appendToStream(`${polled}-g${i}`, [newEvent()], { expectedRevision: 'no_stream' })));
    await sleep(300);
    expect(statements.filter((s) => s === 'notify' || s.includes('pg_notify'))).toEqual([]);
    expect(hints()).toEqual([]);
    expect(remoteFetches() - before).toBe(0);
    expect(everything.delivered).toHaveLength(head);
    // Asked, it reads at once (its poll interval is a minute).
    await everything.subscription.caughtUp();
    expect(everything.delivered.slice(head).map((e) => e.stream).sort()).toEqual([`${polled}-1`, ...Array.from({ length: 4 }, (_, i) => `${polled}-g${i}`)].sort());
    // Its own process's writes wake it in-process.
    await remote.appendToStream(`${polled}-own`, [newEvent()], { expectedRevision: 'no_stream' });
    await everything.waitFor(head + 6);
    expect(hints()).toEqual([]);
    await everything.subscription.stop();
  });

  it('no append sends its NOTIFY inside its transaction (which would make every commit in the cluster wait for the previous one): the hint follows the commit as a statement of its own', async () => {
    const category = `after${randomUUID().slice(0, 8)}`;
    const remoteSide = follow(remote, undefined); // every category: the writer NOTIFYs for whatever it writes
    await remoteSide.subscription.caughtUp();
    await sleep(300);
    const paths: [string, () => Promise<unknown>][] = [
      ['locked', () => writer.appendToStream(`${category}-1`, [newEvent()], { expectedRevision: 'any' })],
      ['lone event', () => writer.appendToStream(`${category}-2`, [newEvent()], { expectedRevision: 'no_stream' })],
      ['function', () => writer.appendToStream(`${category}-3`, [newEvent(), newEvent()], { expectedRevision: 'no_stream' })],
    ];
    for (const [path, append] of paths) {
      statements.length = 0;
      payloads.length = 0;
      await append();
      for (let i = 0; i < 50 && payloads.length === 0; i++) await sleep(10);
      expect({ path, statements }).toEqual({ path, statements: ['append start', 'append end', 'notify'] });
      expect(hints()).toEqual([category]);
    }
    statements.length = 0;
    await Promise.all(Array.from({ length: 6 }, (_, i) => writer.appendToStream(`${category}-g${i}`, [newEvent()], { expectedRevision: 'no_stream' })));
    expect(statements.filter((s) => s.includes('pg_notify'))).toEqual([]);
    expect(statements[0]).toBe('append start');
    await remoteSide.subscription.stop();
  });

  it("a store that starts following while a writer's view of the table is still fresh gets no NOTIFY for that moment's commit, and still delivers it within about the refresh interval, not a poll interval (a minute) later", async () => {
    const late = `late${randomUUID().slice(0, 8)}`;
    // A writer with the default refresh (1 s) and no subscription, so no LISTEN: no '@interest' reaches it. The
    // follower has the default refresh too: its extra look waits out the writer's view.
    const slowView = await createSqlEventStore(createPgDriver({ connectionString: schema.connectionString, maxConnections: 2 }), { pollIntervalMs: 60_000 });
    const follower = await createSqlEventStore(createPgDriver({ connectionString: schema.connectionString, maxConnections: 2 }), { pollIntervalMs: 60_000 });
    try {
      // Its hint, sent just after, reads the table: nobody else follows `late` yet.
      await slowView.appendToStream(`prime${randomUUID().slice(0, 8)}-1`, [newEvent()], { expectedRevision: 'no_stream' });
      await sleep(100);
      const remoteSide = follow(follower, [late]);
      await remoteSide.subscription.caughtUp();
      payloads.length = 0;
      const appendedAt = Date.now();
      await slowView.appendToStream(`${late}-1`, [newEvent()], { expectedRevision: 'no_stream' });
      await remoteSide.waitFor(1, 5_000);
      const tookMs = Date.now() - appendedAt;
      expect(hints()).toEqual([]); // the view was fresh: the writer sent nothing, the remote store looked by itself
      expect(tookMs).toBeLessThan(5_000);
      await remoteSide.subscription.stop();
    } finally {
      await slowView.close();
      await follower.close();
    }
  });

  it("a listening writer reads the table again as soon as another store's interest grows ('@interest'), not a refresh interval later", async () => {
    const fresh = `fresh${randomUUID().slice(0, 8)}`;
    // Listening (it has a subscription), with a view that would otherwise stay fresh for a minute.
    const listening = await createSqlEventStore(createPgDriver({ connectionString: schema.connectionString, maxConnections: 2 }), {
      pollIntervalMs: 60_000,
      wakeInterestRefreshMs: 60_000,
    });
    try {
      const own = follow(listening, [`own${randomUUID().slice(0, 8)}`]);
      await own.subscription.caughtUp();
      await listening.appendToStream(`prime${randomUUID().slice(0, 8)}-1`, [newEvent()], { expectedRevision: 'no_stream' });
      const remoteSide = follow(remote, [fresh]);
      await remoteSide.subscription.caughtUp();
      for (let i = 0; i < 100 && !payloads.includes('@interest'); i++) await sleep(10);
      await sleep(100);
      payloads.length = 0;
      await listening.appendToStream(`${fresh}-1`, [newEvent()], { expectedRevision: 'no_stream' });
      await remoteSide.waitFor(1, 1_000);
      expect(hints()).toEqual([fresh]);
      await remoteSide.subscription.stop();
      await own.subscription.stop();
    } finally {
      await listening.close();
    }
  });
});
