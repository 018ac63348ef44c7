/**
 * The contract every event store adapter passes (Emmett's approach: one
 * suite, many backends). Call it from an adapter's spec file:
 *
 *   describeEventStoreContract('PostgreSQL', async () => ({ store, teardown }));
 *
 * One store serves the whole suite; each test isolates itself with its own
 * stream category, subscription ids and a starting global position, so the
 * suite also runs against a shared server.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyError, ValidationError } from '@govsvc/errors/errors';
import { computeEventHash } from '../audit/hash-chain.ts';
import { EventIdConflictError } from '../errors.ts';
import { readStreamsOf, type EventStore, type ExpectedRevision, type NewEvent, type StoredEvent } from '../port.ts';
import { newEvent, newEvents, testMetadata } from '../test-fixtures.ts';

export interface ContractSubject {
  readonly store: EventStore;
  /** Runs after `store.close()` (drop the schema, remove the data folder …). */
  readonly teardown?: () => Promise<void>;
}

export interface ContractOptions {
  /** When set, the suite is skipped and this reason is printed (e.g. no EventStoreDB reachable). */
  readonly skipReason?: string | undefined;
  /**
   * Whether an event id is unique across all streams. EventStoreDB only
   * deduplicates ids within a stream; the SQL and memory stores enforce it globally.
   */
  readonly globallyUniqueEventIds?: boolean;
  /** fast-check runs of the concurrency properties (each run appends a few dozen events). */
  readonly propertyRuns?: number;
}

let categoryCounter = 0;
/** A category no other test (or run of the suite) uses: `c<random><n>`, no dash inside. */
const uniqueCategory = (label: string) => `${label}${randomUUID().slice(0, 8)}${(categoryCounter++).toString(36)}`;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to be refused, but it succeeded');
}

const positions = (events: readonly StoredEvent[]) => events.map((e) => e.globalPosition);
const revisions = (events: readonly StoredEvent[]) => events.map((e) => e.revision);

