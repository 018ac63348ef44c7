/**
 * The deadline index on the real Redis: it is a projection (flush it, rebuild
 * from the store, get the same deadlines back, fire nothing twice) and firing
 * survives a crash between recording a breach and updating the index.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveComponent } from '@govsvc/testkit/infra';
import { uniqueKeyPrefix } from '@govsvc/testkit/redis';
import { createInMemoryEventStore, type InMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { ControlledClock } from '@govsvc/runtime/clock';
import { createRedisCaseTimeline } from '../src/adapters/redis-case-timeline.ts';
import { compactMember, createRedisDeadlineIndex, deadlineIdOfMember, type RedisDeadlineIndex } from '../src/adapters/redis-deadline-index.ts';
import { createMemoryDeadlineIndex, type DeadlineIndex, type IndexChange, type IndexEntry } from '../src/app/deadline-index.ts';
import { readDeadline } from '../src/app/deadlines.ts';
import { deadlineIdOf } from '../src/domain/kinds.ts';
import { startHarness, type Harness } from './harness.ts';
import { startTcpGate } from '@govsvc/testkit/tcp-gate';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

let redisUrl: string;
const indexes: RedisDeadlineIndex[] = [];
const harnesses: Harness[] = [];

beforeAll(async () => {
  redisUrl = await resolveComponent('redis');
});
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop();
});
afterAll(async () => {
  for (const index of indexes) {
    await index.clear();
    await index.close();
  }
});

const redisIndex = (prefix: string) => {
  const index = createRedisDeadlineIndex({ url: redisUrl, prefix });
  indexes.push(index);
  return index;
};

const itemCode = '11000000000000000A-0001-01';
const snapshot = (entries: readonly IndexEntry[]) => [...entries].sort((a, b) => (a.deadlineId < b.deadlineId ? -1 : 1));

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await condition()); ) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function countEvents(store: InMemoryEventStore, type: string): Promise<number> {
  return store.allEvents().filter((e) => e.type === type).length;
}

describe('deadline index in Redis', () => {
  it('flushing Redis and rebuilding from the event store yields the same deadlines, and fires nothing twice', async () => {
    const clock = new ControlledClock('2025-03-03T08:00:00+08:00');
    const store = createInMemoryEventStore({ now: () => clock.now() });
    const index = redisIndex(uniqueKeyPrefix('rebuild'));
    const h = await startHarness({ start: '2025-03-03T08:00:00+08:00', clock, store, index });
    harnesses.push(h);
    await h.publish('catalog.guide-published.v1', { itemCode, guideVersion: '2025.2', itemType: '01' });
    // Twelve cases submitted over two weeks; two of them get their acceptance decision in time.
    for (let i = 0; i < 12; i++) {
      const day = String(3 + i).padStart(2, '0');
      await h.publish('intake.application-submitted.v1', { caseId: `BJ-X${i}`, itemCode, guideVersion: '2025.2', submittedAt: `2025-03-${day}T10:00:00+08:00` });
    }
    for (const i of [3, 7]) {
      await h.publish('intake.supplement-requested.v1', { caseId: `BJ-X${i}`, requestedAt: `2025-03-${String(4 + i).padStart(2, '0')}T09:00:00+08:00` });
    }
    await h.tick('2025-03-12T00:00:00+08:00');
    await h.tick('2025-03-14T09:00:00+08:00');

    const before = snapshot(await index.all());
    const cardedBefore = snapshot(await index.carded());
    expect(before.length).toBeGreaterThan(20);
    expect(new Set(cardedBefore.map((e) => e.card))).toEqual(new Set(['warning', 'yellow', 'red']));
    const eventsBefore = store.allEvents().length;
    const breachesBefore = await countEvents(store, 'DeadlineBreached');
    expect(breachesBefore).toBeGreaterThan(0);

    await index.clear();
    expect(await index.all()).toEqual([]);
    await h.module.rebuild('deadline-index');
    expect(snapshot(await index.all())).toEqual(before);
    expect(snapshot(await index.carded())).toEqual(cardedBefore);
    expect(await index.countOpen()).toBe(before.length);

    // The same instant again: nothing new fires from the rebuilt index.
    await h.tick('2025-03-14T09:00:00+08:00');
    expect(await countEvents(store, 'DeadlineBreached')).toBe(breachesBefore);
    expect(store.allEvents().length).toBe(eventsBefore);
    // Later, only what is newly due fires, once.
    await h.tick('2025-03-17T09:00:00+08:00');
    await index.clear();
    await h.module.rebuild('deadline-index');
    const afterSecond = store.allEvents().length;
    await h.tick('2025-03-17T09:00:00+08:00');
    expect(store.allEvents().length).toBe(afterSecond);
  });

  it('a Redis wiped behind its back is noticed and rebuilt by supervision itself; not ready meanwhile (reliability finding 9)', async () => {
    const clock = new ControlledClock('2025-03-03T08:00:00+08:00');
    const store = createInMemoryEventStore({ now: () => clock.now() });
    const prefix = uniqueKeyPrefix('wiped');
    const index = redisIndex(prefix);
    const h = await startHarness({ start: '2025-03-03T08:00:00+08:00', clock, store, index, indexCheckMs: 100 });
    harnesses.push(h);
    await h.publish('catalog.guide-published.v1', { itemCode, guideVersion: '2025.2', itemType: '01' });
    for (let i = 0; i < 5; i++) await h.publish('intake.application-submitted.v1', { caseId: `BJ-W${i}`, itemCode, guideVersion: '2025.2', submittedAt: '2025-03-03T10:00:00+08:00' });
    const before = snapshot(await index.all());
    expect(before.length).toBeGreaterThanOrEqual(5);
    expect(await index.integrity!.intact()).toBe(true);

    // FLUSHALL, as far as this index can tell: every key under its prefix gone, written by nobody in this process.
    const wiper = createRedisDeadlineIndex({ url: redisUrl, prefix });
    await wiper.clear();
    await wiper.close();
    expect(await index.all()).toEqual([]);

    await waitUntil(async () => (await index.integrity!.intact()) && (await index.all()).length === before.length);
    expect(snapshot(await index.all())).toEqual(before);
    const ready = await Promise.all(h.module.readinessChecks.map((c) => c.check().then(() => true, () => false)));
    expect(ready.every(Boolean)).toBe(true);
    // Firing still happens exactly once from the rebuilt index.
    await h.tick('2025-03-05T09:00:00+08:00');
    const breaches = await countEvents(store, 'DeadlineBreached');
    expect(breaches).toBeGreaterThan(0);
    await h.tick('2025-03-05T09:00:00+08:00');
    expect(await countEvents(store, 'DeadlineBreached')).toBe(breaches);
  });

  it('the case timeline, wiped the same way, is rebuilt too: the history does not go empty', async () => {
    const clock = new ControlledClock('2025-03-03T08:00:00+08:00');
    const store = createInMemoryEventStore({ now: () => clock.now() });
    const prefix = uniqueKeyPrefix('timeline');
    const timeline = createRedisCaseTimeline({ url: redisUrl, prefix });
    const h = await startHarness({ start: '2025-03-03T08:00:00+08:00', clock, store, timeline, indexCheckMs: 100 });
    harnesses.push(h);
    await h.publish('catalog.guide-published.v1', { itemCode, guideVersion: '2025.2', itemType: '01' });
    await h.publish('intake.application-submitted.v1', { caseId: 'BJ-T1', itemCode, guideVersion: '2025.2', submittedAt: '2025-03-03T10:00:00+08:00' });
    await waitUntil(async () => (await timeline.positions('BJ-T1')).length > 0);
    const before = await timeline.positions('BJ-T1');

    // Seen empty at once, before closing the wiper: the watchdog checks every 100 ms and may have rebuilt it
    // by the time a close under load returns (a clean-clone CI run saw that).
    const wiper = createRedisCaseTimeline({ url: redisUrl, prefix });
    await wiper.clear();
    expect(await wiper.isEmpty()).toBe(true);
    await wiper.close();

    await waitUntil(async () => (await timeline.integrity!.intact()) && (await timeline.positions('BJ-T1')).length === before.length);
    expect(await timeline.positions('BJ-T1')).toEqual(before);
    await timeline.clear();
    await timeline.close();
  });

  it('Redis away for a while: the timeline and index subscriptions wait it out and go on following the store (reliability finding 12)', async () => {
    const clock = new ControlledClock('2025-03-03T08:00:00+08:00');
    const store = createInMemoryEventStore({ now: () => clock.now() });
    const prefix = uniqueKeyPrefix('outage');
    const { hostname, port } = new URL(redisUrl);
    // Every connection of the adapters goes through a gate the test shuts: what a Redis restart or a network cut looks like.
    const gate = await startTcpGate({ host: hostname, port: Number(port || 6379) });
    const through = `redis://127.0.0.1:${gate.port}`;
    const timeline = createRedisCaseTimeline({ url: through, prefix: `${prefix}t:` });
    const index = createRedisDeadlineIndex({ url: through, prefix: `${prefix}i:` });
    const h = await startHarness({ start: '2025-03-03T08:00:00+08:00', clock, store, timeline, index, indexCheckMs: 100 });
    harnesses.push(h);
    try {
      await h.publish('catalog.guide-published.v1', { itemCode, guideVersion: '2025.2', itemType: '01' });
      await h.publish('intake.application-submitted.v1', { caseId: 'BJ-O1', itemCode, guideVersion: '2025.2', submittedAt: '2025-03-03T10:00:00+08:00' });
      await waitUntil(async () => (await timeline.positions('BJ-O1')).length > 0 && (await index.countOpen()) > 0);

      await gate.shut();
      // Events the timeline must still see: appended while Redis cannot be reached (its subscription's writes fail meanwhile).
      for (let n = 0; n < 3; n++) {
        await store.appendToStream('probe-BJ-O2', [{ id: randomUUID(), type: 'ProbeNoted', schemaVersion: 1, data: { n }, metadata: { caseId: 'BJ-O2', correlationId: 'probe', actor: { id: 'test', role: 'system' } } }], { expectedRevision: n === 0 ? 'no_stream' : BigInt(n - 1) });
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      await gate.open();

      const storeHas = async (caseId: string) => store.allEvents().filter((e) => e.metadata.caseId === caseId).length;
      // Until the adapters have reconnected, their calls answer UnavailableError: not yet.
      const followed = (caseId: string) => async () => ((await timeline.positions(caseId).catch(() => [])).length || -1) === (await storeHas(caseId));
      await waitUntil(followed('BJ-O2'));
      // And after: a case that arrives once Redis is back is followed too (the subscriptions did not end).
      await h.publish('intake.application-submitted.v1', { caseId: 'BJ-O3', itemCode, guideVersion: '2025.2', submittedAt: '2025-03-03T12:00:00+08:00' });
      await waitUntil(followed('BJ-O3'));
      await waitUntil(async () => (await index.all().catch(() => [])).some((e) => e.caseId === 'BJ-O3'));
    } finally {
      await h.stop();
      harnesses.splice(harnesses.indexOf(h), 1);
      await timeline.clear().catch(() => undefined);
      await index.clear().catch(() => undefined);
      await timeline.close();
      await index.close();
      await gate.stop();
    }
  });

  it("an operator's rebuild is not taken for a wipe: the watchdog leaves it alone, and the timeline is whole when it returns", async () => {
    const clock = new ControlledClock('2025-03-03T08:00:00+08:00');
    const memory = createInMemoryEventStore({ now: () => clock.now() });
    // Each read of the whole store a little slow, so the watchdog (every 10 ms) looks at the marker mid-rebuild.
    let slowReads = false;
    const store = new Proxy(memory, {
      get(target, property) {
        if (property === 'readAll') return async (options: Parameters<typeof memory.readAll>[0]) => {
          if (slowReads) await new Promise((resolve) => setTimeout(resolve, 100));
          return target.readAll(options);
        };
        const value = (target as unknown as Record<PropertyKey, unknown>)[property];
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const prefix = uniqueKeyPrefix('concurrent');
    const timeline = createRedisCaseTimeline({ url: redisUrl, prefix });
    const h = await startHarness({ start: '2025-03-03T08:00:00+08:00', clock, store, timeline, indexCheckMs: 10 });
    harnesses.push(h);
    await h.publish('catalog.guide-published.v1', { itemCode, guideVersion: '2025.2', itemType: '01' });
    for (let i = 0; i < 5; i++) await h.publish('intake.application-submitted.v1', { caseId: `BJ-C${i}`, itemCode, guideVersion: '2025.2', submittedAt: '2025-03-03T10:00:00+08:00' });
    await waitUntil(async () => (await timeline.positions('BJ-C4')).length > 0);
    const before = await Promise.all([0, 1, 2, 3, 4].map((i) => timeline.positions(`BJ-C${i}`)));

    slowReads = true;
    for (let round = 0; round < 3; round++) {
      await h.module.rebuild('case-timeline');
      // Right when the rebuild returns: every case there, the marker intact (no second rebuild clearing it meanwhile).
      expect(await Promise.all([0, 1, 2, 3, 4].map((i) => timeline.positions(`BJ-C${i}`)))).toEqual(before);
      expect(await timeline.integrity!.intact()).toBe(true);
    }
    slowReads = false;
    await timeline.clear();
    await timeline.close();
  });

  it('an index built before the integrity marker existed is adopted at start, not rebuilt', async () => {
    const prefix = uniqueKeyPrefix('adopt');
    const index = redisIndex(prefix);
    const entry: IndexEntry = {
      deadlineId: 'BJ-A1:acceptance:submission',
      caseId: 'BJ-A1',
      kind: 'acceptance',
      label: '受理时限',
      step: 'submission',
      department: '',
      centre: 'bj-city',
      itemCode,
      itemName: '',
      due: '2025-03-04',
      dueAt: '2025-03-04T23:59:59.999+08:00',
      card: null,
      nextAt: Date.parse('2030-03-04T15:59:59.999Z'),
      revision: 0,
    };
    await index.upsert(entry);
    expect(await index.integrity!.intact()).toBe(false);
    const h = await startHarness({ start: '2025-03-03T08:00:00+08:00', index, indexCheckMs: 100 });
    harnesses.push(h);
    expect(await index.integrity!.intact()).toBe(true);
    // Not rebuilt from the (empty) store: the entry is still there.
    expect((await index.all()).map((e) => e.deadlineId)).toEqual(['BJ-A1:acceptance:submission']);
  });

  it('a crash between recording a breach and updating the index: after restart, exactly one DeadlineBreached and one outcome request', async () => {
    // Story: the scheduler appends DeadlineBreached + AutomaticOutcomeRequested for a deemed acceptance,
    // then the process dies before the index write (and before the projection's checkpoint moves).
    // The index still says "due". A new process starts on the same store and Redis and runs the
    // scheduler at once, racing its own projection catching up.
    const prefix = uniqueKeyPrefix('crash');
    const clock = new ControlledClock('2025-09-26T09:00:00+08:00');
    const store = createInMemoryEventStore({ now: () => clock.now() });
    const real = redisIndex(prefix);
    let crashed = false;
    const crashing: DeadlineIndex = {
      ...real,
      upsert: async (entry) => {
        if (crashed) throw new Error('process died');
        return real.upsert(entry);
      },
      remove: async (id, revision) => {
        if (crashed) throw new Error('process died');
        return real.remove(id, revision);
      },
      applyMany: async (changes) => {
        if (crashed) throw new Error('process died');
        return real.applyMany(changes);
      },
    };
    const first = await startHarness({ start: '2025-09-26T09:00:00+08:00', clock, store, index: crashing });
    await first.publish('catalog.guide-published.v1', { itemCode, guideVersion: '2025.2', itemType: '01' });
    await first.publish('intake.application-submitted.v1', { caseId: 'BJ-C1', itemCode, guideVersion: '2025.2', submittedAt: '2025-09-26T10:00:00+08:00' });
    const deemed = deadlineIdOf('BJ-C1', 'deemed-acceptance', 'submission');
    const staleEntry = await real.get(deemed);
    expect(staleEntry?.nextAt).toBe(Date.parse('2025-10-10T00:00:00+08:00'));

    crashed = true;
    clock.set('2025-10-11T00:00:01+08:00');
    await expect(first.module.scheduler.runOnce()).rejects.toThrow('process died'); // appends, then the index write fails: the crash
    await first.stop().catch(() => undefined);
    expect((await readDeadline(store, deemed)).decoded.map((e) => e.type)).toEqual(['DeadlineOpened', 'DeadlineBreached', 'AutomaticOutcomeRequested']);
    expect((await real.get(deemed))?.revision).toBe(staleEntry?.revision); // the index never heard of it

    crashed = false;
    const second = await startHarness({ start: '2025-10-11T00:00:01+08:00', clock, store, index: real });
    harnesses.push(second);
    await second.module.scheduler.runOnce(); // the stale entry is still due: it must decide nothing
    await second.module.caughtUp();
    await second.tick('2025-10-11T00:05:00+08:00');
    const events = (await readDeadline(store, deemed)).decoded.map((e) => e.type);
    expect(events.filter((t) => t === 'DeadlineBreached')).toHaveLength(1);
    expect(events.filter((t) => t === 'AutomaticOutcomeRequested')).toHaveLength(1);
    const entry = await real.get(deemed);
    expect(entry).toMatchObject({ card: 'yellow', revision: 2 });
    // Next it waits for the follow-up (1 working day after 2025-10-10: the adjusted Saturday 2025-10-11).
    expect(entry?.nextAt).toBe(Date.parse('2025-10-12T00:00:00+08:00'));
  });

  it('keeps only what firing needs: compact reversible members, the revision in the score, tombstones against late writes, summaries of carded deadlines only', async () => {
    for (const id of [deadlineIdOf('BJ-1', 'acceptance', 'submission'), deadlineIdOf('BJ-1', 'decision-statutory', 'case'), deadlineIdOf('BJ-1', 'step', 'review.1'), 'odd:acceptance:submission:x', ':acceptance:submission', 'acceptance:submission', 'a:b:acceptance:case', 'BJ-1:unknown-kind:case']) {
      expect(deadlineIdOfMember(compactMember(id))).toBe(id);
    }
    expect(compactMember(deadlineIdOf('BJ-B123456', 'acceptance', 'submission'))).toBe('ABJ-B123456');

    const index = redisIndex(uniqueKeyPrefix('layout'));
    const summaries: string[] = [];
    index.useSummarySource?.(async (items) => items.map(({ deadlineId, revision }) => (summaries.push(`${deadlineId}@${revision}`), entry(deadlineId, revision, null, 0))));
    const entry = (deadlineId: string, revision: number, card: IndexEntry['card'], nextAt: number | null): IndexEntry => ({
      deadlineId, caseId: 'BJ-L', kind: 'acceptance', label: '受理', step: 'submission', department: 'd', centre: 'c', itemCode: 'i', itemName: 'n', due: '2025-03-04', dueAt: '2025-03-04T15:59:59.999Z', card, nextAt, revision,
    });
    const a = deadlineIdOf('BJ-L1', 'acceptance', 'submission');
    const b = deadlineIdOf('BJ-L2', 'acceptance', 'submission');
    const c = deadlineIdOf('BJ-L3', 'step', 'x.1');
    const at = Date.parse('2025-03-04T16:00:00.000Z');
    expect(await index.applyMany([{ upsert: entry(a, 0, null, at) }, { upsert: entry(b, 2, 'yellow', at + 1500) }, { upsert: entry(c, 1, 'red', null) }])).toEqual([true, true, true]);
    expect(await index.countOpen()).toBe(3);
    expect(await index.due(at, 10)).toEqual([a]);
    // Rounded up to the second: never early.
    expect(await index.due(at + 1500, 10)).toEqual([a]);
    expect(await index.due(at + 2000, 10)).toEqual([a, b]);
    // The scheduler's fresh lane: only what fell due at or after `from` (to the second, as stored).
    expect(await index.due(at + 2000, 10, at)).toEqual([a, b]);
    expect(await index.due(at + 2000, 10, at + 1)).toEqual([b]);
    expect(await index.nextDue()).toBe(at);
    expect((await index.carded()).map((e) => e.deadlineId).sort()).toEqual([b, c].sort());
    // An uncarded deadline's summary comes from the source, at the revision the index holds.
    expect(await index.get(a)).toMatchObject({ deadlineId: a, revision: 0 });
    expect(summaries).toEqual([`${a}@0`]);

    expect(await index.upsert(entry(b, 1, null, at))).toBe(false); // older revision
    expect(await index.remove(b, 3)).toBe(true);
    expect(await index.upsert(entry(b, 2, 'yellow', at))).toBe(false); // late write after the close: no resurrection
    expect(await index.get(b)).toBeNull();
    expect(await index.countOpen()).toBe(2);
    expect((await index.carded()).map((e) => e.deadlineId)).toEqual([c]);
    expect((await index.all()).map((e) => e.deadlineId).sort()).toEqual([a, c].sort());

    // The changes travel packed in one argument, split by control characters: a summary holding every kind of
    // character arrives whole, and an id holding a separator is refused before anything is written.
    const odd = deadlineIdOf('BJ-L4', 'acceptance', 'submission');
    const awkward = { ...entry(odd, 0, 'warning', at), itemName: '食品"经营"\\许可\u001f\u001e|', centre: '' };
    expect(await index.applyMany([{ upsert: awkward }])).toEqual([true]);
    expect(await index.get(odd)).toEqual(awkward);
    const broken = deadlineIdOf('BJ-L5\u001f', 'acceptance', 'submission');
    await expect(index.applyMany([{ upsert: entry(deadlineIdOf('BJ-L6', 'acceptance', 'submission'), 0, null, at) }, { upsert: entry(broken, 0, null, at) }])).rejects.toThrow(/control character/);
    expect(await index.countOpen()).toBe(3);
  });

  it('judges a batch as the in-memory index judges its changes one by one, several changes to one deadline included (seeded random batches)', async () => {
    // A small deterministic generator: the same batches on every run, so a failure can be replayed.
    let seed = 20261128;
    const random = (n: number) => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const ids = ['BJ-R1', 'BJ-R2', 'BJ-R3'].map((c) => deadlineIdOf(c, 'acceptance', 'submission'));
    const cards: IndexEntry['card'][] = [null, 'warning', 'yellow', 'red'];
    const at = Date.parse('2025-03-04T16:00:00.000Z');
    const entryOf = (deadlineId: string, revision: number, card: IndexEntry['card']): IndexEntry => ({
      deadlineId, caseId: deadlineId.split(':')[0]!, kind: 'acceptance', label: '受理', step: 'submission', department: 'd', centre: 'c', itemCode, itemName: '食品经营许可',
      due: '2025-03-04', dueAt: '2025-03-04T15:59:59.999Z', card, nextAt: card === 'red' ? null : at + revision * 1000, revision,
    });
    for (let round = 0; round < 40; round++) {
      const redis = redisIndex(uniqueKeyPrefix(`batch-${round}`));
      // Uncarded summaries come from the store in production; here from what was upserted.
      const written = new Map<string, IndexEntry>();
      redis.useSummarySource?.(async (items) => items.map(({ deadlineId, revision }) => written.get(`${deadlineId}@${revision}`) ?? null));
      const memory = createMemoryDeadlineIndex();
      for (let batch = 0; batch < 4; batch++) {
        const changes: IndexChange[] = Array.from({ length: 1 + random(8) }, () => {
          const which = random(ids.length);
          const deadlineId = ids[which]!;
          const revision = random(6);
          if (random(5) === 0) return { remove: { deadlineId, revision } };
          // One state per stream revision, as a store gives: the card follows from the deadline and the revision.
          const entry = entryOf(deadlineId, revision, cards[(which + revision) % cards.length]!);
          written.set(`${deadlineId}@${revision}`, entry);
          return { upsert: entry };
        });
        expect(await redis.applyMany(changes), JSON.stringify(changes)).toEqual(await memory.applyMany(changes));
      }
      expect(snapshot(await redis.all())).toEqual(snapshot(await memory.all()));
      expect(snapshot(await redis.carded())).toEqual(snapshot(await memory.carded()));
      for (const id of ids) expect(await redis.get(id)).toEqual(await memory.get(id));
    }
  });

  it('writes issued together share a script call (group commit): each caller gets its own answers in order, and a change refused by packing fails its own call only', async () => {
    const redis = redisIndex(uniqueKeyPrefix('coalesce'));
    const memory = createMemoryDeadlineIndex();
    const at = Date.parse('2025-03-04T16:00:00.000Z');
    const entryOf = (caseId: string, revision: number): IndexEntry => ({
      deadlineId: deadlineIdOf(caseId, 'acceptance', 'submission'), caseId, kind: 'acceptance', label: '受理', step: 'submission', department: 'd', centre: 'c', itemCode, itemName: '食品经营许可',
      due: '2025-03-04', dueAt: '2025-03-04T15:59:59.999Z', card: null, nextAt: at + revision * 1000, revision,
    });
    // 60 writers at once, as a contract's deadlines and the consumer's concurrent contracts give them: a deadline each,
    // then the first ten again at an older revision (refused) and removed at a newer one, in that order.
    const writes: IndexChange[][] = [
      ...Array.from({ length: 60 }, (_, i) => [{ upsert: entryOf(`BJ-C${i}`, 2) }]),
      ...Array.from({ length: 10 }, (_, i) => [{ upsert: entryOf(`BJ-C${i}`, 1) }, { remove: { deadlineId: deadlineIdOf(`BJ-C${i}`, 'acceptance', 'submission'), revision: 3 } }]),
    ];
    const expected: boolean[][] = [];
    for (const changes of writes) expected.push(await memory.applyMany(changes));

    const sent = vi.spyOn(Redis.prototype, 'sendCommand');
    try {
      const scriptCalls = () => sent.mock.calls.filter(([command]) => /^eval/i.test((command as { name: string }).name)).length;
      expect(await Promise.all(writes.map((changes) => redis.applyMany(changes)))).toEqual(expected);
      // The first write goes out on its own turn's microtasks with whatever joined it; the rest wait for it and share the next.
      expect(scriptCalls()).toBeLessThanOrEqual(2);
      expect(snapshot(await redis.all())).toEqual(snapshot(await memory.all()));

      const refused = redis.upsert({ ...entryOf('BJ-X', 1), deadlineId: 'BJ-X\x1f:acceptance:submission' });
      const beside = redis.upsert(entryOf('BJ-Y', 1));
      await expect(refused).rejects.toThrow(/control character/);
      expect(await beside).toBe(true);
      expect(await redis.get(deadlineIdOf('BJ-Y', 'acceptance', 'submission'))).toMatchObject({ revision: 1 });
    } finally {
      sent.mockRestore();
    }
  });

  it('keeps a carded summary as the values alone (the member is its id), and still reads one kept as a whole entry before', async () => {
    const prefix = uniqueKeyPrefix('summary-layout');
    const index = redisIndex(prefix);
    index.useSummarySource?.(async (items) => items.map(() => null));
    const redis = new Redis(redisUrl);
    try {
      const id = deadlineIdOf('BJ-S1', 'decision-statutory', 'case');
      const carded: IndexEntry = {
        deadlineId: id, caseId: 'BJ-S1', kind: 'decision-statutory', label: '法定办结', step: 'case', department: '北京市市场监督管理局', centre: 'centre-chaoyang',
        itemCode, itemName: '食品经营许可', due: '2025-03-10', dueAt: '2025-03-10T15:59:59.999Z', card: 'red', nextAt: null, revision: 4,
      };
      expect(await index.applyMany([{ upsert: carded }])).toEqual([true]);
      const kept = await redis.hget(`${prefix}s`, compactMember(id));
      expect(JSON.parse(kept!)).toEqual(['BJ-S1', 'decision-statutory', '法定办结', 'case', '北京市市场监督管理局', 'centre-chaoyang', itemCode, '食品经营许可', '2025-03-10', '2025-03-10T15:59:59.999Z', 'red', null, 4]);
      expect(Buffer.byteLength(kept!)).toBeLessThan(Buffer.byteLength(JSON.stringify(carded)) * 0.75);
      expect(await index.get(id)).toEqual(carded);
      expect(await index.carded({ card: 'red' })).toEqual([carded]);

      // A summary written by the former layout (the whole entry as an object) is read as it was, until rewritten.
      const older = { ...carded, deadlineId: deadlineIdOf('BJ-S2', 'acceptance', 'submission'), caseId: 'BJ-S2', kind: 'acceptance', step: 'submission', card: 'yellow' as const, revision: 2 };
      expect(await index.applyMany([{ upsert: older }])).toEqual([true]);
      await redis.hset(`${prefix}s`, compactMember(older.deadlineId), JSON.stringify(older));
      expect(await index.get(older.deadlineId)).toEqual(older);
      expect(snapshot(await index.carded())).toEqual(snapshot([carded, older]));
    } finally {
      redis.disconnect();
    }
  });
});
