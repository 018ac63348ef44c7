import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConcurrencyError } from '@govsvc/errors/errors';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { verifyAll, verifyStream } from '../audit/verify.ts';
import { computeEventHash } from '../audit/hash-chain.ts';
import type { SqlDriver } from '../sql/executor.ts';
import { createSqlEventStore, type SqlEventStore } from '../sql/sql-event-store.ts';
import { newEvent, newEvents, uniqueStream } from '../test-fixtures.ts';
import { createPgDriver } from './pg-client.ts';

/** Counts the transactions the store opens (one per coalesced group, an autocommit statement, or locked append). */
function countingTransactions(driver: SqlDriver): SqlDriver & { transactions: () => number; statements: (name: string) => number } {
  let count = 0;
  const byName = new Map<string, number>();
  return {
    ...driver,
    transaction: (work) => {
      count += 1;
      return driver.transaction(work);
    },
    atomic: (text, params, options) => {
      count += 1;
      if (options?.name) byName.set(options.name, (byName.get(options.name) ?? 0) + 1);
      return driver.atomic(text, params, options);
    },
    transactions: () => count,
    statements: (name) => byName.get(name) ?? 0,
  };
}

/** Holds each group statement (`atomic`) until the test lets one go, in the order they were sent. */
function gatedStatements(driver: SqlDriver): SqlDriver & { waiting: () => number; letOneGo: () => void } {
  const gates: (() => void)[] = [];
  return {
    ...driver,
    atomic: async (text, params, options) => {
      await new Promise<void>((resolve) => gates.push(resolve));
      return driver.atomic(text, params, options);
    },
    waiting: () => gates.length,
    letOneGo: () => gates.shift()?.(),
  };
}

/** Holds a stream's advisory lock in a transaction of `store` (as a locked-path writer mid-append would) until released. */
async function holdStreamLock(store: SqlEventStore, stream: string): Promise<{ release: () => void; holder: Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const holder = store.driver.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [stream]);
    locked();
    await released;
  });
  await isLocked;
  return { release, holder };
}