export function describeEventStoreContract(name: string, factory: () => Promise<EventStore | ContractSubject>, options: ContractOptions = {}): void {
  if (options.skipReason) {
    // A skipped suite must say why in the run's output, not only in the report's skip count.
    console.warn(`[event store contract] ${name}: skipped — ${options.skipReason}`);
  }
  const propertyRuns = options.propertyRuns ?? 25;

  describe.skipIf(Boolean(options.skipReason))(`event store contract: ${name}`, () => {
    let store: EventStore;
    let teardown: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      const subject = await factory();
      if ('store' in subject) {
        store = subject.store;
        teardown = subject.teardown;
      } else {
        store = subject;
      }
    });
    afterAll(async () => {
      await store?.close();
      await teardown?.();
    });

    const stream = (category = uniqueCategory('case')) => `${category}-${randomUUID().slice(0, 8)}`;

    describe('expected revision', () => {
      it("'no_stream' creates a stream and refuses when it exists", async () => {
        const s = stream();
        await store.appendToStream(s, newEvents(1), { expectedRevision: 'no_stream' });
        const error = await rejection(store.appendToStream(s, newEvents(1), { expectedRevision: 'no_stream' }));
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ stream: s, expected: 'no_stream', actual: '0' });
      });

      it("'exists' refuses a missing stream and appends to an existing one", async () => {
        const s = stream();
        const error = await rejection(store.appendToStream(s, newEvents(1), { expectedRevision: 'exists' }));
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ stream: s, expected: 'exists', actual: 'no_stream' });
        await store.appendToStream(s, newEvents(1), { expectedRevision: 'any' });
        const result = await store.appendToStream(s, newEvents(2), { expectedRevision: 'exists' });
        expect(result.nextExpectedRevision).toBe(2n);
      });

      it('an exact revision appends only at that revision', async () => {
        const s = stream();
        const missing = await rejection(store.appendToStream(s, newEvents(1), { expectedRevision: 0n }));
        expect(missing).toMatchObject({ expected: '0', actual: 'no_stream' });
        await store.appendToStream(s, newEvents(3), { expectedRevision: 'no_stream' });
        for (const stale of [0n, 1n, 3n]) {
          const error = await rejection(store.appendToStream(s, newEvents(1), { expectedRevision: stale }));
          expect(error).toBeInstanceOf(ConcurrencyError);
          expect(error).toMatchObject({ stream: s, expected: stale.toString(), actual: '2' });
        }
        const result = await store.appendToStream(s, newEvents(2), { expectedRevision: 2n });
        expect(result.nextExpectedRevision).toBe(4n);
      });

      it("'any' appends whatever the stream's state", async () => {
        const s = stream();
        await store.appendToStream(s, newEvents(1), { expectedRevision: 'any' });
        const result = await store.appendToStream(s, newEvents(1), { expectedRevision: 'any' });
        expect(result.nextExpectedRevision).toBe(1n);
      });

      it('a refused append writes nothing', async () => {
        const s = stream();
        await store.appendToStream(s, newEvents(2), { expectedRevision: 'no_stream' });
        const head = await store.headPosition();
        await rejection(store.appendToStream(s, newEvents(3), { expectedRevision: 0n }));
        expect(await store.streamRevision(s)).toBe(1n);
        expect(await store.readStream(s)).toHaveLength(2);
        expect(await store.headPosition()).toBe(head);
      });

      it('reports the revision and global position of the last appended event', async () => {
        const s = stream();
        const result = await store.appendToStream(s, newEvents(3), { expectedRevision: 'no_stream' });
        const stored = await store.readStream(s);
        expect(result).toEqual({ nextExpectedRevision: 2n, lastGlobalPosition: stored[2]!.globalPosition, alreadyAppended: false });
        expect(await store.streamRevision(s)).toBe(2n);
        expect(await store.streamRevision(stream())).toBeNull();
        expect(await store.headPosition()).toBeGreaterThanOrEqual(result.lastGlobalPosition);
      });
    });

    describe('idempotent appends by event id', () => {
      it('a retry with the same ids at the same position is a no-op, never a duplicate', async () => {
        const s = stream();
        await store.appendToStream(s, newEvents(1), { expectedRevision: 'no_stream' });
        const batch = newEvents(2);
        const first = await store.appendToStream(s, batch, { expectedRevision: 0n });
        const retry = await store.appendToStream(s, batch, { expectedRevision: 0n });
        expect(retry).toEqual({ ...first, alreadyAppended: true });
        expect(revisions(await store.readStream(s))).toEqual([0n, 1n, 2n]);
      });

      it("a retry is a no-op after other events were appended, and with 'any'", async () => {
        const s = stream();
        const batch = newEvents(2);
        const first = await store.appendToStream(s, batch, { expectedRevision: 'no_stream' });
        await store.appendToStream(s, newEvents(1), { expectedRevision: 1n });
        expect(await store.appendToStream(s, batch, { expectedRevision: 'no_stream' })).toEqual({ ...first, alreadyAppended: true });
        expect(await store.appendToStream(s, batch, { expectedRevision: 'any' })).toEqual({ ...first, alreadyAppended: true });
        expect(await store.readStream(s)).toHaveLength(3);
      });

      it('refuses the same id with different content', async () => {
        const s = stream();
        const event = newEvent('CaseAccepted', { window: 3 });
        await store.appendToStream(s, [event], { expectedRevision: 'no_stream' });
        const changedData = await rejection(store.appendToStream(s, [{ ...event, data: { window: 4 } }], { expectedRevision: 'no_stream' }));
        expect(changedData).toBeInstanceOf(EventIdConflictError);
        expect(changedData).toMatchObject({ eventId: event.id, stream: s });
        expect((changedData as Error).message).toMatch(/different content/);
        const changedType = await rejection(store.appendToStream(s, [{ ...event, type: 'CaseRefused' }], { expectedRevision: 'no_stream' }));
        expect(changedType).toBeInstanceOf(EventIdConflictError);
        const changedMetadata = await rejection(
          store.appendToStream(s, [{ ...event, metadata: testMetadata({ correlationId: 'other' }) }], { expectedRevision: 'no_stream' }),
        );
        expect(changedMetadata).toBeInstanceOf(EventIdConflictError);
        expect(await store.readStream(s)).toHaveLength(1);
      });

      it('refuses the same id aimed at a different position', async () => {
        const s = stream();
        const batch = newEvents(1);
        await store.appendToStream(s, batch, { expectedRevision: 'no_stream' });
        await store.appendToStream(s, newEvents(1), { expectedRevision: 0n });
        const error = await rejection(store.appendToStream(s, batch, { expectedRevision: 1n }));
        expect(error).toBeInstanceOf(EventIdConflictError);
        expect((error as Error).message).toMatch(/revision 0/);
        expect(await store.readStream(s)).toHaveLength(2);
      });

      it('refuses a batch that is only partly stored, writing nothing', async () => {
        const s = stream();
        const [a, b] = newEvents(2) as [NewEvent, NewEvent];
        await store.appendToStream(s, [a], { expectedRevision: 'no_stream' });
        const head = await store.headPosition();
        expect(await rejection(store.appendToStream(s, [a, b], { expectedRevision: 'no_stream' }))).toBeInstanceOf(EventIdConflictError);
        expect(await rejection(store.appendToStream(s, [b, a], { expectedRevision: 0n }))).toBeInstanceOf(EventIdConflictError);
        expect(await store.readStream(s)).toHaveLength(1);
        expect(await store.headPosition()).toBe(head);
      });

      it.skipIf(options.globallyUniqueEventIds === false)('refuses an id already stored in another stream', async () => {
        const event = newEvent();
        const s1 = stream();
        const s2 = stream();
        await store.appendToStream(s1, [event], { expectedRevision: 'no_stream' });
        const error = await rejection(store.appendToStream(s2, [event], { expectedRevision: 'any' }));
        expect(error).toBeInstanceOf(EventIdConflictError);
        expect((error as Error).message).toContain(s1);
        expect(await store.readStream(s2)).toEqual([]);
      });

      it('two racing copies of one append store it once', async () => {
        const s = stream();
        const batch = newEvents(3);
        const results = await Promise.all([
          store.appendToStream(s, batch, { expectedRevision: 'any' }),
          store.appendToStream(s, batch, { expectedRevision: 'any' }),
        ]);
        expect(results.map((r) => r.alreadyAppended).sort()).toEqual([false, true]);
        expect(results[0]!.lastGlobalPosition).toBe(results[1]!.lastGlobalPosition);
        expect(revisions(await store.readStream(s))).toEqual([0n, 1n, 2n]);
      });
    });

    describe('input validation', () => {
      it('refuses malformed events, listing each issue, and stores nothing', async () => {
        const s = stream();
        const good = newEvent();
        const error = await rejection(
          store.appendToStream(
            s,
            [
              good,
              { ...newEvent(), id: 'not-a-uuid' },
              { ...newEvent(), schemaVersion: 0 },
              { ...newEvent(), metadata: { correlationId: 'c' } as never },
              { ...newEvent(), data: { amount: Number.NaN } },
              { ...newEvent(), metadata: { ...testMetadata(), hash: 'forged' } },
              { ...newEvent(), id: good.id },
            ],
            { expectedRevision: 'any' },
          ),
        );
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).issues.map((i) => i.path)).toEqual([
          '/events/1/id',
          '/events/2/schemaVersion',
          '/events/3/metadata/actor',
          '/events/4/data/amount',
          '/events/5/metadata',
          '/events/6/id',
        ]);
        expect(await store.readStream(s)).toEqual([]);
      });

      it('refuses an empty append, a bad stream name and a bad expected revision', async () => {
        await expect(store.appendToStream(stream(), [], { expectedRevision: 'any' })).rejects.toBeInstanceOf(ValidationError);
        await expect(store.appendToStream('', newEvents(1), { expectedRevision: 'any' })).rejects.toBeInstanceOf(ValidationError);
        await expect(store.appendToStream('$checkpoint-x', newEvents(1), { expectedRevision: 'any' })).rejects.toBeInstanceOf(ValidationError);
        await expect(store.appendToStream(stream(), newEvents(1), { expectedRevision: -1n })).rejects.toBeInstanceOf(ValidationError);
        await expect(store.appendToStream(stream(), newEvents(1), { expectedRevision: 'latest' as ExpectedRevision })).rejects.toBeInstanceOf(
          ValidationError,
        );
      });
    });

    describe('readStream', () => {
      let s: string;
      beforeAll(async () => {
        s = stream();
        await store.appendToStream(s, newEvents(5), { expectedRevision: 'no_stream' });
      });

      it('reads forwards from the start by default', async () => {
        const events = await store.readStream(s);
        expect(revisions(events)).toEqual([0n, 1n, 2n, 3n, 4n]);
        expect(events.map((e) => e.data)).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })));
        expect(positions(events)).toEqual([...positions(events)].sort((a, b) => (a < b ? -1 : 1)));
      });

      it('reads forwards from a revision, at most maxCount', async () => {
        expect(revisions(await store.readStream(s, { fromRevision: 2n }))).toEqual([2n, 3n, 4n]);
        expect(revisions(await store.readStream(s, { fromRevision: 1n, maxCount: 2 }))).toEqual([1n, 2n]);
        expect(await store.readStream(s, { fromRevision: 5n })).toEqual([]);
      });

      it('reads backwards from the end or from a revision', async () => {
        expect(revisions(await store.readStream(s, { direction: 'backwards' }))).toEqual([4n, 3n, 2n, 1n, 0n]);
        expect(revisions(await store.readStream(s, { direction: 'backwards', maxCount: 1 }))).toEqual([4n]);
        expect(revisions(await store.readStream(s, { direction: 'backwards', fromRevision: 2n }))).toEqual([2n, 1n, 0n]);
        expect(revisions(await store.readStream(s, { direction: 'backwards', fromRevision: 9n, maxCount: 2 }))).toEqual([4n, 3n]);
      });

      it('orders by number past revision 9 (not as text), in both directions and in readAll', async () => {
        const long = stream();
        const start = await store.headPosition();
        await store.appendToStream(long, newEvents(12), { expectedRevision: 'no_stream' });
        const expected = Array.from({ length: 12 }, (_, i) => BigInt(i));
        expect(revisions(await store.readStream(long))).toEqual(expected);
        expect(revisions(await store.readStream(long, { direction: 'backwards' }))).toEqual([...expected].reverse());
        const all = (await store.readAll({ after: start })).filter((e) => e.stream === long);
        expect(revisions(all)).toEqual(expected);
        expect(await store.streamRevision(long)).toBe(11n);
        await store.appendToStream(long, newEvents(1), { expectedRevision: 11n });
        expect(revisions(await store.readStream(long, { direction: 'backwards', maxCount: 1 }))).toEqual([12n]);
      });

      it('returns nothing for a stream that does not exist', async () => {
        expect(await store.readStream(stream())).toEqual([]);
        expect(await store.readStream(stream(), { direction: 'backwards' })).toEqual([]);
      });
    });

    describe('readStreams (batched reads, where the adapter has them; readStreamsOf falls back)', () => {
      it('reads each stream whole, in revision order, as readStream does; a missing stream is empty; a repeated name is read once', async () => {
        const a = stream();
        const b = stream();
        const missing = stream();
        await store.appendToStream(a, newEvents(12), { expectedRevision: 'no_stream' });
        await store.appendToStream(b, newEvents(2), { expectedRevision: 'no_stream' });
        await store.appendToStream(a, newEvents(1), { expectedRevision: 11n });
        const read = await readStreamsOf(store, [b, a, missing, a]);
        expect([...read.keys()].sort()).toEqual([a, b, missing].sort());
        expect(read.get(a)).toEqual(await store.readStream(a));
        expect(revisions(read.get(a)!)).toEqual(Array.from({ length: 13 }, (_, i) => BigInt(i)));
        expect(read.get(b)).toEqual(await store.readStream(b));
        expect(read.get(missing)).toEqual([]);
        expect((await readStreamsOf(store, [])).size).toBe(0);
      });

      it('then appends at the revisions it read, and refuses a stale one', async () => {
        const a = stream();
        await store.appendToStream(a, newEvents(3), { expectedRevision: 'no_stream' });
        const read = await readStreamsOf(store, [a]);
        const last = read.get(a)!.at(-1)!.revision;
        expect((await store.appendToStream(a, newEvents(1), { expectedRevision: last })).nextExpectedRevision).toBe(last + 1n);
        await expect(store.appendToStream(a, newEvents(1), { expectedRevision: last })).rejects.toBeInstanceOf(ConcurrencyError);
      });

      it('refuses a bad stream name before reading', async () => {
        await expect(readStreamsOf(store, [stream(), '$bad'])).rejects.toBeInstanceOf(ValidationError);
      });
    });

    describe('readAll', () => {
      let category: string;
      let start: bigint;
      let written: StoredEvent[];
      beforeAll(async () => {
        category = uniqueCategory('all');
        const other = uniqueCategory('other');
        start = await store.headPosition();
        const [a, b, c] = [`${category}-a`, `${category}-b`, `${other}-c`];
        await store.appendToStream(a, [newEvent('ApplicationSubmitted'), newEvent('MaterialsReceived')], { expectedRevision: 'no_stream' });
        await store.appendToStream(c, [newEvent('ApplicationSubmitted')], { expectedRevision: 'no_stream' });
        await store.appendToStream(b, [newEvent('ApplicationSubmitted')], { expectedRevision: 'no_stream' });
        await store.appendToStream(a, [newEvent('CaseAccepted')], { expectedRevision: 1n });
        written = [...(await store.readStream(a)), ...(await store.readStream(b)), ...(await store.readStream(c))].sort((x, y) =>
          x.globalPosition < y.globalPosition ? -1 : 1,
        );
      });

      it('reads every stream in global order after a position', async () => {
        const events = (await store.readAll({ after: start })).filter((e) => written.some((w) => w.id === e.id));
        expect(events.map((e) => e.id)).toEqual(written.map((e) => e.id));
        const third = written[2]!.globalPosition;
        const after = (await store.readAll({ after: third })).filter((e) => written.some((w) => w.id === e.id));
        expect(after.map((e) => e.id)).toEqual(written.slice(3).map((e) => e.id));
        expect(after.every((e) => e.globalPosition > third)).toBe(true);
      });

      it('honours maxCount', async () => {
        const page = await store.readAll({ after: start, maxCount: 2, filter: { categories: [category] } });
        expect(page).toHaveLength(2);
      });

      it('filters by category and by event type on the store side', async () => {
        const byCategory = await store.readAll({ after: start, filter: { categories: [category] } });
        expect(byCategory.map((e) => e.type)).toEqual(['ApplicationSubmitted', 'MaterialsReceived', 'ApplicationSubmitted', 'CaseAccepted']);
        const byType = await store.readAll({ after: start, filter: { categories: [category], eventTypes: ['ApplicationSubmitted', 'CaseAccepted'] } });
        expect(byType.map((e) => `${e.stream}:${e.type}`)).toEqual([
          `${category}-a:ApplicationSubmitted`,
          `${category}-b:ApplicationSubmitted`,
          `${category}-a:CaseAccepted`,
        ]);
        expect(await store.readAll({ after: start, filter: { categories: [category], eventTypes: ['Nothing'] } })).toEqual([]);
      });
    });

    describe('stored event', () => {
      it('round-trips data, type, schema version and every metadata field', async () => {
        const s = stream('application');
        const data = {
          applicant: { name: '张三', idCard: '110101199003070011' },
          materials: [{ name: '营业执照', copies: 2, original: true }],
          fee: 0,
          ratio: 0.25,
          note: null,
          emoji: '✓ 🧾',
        };
        const metadata = {
          caseId: 'case-2026-0001',
          correlationId: randomUUID(),
          causationId: randomUUID(),
          actor: { id: 'clerk-7', role: 'window-clerk', department: '北京市市场监督管理局' },
          guideVersion: 'guide-110000-0042@3',
          channel: 'window',
        };
        const id = randomUUID();
        const before = Date.now();
        const head = await store.headPosition();
        await store.appendToStream(s, [{ id, type: 'ApplicationSubmitted', schemaVersion: 3, data, metadata }], { expectedRevision: 'no_stream' });
        const [event] = await store.readStream(s);
        expect(event).toMatchObject({ id, type: 'ApplicationSubmitted', schemaVersion: 3, stream: s, revision: 0n, data });
        expect(event!.metadata).toEqual({ ...metadata, prevHash: null, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
        expect(event!.recordedAt).toBeInstanceOf(Date);
        // The store's clock, not ours: allow for a server clock slightly apart.
        expect(Math.abs(event!.recordedAt.getTime() - before)).toBeLessThan(60_000);
        const [viaAll] = await store.readAll({ after: head, filter: { categories: ['application'] }, maxCount: 1 });
        expect(viaAll).toEqual(event);
      });

      it('keeps optional metadata optional (an actor without department, no case id)', async () => {
        const s = stream();
        const metadata = { correlationId: 'c-1', actor: { id: 'system', role: 'scheduler' } };
        await store.appendToStream(s, [{ ...newEvent(), metadata }], { expectedRevision: 'no_stream' });
        const [event] = await store.readStream(s);
        expect(event!.metadata).toEqual({ ...metadata, prevHash: null, hash: expect.any(String) });
      });

      it('chains every event of a stream to the previous one by hash, across appends', async () => {
        const s = stream();
        await store.appendToStream(s, newEvents(2), { expectedRevision: 'no_stream' });
        await store.appendToStream(s, newEvents(2), { expectedRevision: 'any' });
        const events = await store.readStream(s);
        let prevHash: string | null = null;
        for (const event of events) {
          expect(event.metadata.prevHash).toBe(prevHash);
          expect(event.metadata.hash).toBe(computeEventHash(event, prevHash));
          prevHash = event.metadata.hash;
        }
      });
    });

    describe('checkpoints', () => {
      it('store with compare-and-set: a stale write is refused', async () => {
        const id = `cp-${randomUUID()}`;
        expect(await store.checkpoints.read(id)).toBeNull();
        await store.checkpoints.store(id, null, 5n);
        const stale = await rejection(store.checkpoints.store(id, null, 7n));
        expect(stale).toBeInstanceOf(ConcurrencyError);
        expect(await rejection(store.checkpoints.store(id, 4n, 7n))).toBeInstanceOf(ConcurrencyError);
        await store.checkpoints.store(id, 5n, 7n);
        expect(await store.checkpoints.read(id)).toBe(7n);
        // Moving back is allowed (a replay on request), as long as the caller saw the current value.
        await store.checkpoints.store(id, 7n, 2n);
        expect(await store.checkpoints.read(id)).toBe(2n);
      });

      it('two writers racing from the same value: exactly one wins', async () => {
        const id = `cp-${randomUUID()}`;
        await store.checkpoints.store(id, null, 1n);
        const outcomes = await Promise.allSettled([store.checkpoints.store(id, 1n, 10n), store.checkpoints.store(id, 1n, 20n)]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(refused?.reason).toBeInstanceOf(ConcurrencyError);
        expect([10n, 20n]).toContain(await store.checkpoints.read(id));
      });
    });

    describe('subscribeToAll (catch-up)', () => {
      const collect = () => {
        const seen: StoredEvent[] = [];
        const batches: number[] = [];
        const handler = async (events: readonly StoredEvent[]) => {
          batches.push(events.length);
          seen.push(...events);
        };
        return { seen, batches, handler };
      };

      it('delivers history, then live events, in order, filtered by category', async () => {
        const category = uniqueCategory('sub');
        const [a, b] = [`${category}-a`, `${category}-b`];
        await store.appendToStream(a, newEvents(3), { expectedRevision: 'no_stream' });
        await store.appendToStream(`${uniqueCategory('noise')}-x`, newEvents(2), { expectedRevision: 'no_stream' });
        await store.appendToStream(b, newEvents(2), { expectedRevision: 'no_stream' });
        const { seen, batches, handler } = collect();
        const subscription = store.subscribeToAll({ subscriptionId: `sub-${randomUUID()}`, filter: { categories: [category] }, batchSize: 2 }, handler);
        await subscription.caughtUp();
        expect(seen.map((e) => `${e.stream}@${e.revision}`)).toEqual([`${a}@0`, `${a}@1`, `${a}@2`, `${b}@0`, `${b}@1`]);

        await store.appendToStream(b, newEvents(1), { expectedRevision: 1n });
        await store.appendToStream(a, newEvents(2), { expectedRevision: 2n });
        await subscription.caughtUp();
        await subscription.stop();
        await subscription.finished;
        expect(seen.map((e) => `${e.stream}@${e.revision}`).slice(5)).toEqual([`${b}@2`, `${a}@3`, `${a}@4`]);
        expect(batches.every((n) => n >= 1 && n <= 2)).toBe(true);
        expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
      });

      it('filters by event type', async () => {
        const category = uniqueCategory('types');
        const s = `${category}-1`;
        await store.appendToStream(s, [newEvent('DeadlineOpened'), newEvent('Noise'), newEvent('DeadlineBreached')], { expectedRevision: 'no_stream' });
        const { seen, handler } = collect();
        const subscription = store.subscribeToAll(
          { subscriptionId: `sub-${randomUUID()}`, filter: { categories: [category], eventTypes: ['DeadlineOpened', 'DeadlineBreached'] } },
          handler,
        );
        await subscription.caughtUp();
        await subscription.stop();
        expect(seen.map((e) => e.type)).toEqual(['DeadlineOpened', 'DeadlineBreached']);
      });

      it('resumes after stop from its checkpoint: nothing redelivered, nothing skipped', async () => {
        const category = uniqueCategory('resume');
        const s = `${category}-1`;
        const subscriptionId = `sub-${randomUUID()}`;
        await store.appendToStream(s, newEvents(3), { expectedRevision: 'no_stream' });
        const first = collect();
        const one = store.subscribeToAll({ subscriptionId, filter: { categories: [category] } }, first.handler);
        await one.caughtUp();
        await one.stop();
        expect(await store.checkpoints.read(subscriptionId)).toBe(first.seen[2]!.globalPosition);

        await store.appendToStream(s, newEvents(2), { expectedRevision: 2n });
        const second = collect();
        const two = store.subscribeToAll({ subscriptionId, filter: { categories: [category] } }, second.handler);
        await two.caughtUp();
        await two.stop();
        expect(revisions(first.seen)).toEqual([0n, 1n, 2n]);
        expect(revisions(second.seen)).toEqual([3n, 4n]);
      });

      it('starts after a given position when it has no checkpoint yet', async () => {
        const category = uniqueCategory('start');
        const s = `${category}-1`;
        await store.appendToStream(s, newEvents(2), { expectedRevision: 'no_stream' });
        const start = await store.headPosition();
        await store.appendToStream(s, newEvents(2), { expectedRevision: 1n });
        const { seen, handler } = collect();
        const subscription = store.subscribeToAll({ subscriptionId: `sub-${randomUUID()}`, filter: { categories: [category] }, startAfter: start }, handler);
        await subscription.caughtUp();
        await subscription.stop();
        expect(revisions(seen)).toEqual([2n, 3n]);
      });

      it('without stored checkpoints: delivers from startAfter each time it starts, in order, and leaves no checkpoint', async () => {
        const category = uniqueCategory('nockpt');
        const s = `${category}-1`;
        const subscriptionId = `sub-${randomUUID()}`;
        await store.appendToStream(s, newEvents(3), { expectedRevision: 'no_stream' });
        const first = collect();
        const one = store.subscribeToAll({ subscriptionId, filter: { categories: [category] }, batchSize: 2, storeCheckpoints: false }, first.handler);
        await one.caughtUp();
        await store.appendToStream(s, newEvents(1), { expectedRevision: 2n });
        await one.caughtUp();
        await one.stop();
        expect(revisions(first.seen)).toEqual([0n, 1n, 2n, 3n]);
        expect(await store.checkpoints.read(subscriptionId)).toBeNull();

        // A fold in memory starts over: the same id delivers everything again.
        const second = collect();
        const two = store.subscribeToAll({ subscriptionId, filter: { categories: [category] }, storeCheckpoints: false }, second.handler);
        await two.caughtUp();
        await two.stop();
        expect(revisions(second.seen)).toEqual([0n, 1n, 2n, 3n]);
      });

      it('ends when the handler throws; subscribing again redelivers the failed batch', async () => {
        const category = uniqueCategory('fail');
        const s = `${category}-1`;
        const subscriptionId = `sub-${randomUUID()}`;
        await store.appendToStream(s, newEvents(3), { expectedRevision: 'no_stream' });
        const failing = store.subscribeToAll({ subscriptionId, filter: { categories: [category] }, batchSize: 1 }, async (events) => {
          if (events[0]!.revision === 1n) throw new Error('projection store down');
        });
        await expect(failing.finished).rejects.toThrow('projection store down');
        await expect(failing.caughtUp()).rejects.toThrow('projection store down');
        const { seen, handler } = collect();
        const retry = store.subscribeToAll({ subscriptionId, filter: { categories: [category] } }, handler);
        await retry.caughtUp();
        await retry.stop();
        expect(revisions(seen)).toEqual([1n, 2n]);
      });

      it('ends when another instance moved the checkpoint (compare-and-set refused)', async () => {
        const category = uniqueCategory('cas');
        const s = `${category}-1`;
        const subscriptionId = `sub-${randomUUID()}`;
        await store.appendToStream(s, newEvents(2), { expectedRevision: 'no_stream' });
        let intruded = false;
        const subscription = store.subscribeToAll({ subscriptionId, filter: { categories: [category] }, batchSize: 1 }, async () => {
          if (!intruded) {
            intruded = true;
            // Another instance with the same id checkpoints first.
            await store.checkpoints.store(subscriptionId, null, 1n);
          }
        });
        await expect(subscription.finished).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.checkpoints.read(subscriptionId)).toBe(1n);
      });

      it('caughtUp after stop is refused', async () => {
        const subscription = store.subscribeToAll({ subscriptionId: `sub-${randomUUID()}`, filter: { categories: [uniqueCategory('stop')] } }, async () => {});
        await subscription.caughtUp();
        await subscription.stop();
        await expect(subscription.caughtUp()).rejects.toThrow(/stopped/);
        await expect(subscription.finished).resolves.toBeUndefined();
      });
    });

    describe('concurrent appends (property)', () => {
      type Expectation = 'any' | 'no_stream' | 'exists' | 'read' | 'guess';
      const operation = fc.record({
        stream: fc.integer({ min: 0, max: 2 }),
        count: fc.integer({ min: 1, max: 3 }),
        expectation: fc.constantFrom<Expectation>('any', 'no_stream', 'exists', 'read', 'read', 'guess'),
        guess: fc.bigInt({ min: 0n, max: 6n }),
      });

      it('random interleavings of several writers: gapless, nothing lost or duplicated, refused appends write nothing', async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(fc.array(operation, { minLength: 1, maxLength: 6 }), { minLength: 2, maxLength: 4 }), fc.scheduler(), async (writers, s) => {
            const category = uniqueCategory('prop');
            const streams = [0, 1, 2].map((i) => `${category}-${i}`);
            const delivered: StoredEvent[] = [];
            const subscription = store.subscribeToAll({ subscriptionId: `prop-${randomUUID()}`, filter: { categories: [category] }, batchSize: 7 }, async (events) => {
              delivered.push(...events);
            });
            const accepted: { events: NewEvent[]; stream: string; expected: ExpectedRevision; next: bigint }[] = [];
            const refused: NewEvent[] = [];
            const unexpected: unknown[] = [];

            const runWriter = async (ops: typeof writers[number]) => {
              for (const op of ops) {
                // The scheduler decides which writer goes next at every step.
                await s.schedule(Promise.resolve(), 'step');
                const target = streams[op.stream]!;
                const expected: ExpectedRevision =
                  op.expectation === 'read' ? ((await store.streamRevision(target)) ?? 'no_stream') : op.expectation === 'guess' ? op.guess : op.expectation;
                if (op.expectation === 'read') await s.schedule(Promise.resolve(), 'between read and append');
                const events = newEvents(op.count);
                try {
                  const result = await store.appendToStream(target, events, { expectedRevision: expected });
                  accepted.push({ events, stream: target, expected, next: result.nextExpectedRevision });
                } catch (error) {
                  if (error instanceof ConcurrencyError) refused.push(...events);
                  else unexpected.push(error);
                }
              }
            };
            await s.waitFor(Promise.all(writers.map(runWriter)));
            await subscription.caughtUp();
            await subscription.stop();

            expect(unexpected).toEqual([]);
            const all = await store.readAll({ filter: { categories: [category] } });
            // Nothing lost or duplicated: exactly the accepted events, once each.
            const ids = all.map((e) => e.id);
            expect(new Set(ids).size).toBe(ids.length);
            expect(new Set(ids)).toEqual(new Set(accepted.flatMap((a) => a.events.map((e) => e.id))));
            // A refused append wrote nothing.
            expect(refused.filter((e) => ids.includes(e.id))).toEqual([]);
            for (const target of streams) {
              const inStream = await store.readStream(target);
              // Gapless revisions per stream.
              expect(revisions(inStream)).toEqual(inStream.map((_, i) => BigInt(i)));
              // The global order agrees with every stream's order.
              expect(all.filter((e) => e.stream === target).map((e) => e.id)).toEqual(inStream.map((e) => e.id));
            }
            for (const a of accepted) {
              const inStream = await store.readStream(a.stream);
              const first = a.next - BigInt(a.events.length) + 1n;
              // Each accepted batch sits contiguously where its expected revision said.
              expect(inStream.slice(Number(first), Number(a.next) + 1).map((e) => e.id)).toEqual(a.events.map((e) => e.id));
              if (typeof a.expected === 'bigint') expect(first).toBe(a.expected + 1n);
              if (a.expected === 'no_stream') expect(first).toBe(0n);
              if (a.expected === 'exists') expect(first > 0n).toBe(true);
            }
            // The subscription saw every event once, each stream in revision order.
            expect(delivered.map((e) => e.id).sort()).toEqual([...ids].sort());
            for (const target of streams) {
              expect(revisions(delivered.filter((e) => e.stream === target))).toEqual(revisions(all.filter((e) => e.stream === target)));
            }
          }),
          { numRuns: propertyRuns },
        );
      });
    });
  });
}