describe('PostgreSQL fast append and group commit (ADR 0004)', () => {
  let schema: IsolatedSchema;
  let driver: ReturnType<typeof countingTransactions>;
  let store: SqlEventStore;
  // A second store on the same tables: its writes make the first store's cached heads stale.
  let other: SqlEventStore;

  beforeAll(async () => {
    schema = await createIsolatedSchema('eventstore_group');
    driver = countingTransactions(createPgDriver({ connectionString: schema.connectionString, maxConnections: 8 }));
    store = await createSqlEventStore(driver, { pollIntervalMs: 10 });
    other = await createSqlEventStore(createPgDriver({ connectionString: schema.connectionString }), { pollIntervalMs: 10 });
  });
  afterAll(async () => {
    await other?.close();
    await store?.close();
    await schema?.drop();
  });

  it('64 concurrent single-event appends share a few transactions, each caller gets its own result', async () => {
    const streams = Array.from({ length: 64 }, () => uniqueStream('group'));
    const before = driver.transactions();
    const results = await Promise.all(streams.map((s) => store.appendToStream(s, [newEvent()], { expectedRevision: 'no_stream' })));
    const used = driver.transactions() - before;
    expect(store.appendStats().locked).toBe(0);
    // 4 in flight at once by default: the first four go alone, the other 60 wait and leave together.
    expect(used).toBeLessThanOrEqual(8);
    expect(new Set(results.map((r) => r.lastGlobalPosition)).size).toBe(64);
    for (const [i, stream] of streams.entries()) {
      const [event] = await store.readStream(stream);
      expect(event!.globalPosition).toBe(results[i]!.lastGlobalPosition);
      expect(results[i]!.nextExpectedRevision).toBe(0n);
    }
    const xids = await store.driver.query<{ n: string }>(
      `SELECT count(DISTINCT transaction_id)::text AS n FROM events WHERE stream_name = ANY($1::text[])`,
      [streams],
    );
    expect(Number(xids[0]!.n)).toBe(used);
  });

  it('story: 16 callers append three events each, one after another, through one commit slot; a caller appending again as soon as its append returns joins the next group instead of taking the freed slot alone', async () => {
    const counted = countingTransactions(createPgDriver({ connectionString: schema.connectionString, maxConnections: 2 }));
    const serial = await createSqlEventStore(counted, { pollIntervalMs: 10, appendConcurrency: 1, skipSchema: true });
    try {
      const streams = Array.from({ length: 16 }, () => uniqueStream('rounds'));
      const before = counted.transactions();
      // Each caller awaits through one more async layer, as a command handler does.
      const appendOne = async (stream: string, revision: number) => {
        await serial.appendToStream(stream, [newEvent()], { expectedRevision: revision === 0 ? 'no_stream' : BigInt(revision - 1) });
      };
      await Promise.all(
        streams.map(async (stream) => {
          for (let revision = 0; revision < 3; revision++) await appendOne(stream, revision);
        }),
      );
      // The first append leaves alone (the store was idle), the other 15 queue behind it; from then
      // on every group holds every caller's next append: 1 + 16 + 16 + 15.
      expect(counted.transactions() - before).toBe(4);
      expect(serial.appendStats().locked).toBe(0);
      for (const stream of streams) expect(await serial.streamRevision(stream)).toBe(2n);
    } finally {
      await serial.close();
    }
  });

  it('the hash computed on the fast path is the one audit/hash-chain.ts computes: one definition', async () => {
    const stream = uniqueStream('hash');
    await store.appendToStream(stream, newEvents(3), { expectedRevision: 'no_stream' });
    await store.appendToStream(stream, newEvents(2), { expectedRevision: 2n });
    const events = await store.readStream(stream);
    let prev: string | null = null;
    for (const event of events) {
      expect(event.metadata.prevHash).toBe(prev);
      expect(event.metadata.hash).toBe(computeEventHash(event, prev));
      prev = event.metadata.hash;
    }
    expect((await verifyStream(store, stream)).ok).toBe(true);
  });

  it('a tail read that finds nothing new still learns the head it did not know, so the next append takes the fast path (ADR 0009)', async () => {
    const stream = uniqueStream('tail');
    await other.appendToStream(stream, newEvents(3), { expectedRevision: 'no_stream' }); // this store never saw the stream
    const before = store.appendStats();
    expect(await store.readStream(stream, { fromRevision: 3n })).toEqual([]);
    await store.appendToStream(stream, [newEvent()], { expectedRevision: 2n });
    const after = store.appendStats();
    expect(after.locked - before.locked).toBe(0);
    expect(after.fast - before.fast).toBe(1);
    expect((await verifyStream(store, stream)).ok).toBe(true);
    // Learning the head never shows the caller the event before the revision it asked for.
    const unseen = uniqueStream('tail');
    await other.appendToStream(unseen, newEvents(3), { expectedRevision: 'no_stream' });
    expect((await store.readStream(unseen, { fromRevision: 2n })).map((e) => e.revision)).toEqual([2n]);
  });

  it('story: another process appends behind our back, so our cached head is stale; the database refuses the planned write and the locked path decides', async () => {
    const stream = uniqueStream('stale');
    await store.appendToStream(stream, newEvents(2), { expectedRevision: 'no_stream' }); // store caches head 1
    await other.appendToStream(stream, [newEvent()], { expectedRevision: 1n }); // head is now 2
    // 'any' planned on head 1 would chain on the wrong event: it must land at revision 3, chained on 2.
    const any = await store.appendToStream(stream, [newEvent()], { expectedRevision: 'any' });
    expect(any.nextExpectedRevision).toBe(3n);
    // An expected revision that was right for the stale head is now a real conflict.
    await expect(store.appendToStream(stream, [newEvent()], { expectedRevision: 1n })).rejects.toBeInstanceOf(ConcurrencyError);
    await other.appendToStream(stream, [newEvent()], { expectedRevision: 3n });
    // Right for the real head although the cache says otherwise: accepted.
    expect((await store.appendToStream(stream, [newEvent()], { expectedRevision: 4n })).nextExpectedRevision).toBe(5n);
    const revisions = (await store.readStream(stream)).map((e) => e.revision);
    expect(revisions).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    expect((await verifyStream(store, stream)).ok).toBe(true);
  });

  it('in one group, a stale expected revision is refused while the appends around it are written', async () => {
    const streams = Array.from({ length: 4 }, () => uniqueStream('mixed'));
    for (const stream of streams) await store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' });
    const expected = [0n, 5n, 0n, 0n];
    const outcomes = await Promise.allSettled(streams.map((s, i) => store.appendToStream(s, [newEvent()], { expectedRevision: expected[i]! })));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
    const revisions = await Promise.all(streams.map((s) => store.streamRevision(s)));
    expect(revisions).toEqual([1n, 0n, 1n, 1n]);
  });

  it('story: another transaction holds stream S\'s lock; S\'s append leaves the fast path for the locked path and waits there, while T\'s append commits at once', async () => {
    const s = uniqueStream('busy');
    const t = uniqueStream('busy');
    await store.appendToStream(s, [newEvent()], { expectedRevision: 'no_stream' });
    await store.appendToStream(t, [newEvent()], { expectedRevision: 'no_stream' });
    const { release, holder } = await holdStreamLock(other, s);
    const before = store.appendStats();
    let sDone = false;
    const appendS = store.appendToStream(s, [newEvent()], { expectedRevision: 0n }).finally(() => (sDone = true));
    const appendT = store.appendToStream(t, [newEvent()], { expectedRevision: 0n });
    expect((await appendT).nextExpectedRevision).toBe(1n);
    // S's statement may reach the server after T's (a connection still being opened, on a loaded
    // machine): release the lock only once S has been answered busy and waits on the locked path.
    await vi.waitFor(() => expect(store.appendStats().locked - before.locked).toBe(1));
    expect(sDone).toBe(false); // S cannot commit while the lock is held elsewhere
    release();
    await holder;
    expect((await appendS).nextExpectedRevision).toBe(1n);
    const after = store.appendStats();
    expect(after.locked - before.locked).toBe(1);
    expect((await verifyStream(store, s)).ok).toBe(true);
  });

  /** A stream of one event, cached by `store`, whose lock `other` holds; with `store`'s counters before anything else happens. */
  async function oneEventStreamLockedByOther(prefix: string) {
    const s = uniqueStream(prefix);
    await store.appendToStream(s, [newEvent()], { expectedRevision: 'no_stream' });
    const { release, holder } = await holdStreamLock(other, s);
    return { s, release, holder, before: store.appendStats() };
  }

  it('story: two callers race for the same revision; the loser is held until the winner\'s statement settles, then refused by one read, without taking the locked path', async () => {
    const stream = uniqueStream('lost-race');
    await store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' }); // cached head: 0
    const before = store.appendStats();
    const [winner, loser] = await Promise.allSettled([
      store.appendToStream(stream, [newEvent()], { expectedRevision: 0n }),
      store.appendToStream(stream, [newEvent()], { expectedRevision: 0n }),
    ]);
    expect(winner.status === 'fulfilled' && winner.value.nextExpectedRevision).toBe(1n);
    expect(loser.status === 'rejected' && loser.reason).toBeInstanceOf(ConcurrencyError);
    const after = store.appendStats();
    expect(after.held - before.held).toBe(1);
    expect(after.refused - before.refused).toBe(1);
    expect(after.locked - before.locked).toBe(0);
    expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0n, 1n]);
    expect((await verifyStream(store, stream)).ok).toBe(true);
  });

  it('story: while an append of stream S waits on the locked path, the next append of S is held, then takes the fast path on the head the locked path learned', async () => {
    const { s, release, holder, before } = await oneEventStreamLockedByOther('held-behind-lock');
    const first = store.appendToStream(s, [newEvent()], { expectedRevision: 0n });
    // Answered busy by its statement, it waits for the lock on the locked path (and the store forgot S's head).
    await vi.waitFor(() => expect(store.appendStats().locked - before.locked).toBe(1));
    const second = store.appendToStream(s, [newEvent()], { expectedRevision: 1n });
    await vi.waitFor(() => expect(store.appendStats().held - before.held).toBe(1));
    release();
    await holder;
    expect((await first).nextExpectedRevision).toBe(1n);
    expect((await second).nextExpectedRevision).toBe(2n);
    const after = store.appendStats();
    expect(after.locked - before.locked).toBe(1);
    expect(after.fast - before.fast).toBe(1);
    expect((await store.readStream(s)).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
    expect((await verifyStream(store, s)).ok).toBe(true);
  });

  it('a held append whose race-winner was not written goes on as any other: both wait on the lock, one wins, the other is refused', async () => {
    const { s, release, holder, before } = await oneEventStreamLockedByOther('held-busy');
    const outcomes = Promise.allSettled([
      store.appendToStream(s, [newEvent()], { expectedRevision: 0n }),
      store.appendToStream(s, [newEvent()], { expectedRevision: 0n }),
    ]);
    await vi.waitFor(() => expect(store.appendStats().held - before.held).toBe(1));
    release();
    await holder;
    const settled = await outcomes;
    expect(settled.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = settled.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ConcurrencyError);
    expect(await store.streamRevision(s)).toBe(1n);
    expect((await verifyStream(store, s)).ok).toBe(true);
  });

  it('a held append is planned again when the first write of its stream settles, even with another in flight: a stream written without pause cannot starve it', async () => {
    const gated = gatedStatements(createPgDriver({ connectionString: schema.connectionString, maxConnections: 4 }));
    const gatedStore = await createSqlEventStore(gated, { pollIntervalMs: 10, skipSchema: true });
    try {
      const s = uniqueStream('busy-log');
      const created = gatedStore.appendToStream(s, [newEvent()], { expectedRevision: 'no_stream' });
      await vi.waitFor(() => expect(gated.waiting()).toBe(1));
      gated.letOneGo();
      await created; // head 0, cached
      const firstAny = gatedStore.appendToStream(s, [newEvent()], { expectedRevision: 'any' });
      await vi.waitFor(() => expect(gated.waiting()).toBe(1));
      let staleOutcome: unknown = 'pending';
      const stale = gatedStore.appendToStream(s, [newEvent()], { expectedRevision: 0n }).then(
        () => (staleOutcome = 'written'),
        (error: unknown) => (staleOutcome = error),
      );
      await vi.waitFor(() => expect(gatedStore.appendStats().held).toBe(1));
      const secondAny = gatedStore.appendToStream(s, [newEvent()], { expectedRevision: 'any' });
      await vi.waitFor(() => expect(gated.waiting()).toBe(2));
      gated.letOneGo();
      expect((await firstAny).nextExpectedRevision).toBe(1n);
      // The second statement of S is still held at the gate: the stale append is decided all the same.
      await vi.waitFor(() => expect(staleOutcome).toBeInstanceOf(ConcurrencyError));
      expect(gated.waiting()).toBe(1);
      gated.letOneGo();
      expect((await secondAny).nextExpectedRevision).toBe(2n);
      await stale;
      expect(gatedStore.appendStats().held).toBe(1); // held once, then decided by the database
      expect((await gatedStore.readStream(s)).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      expect((await verifyStream(gatedStore, s)).ok).toBe(true);
    } finally {
      while (gated.waiting() > 0) gated.letOneGo();
      await gatedStore.close();
    }
  });

  it('an idempotent retry with a warm cache writes nothing, also with expected revision any', async () => {
    const stream = uniqueStream('retry');
    const events = newEvents(2);
    const first = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
    const again = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
    expect(again).toEqual({ ...first, alreadyAppended: true });
    const any = await store.appendToStream(stream, events, { expectedRevision: 'any' });
    expect(any.alreadyAppended).toBe(true);
    expect(await store.streamRevision(stream)).toBe(1n);
  });

  it('story: 32 writers race on 4 streams through both stores with exact expected revisions: every stream gapless, every chain intact, conflicts refused', async () => {
    const streams = Array.from({ length: 4 }, () => uniqueStream('race'));
    let conflicts = 0;
    let written = 0;
    await Promise.all(
      Array.from({ length: 32 }, async (_, w) => {
        const mine = w % 2 === 0 ? store : other;
        for (let i = 0; i < 15; i++) {
          const stream = streams[(w + i) % streams.length]!;
          const revision = await mine.streamRevision(stream);
          try {
            await mine.appendToStream(stream, newEvents(1 + (i % 3)), { expectedRevision: revision === null ? 'no_stream' : revision });
            written += 1 + (i % 3);
          } catch (error) {
            if (!(error instanceof ConcurrencyError)) throw error;
            conflicts += 1;
          }
        }
      }),
    );
    expect(conflicts).toBeGreaterThan(0);
    let total = 0;
    for (const stream of streams) {
      const events = await store.readStream(stream);
      expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => BigInt(i)));
      total += events.length;
    }
    expect(total).toBe(written);
    const report = await verifyAll(store);
    expect(report.problems).toEqual([]);
  });

  it('story: a group of six, two of whose streams another process moved on: the set-based statement writes four and answers stale for two, which the locked path chains right (ADR 0006)', async () => {
    const streams = Array.from({ length: 6 }, () => uniqueStream('set'));
    for (const s of streams) await store.appendToStream(s, [newEvent()], { expectedRevision: 'no_stream' });
    // Behind the store's back: its cached heads of streams 1 and 4 are now stale.
    await other.appendToStream(streams[1]!, [newEvent()], { expectedRevision: 0n });
    await other.appendToStream(streams[4]!, [newEvent()], { expectedRevision: 0n });
    const setBefore = driver.statements('govsvc_append_set');
    const lockedBefore = store.appendStats().locked;
    // 'any' is planned on the cached head (revision 0) and must not chain there where the stream moved on.
    const results = await Promise.all(streams.map((s) => store.appendToStream(s, [newEvent()], { expectedRevision: 'any' })));
    expect(results.map((r) => r.nextExpectedRevision)).toEqual([1n, 2n, 1n, 1n, 2n, 1n]);
    expect(driver.statements('govsvc_append_set') - setBefore).toBeGreaterThanOrEqual(1);
    expect(store.appendStats().locked - lockedBefore).toBe(2);
    for (const s of streams) expect((await verifyStream(store, s)).ok).toBe(true);
  });

  it('a group that holds one stream twice takes the PL/pgSQL statement, which sees its own earlier insert (ADR 0006)', async () => {
    const stream = uniqueStream('twice');
    const others = Array.from({ length: 3 }, () => uniqueStream('twice-other'));
    await store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' });
    // Fill the two commit slots so the next appends queue up and leave together as one group.
    const blockers = Array.from({ length: 2 }, () => store.appendToStream(uniqueStream('blocker'), [newEvent()], { expectedRevision: 'no_stream' }));
    const plannedBefore = driver.statements('govsvc_append_planned');
    const lockedBefore = store.appendStats().locked;
    // The stream's two appends first: a freed slot takes its fair share of the five (three), from the front.
    const group = [
      store.appendToStream(stream, [newEvent()], { expectedRevision: 0n }),
      store.appendToStream(stream, [newEvent()], { expectedRevision: 1n }),
      ...others.map((s) => store.appendToStream(s, [newEvent()], { expectedRevision: 'no_stream' })),
    ];
    await Promise.all(blockers);
    const results = await Promise.all(group);
    expect(results[0]!.nextExpectedRevision).toBe(1n);
    expect(results[1]!.nextExpectedRevision).toBe(2n);
    expect(driver.statements('govsvc_append_planned') - plannedBefore).toBeGreaterThanOrEqual(1);
    expect(store.appendStats().locked - lockedBefore).toBe(0);
    expect((await verifyStream(store, stream)).ok).toBe(true);
  });

  it('a lone one-event append takes the one-event statement; a stale head, a held lock and a stored id come back from it for the locked path to decide (ADR 0006, addendum 3)', async () => {
    const stream = uniqueStream('lone');
    const oneBefore = driver.statements('govsvc_append_one');
    const lockedBefore = store.appendStats().locked;
    expect((await store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' })).nextExpectedRevision).toBe(0n);
    expect((await store.appendToStream(stream, [newEvent()], { expectedRevision: 0n })).nextExpectedRevision).toBe(1n);
    expect(driver.statements('govsvc_append_one') - oneBefore).toBe(2);
    expect(store.appendStats().locked - lockedBefore).toBe(0);

    // Stale: another process moved the stream on; 'any' planned on the cached head must chain on the real one.
    await other.appendToStream(stream, [newEvent()], { expectedRevision: 1n });
    expect((await store.appendToStream(stream, [newEvent()], { expectedRevision: 'any' })).nextExpectedRevision).toBe(3n);
    expect(store.appendStats().locked - lockedBefore).toBe(1);

    // Busy: the stream's lock is held elsewhere; the append waits on the locked path, then lands.
    const { release, holder } = await holdStreamLock(other, stream);
    const waiting = store.appendToStream(stream, [newEvent()], { expectedRevision: 3n });
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await holder;
    expect((await waiting).nextExpectedRevision).toBe(4n);
    expect(store.appendStats().locked - lockedBefore).toBe(2);

    // Existing: an id already stored in another stream is refused, and nothing is written.
    const stored = newEvent();
    await store.appendToStream(uniqueStream('lone-first'), [stored], { expectedRevision: 'no_stream' });
    const elsewhere = uniqueStream('lone-second');
    await expect(store.appendToStream(elsewhere, [stored], { expectedRevision: 'no_stream' })).rejects.toThrow();
    expect(await store.readStream(elsewhere)).toEqual([]);

    const revisions = (await store.readStream(stream)).map((e) => e.revision);
    expect(revisions).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect((await verifyStream(store, stream)).ok).toBe(true);
  });

  it('streams read together by readStreams are appended to on the fast path, as after readStream (the breach storm, issue 7)', async () => {
    const streams = Array.from({ length: 5 }, () => uniqueStream('batch-read'));
    // Written by the other store: this one has never seen their heads.
    for (const s of streams) await other.appendToStream(s, newEvents(2), { expectedRevision: 'no_stream' });
    const read = await store.readStreams!(streams);
    const lockedBefore = store.appendStats().locked;
    await Promise.all(streams.map((s) => store.appendToStream(s, [newEvent()], { expectedRevision: read.get(s)!.at(-1)!.revision })));
    expect(store.appendStats().locked - lockedBefore).toBe(0);
    for (const s of streams) expect((await verifyStream(store, s)).ok).toBe(true);
  });
  it('a freed commit slot takes its fair share of the appends outstanding, not the whole queue, so both slots carry groups of a size (ADR 0004)', async () => {
    // Each statement's size, and the first two statements held until released: two lone appends fill both slots.
    const sizes: number[] = [];
    const gates: Array<() => void> = [];
    const real = createPgDriver({ connectionString: schema.connectionString, maxConnections: 8 });
    let held = 0;
    const watched: SqlDriver = {
      ...real,
      atomic: async (text, params, options) => {
        const group = typeof params?.[0] === 'string' && params[0].startsWith('[') ? (JSON.parse(params[0]) as unknown[]).length : 1;
        sizes.push(group);
        if (held < 2) {
          held += 1;
          await new Promise<void>((resolve) => gates.push(resolve));
        }
        return real.atomic(text, params, options);
      },
    };
    const fair = await createSqlEventStore(watched, { pollIntervalMs: 10, skipSchema: true, appendConcurrency: 2 });
    try {
      const blockers = [0, 1].map(() => fair.appendToStream(uniqueStream('fair-blocker'), [newEvent()], { expectedRevision: 'no_stream' }));
      const queued = Array.from({ length: 40 }, () => fair.appendToStream(uniqueStream('fair'), [newEvent()], { expectedRevision: 'no_stream' }));
      await new Promise((resolve) => setImmediate(resolve));
      expect(sizes).toEqual([1, 1]);
      gates[0]!(); // one slot frees; the other still carries one append: (40 + 1) / 2 → 21 leave, 19 wait
      await vi.waitFor(() => expect(sizes.length).toBeGreaterThan(2));
      expect(sizes[2]).toBe(21);
      gates[1]!();
      await Promise.all([...blockers, ...queued]);
      expect(sizes.slice(2).reduce((a, b) => a + b, 0)).toBe(40);
      expect(Math.max(...sizes.slice(3))).toBeLessThanOrEqual(19);
    } finally {
      for (const open of gates) open();
      await fair.close();
    }
  });
});
