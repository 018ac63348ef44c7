/**
 * Supervision benchmarks (issue 7 "Benchmarks"), side by side in one script,
 * each with its ratio and a correctness check after:
 *
 * 1. scheduling: N deadlines opened in the event store, projected from the
 *    event stream into the Redis index, against a bare pipelined ZADD loop of
 *    the same members and BullMQ delayed jobs on the same Redis; bytes per
 *    deadline from Redis' own memory accounting;
 * 2. recovery: a restart with N open deadlines (projections resume at their
 *    checkpoints);
 * 3. breach storm: every deadline due at once, fired by the scheduler
 *    (batched passes), each exactly once; 3b the same recorded durably on PostgreSQL; 3c the durable
 *    storm with a steady 1,000 deadlines/s falling due on the wall clock (their lateness) and an
 *    intake-like append beside it (its latency before and during the storm), `storm-steady.ts`;
 * 4. rebuild of the index from the store, against a bare readAll of the same events: from the
 *    PostgreSQL store (4b, with the durable storm's deadlines) and from the in-memory one (4).
 *
 * `BENCH_N` (default 20000; the issue asks for 1,000,000 and 10,000,000), `REDIS_URL`; `BENCH_GENERATED=1` runs the
 * scheduling alone from a generated event stream (10,000,000 without filling a store first); results are appended to docs/benchmarks.md.
 * The store is the in-memory adapter: what is measured is supervision's own
 * work and Redis, not PostgreSQL's commit rate.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, totalmem, type } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { civilDate } from '@govsvc/calendar/civil-date';
import { loadSchedules } from '@govsvc/calendar/data-files';
import { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import type { EventStore, StoredEvent } from '@govsvc/eventstore/port';
import type { SqlEventStore } from '@govsvc/eventstore/sql/sql-event-store';
import { createIsolatedSchema } from '@govsvc/testkit/postgres';
import { deterministicEventId } from '@govsvc/eventstore/event-ids';
import { createInProcessBus } from '@govsvc/messaging/in-process-bus';
import { ControlledClock } from '@govsvc/runtime/clock';
import { sequentialIds } from '@govsvc/runtime/ids';
import { createRedisDeadlineIndex, deadlineIdOfMember } from '../src/adapters/redis-deadline-index.ts';
import { deadlineCodec } from '../src/app/codecs.ts';
import { createMemoryCaseTimeline } from '../src/app/case-timeline.ts';
import { rebuildDeadlineIndex, summariesFromStore } from '../src/app/deadlines.ts';
import { deadlineDecider } from '../src/domain/deadline-decider.ts';
import { deadlineIdOf, deadlineStream } from '../src/domain/kinds.ts';
import { createSupervisionModule } from '../src/module.ts';
import { generatedEventStream, positionalEventId } from './generated-stream.ts';
import { measureStormWithSteadyStream } from './storm-steady.ts';

const N = Number(process.env.BENCH_N ?? 20_000);
/** BullMQ's peer run is capped (its jobs cost ~1 KB and ~0.3 ms each): rates are compared, not totals. */
const BULL_N = Math.min(N, Number(process.env.BENCH_BULL_N ?? 100_000));
/** Deadlines of the durable storm on PostgreSQL (`BENCH_PG_N`, 0 to skip). */
const PG_N = Math.min(N, Number(process.env.BENCH_PG_N ?? 20_000));
/** Firings in flight in the durable storm (the one-at-a-time mode); the group commit packs up to 64 appends per transaction. */
const PG_CONCURRENCY = Number(process.env.BENCH_PG_CONCURRENCY ?? 256);
/** 3c: seconds of the steady stream of 1,000 deadlines/s during the durable storm of `BENCH_PG_N` (`BENCH_STEADY_S`, 0 skips). */
const STEADY_S = Number(process.env.BENCH_STEADY_S ?? 20);
/** 3b: passes of the durable storm (`BENCH_PG_BATCH`, the scheduler's default 1000). */
const PG_BATCH = Number(process.env.BENCH_PG_BATCH ?? 1000);
/** 3b: how the scheduler fires, side by side in this order (`BENCH_PG_MODES`, comma-separated; the last one's store is 4b's). */
const FIRING_MODES = {
  each: 'one deadline after another (read, decide, append each: before issue 7\'s storm work)',
  together: 'due streams read in batches (readStreams, 250 a statement), appends handed to the store as decided (they pile up and commit together)',
} as const;
type FiringMode = keyof typeof FIRING_MODES;
const PG_MODES = (process.env.BENCH_PG_MODES ?? 'each,together').split(',').map((m) => {
  if (!(m in FIRING_MODES)) throw new Error(`BENCH_PG_MODES: ${m} is none of ${Object.keys(FIRING_MODES).join(', ')}`);
  return m as FiringMode;
});
/** 2b: entries of the index a restart is measured over (`BENCH_RECOVERY_N`, e.g. 10000000; 0 skips). */
const RECOVERY_N = Number(process.env.BENCH_RECOVERY_N ?? 0);
/**
 * `BENCH_GENERATED=1`: scheduling (1.) only, from an event stream generated as it is read instead of the
 * in-memory store filled first (`generated-stream.ts`): how 10,000,000 is run. The later scenarios need a real store.
 */
const GENERATED = process.env.BENCH_GENERATED === '1';
/** `BENCH_STORM=0` skips the in-memory storm (at 1,000,000 it would take the session). */
const STORM = process.env.BENCH_STORM !== '0';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const run = `bench:${process.pid}:${Date.now()}:`;
const results: string[] = [];
const log = (line: string) => {
  console.log(line);
  results.push(line);
};
const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);
const seconds = (ms: number) => (ms / 1000).toFixed(2);

const redis = new Redis(REDIS_URL);
const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);

async function clearPrefix(prefix: string) {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

/**
 * A full garbage collection before each timed round of a side-by-side comparison: each side then starts from
 * the same heap, instead of one paying for the garbage the other (or an earlier section) left behind.
 */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** The rebuild's peer: a bare readAll of every deadline event, in the rebuild's page size; returns how many. */
async function readAllDeadlineEvents(source: EventStore): Promise<number> {
  let read = 0;
  for (let after = 0n; ; ) {
    const page = await source.readAll({ after, maxCount: 5_000, filter: { categories: ['deadline'] } });
    if (page.length === 0) return read;
    read += page.length;
    after = page[page.length - 1]!.globalPosition;
  }
}

async function main() {
  const calendar = WorkingCalendar.fromSchedules(await loadSchedules());
  const clock = new ControlledClock('2025-03-03T08:00:00+08:00');
  const memoryStore = createInMemoryEventStore({ now: () => clock.now() });
  const generatedAt = clock.now();
  const store: EventStore = GENERATED ? generatedEventStream(N, (position) => storedOpening(position, generatedAt)) : memoryStore;

  // ── set-up: N acceptance deadlines opened in the store (one stream each), as the consumer writes them ──
  const [template] = deadlineDecider.decide(
    {
      type: 'OpenDeadline',
      deadlineId: 'template',
      caseId: 'template',
      kind: 'acceptance',
      step: 'submission',
      openedAt: '2025-03-03T10:00:00+08:00',
      start: civilDate('2025-03-03'),
      owner: { department: '北京市市场监督管理局', centre: 'centre-chaoyang', itemCode: 'ITEM-0001', itemName: '食品经营许可', guideVersion: '2025.2' },
      cause: 'intake.application-submitted.v1',
      calendar,
    },
    deadlineDecider.initialState(),
  );
  // Checked against its schema once: the deadlines differ only in their ids (strings the schema takes as they are), so
  // the generated stream does not charge the projection's figure with a schema check per event it reads.
  const encoded = deadlineCodec.encode(template!);
  /** The i-th deadline's opening, as the consumer writes it: its stream and its one event. */
  const openedEvent = (i: number, casePrefix = 'BJ-B') => {
    const caseId = `${casePrefix}${i}`;
    const deadlineId = deadlineIdOf(caseId, 'acceptance', 'submission');
    return {
      stream: deadlineStream(deadlineId),
      event: {
        id: deterministicEventId(`bench:${deadlineId}`, 0),
        ...encoded,
        data: { ...(encoded.data as object), deadlineId, caseId },
        metadata: { caseId, correlationId: caseId, actor: { id: 'supervision', role: 'system' } },
      },
    };
  };
  /**
   * The same opening as the store hands it back at a global position (the generated stream): the event one literal
   * (only its data copied from the template; see generated-stream.ts), a positional event id, and not hash-chained:
   * only the index projection reads this stream, and it never checks the chain.
   */
  const storedOpening = (position: number, recordedAt: Date): StoredEvent => {
    const caseId = `BJ-B${position - 1}`;
    const deadlineId = deadlineIdOf(caseId, 'acceptance', 'submission');
    return {
      id: positionalEventId(position - 1),
      type: encoded.type,
      schemaVersion: encoded.schemaVersion,
      data: { ...(encoded.data as object), deadlineId, caseId },
      metadata: { caseId, correlationId: caseId, actor: { id: 'supervision', role: 'system' }, prevHash: null, hash: '' },
      stream: deadlineStream(deadlineId),
      revision: 0n,
      globalPosition: BigInt(position),
      recordedAt,
    };
  };
  const openAll = async (target: EventStore, count: number, casePrefix = 'BJ-B') => {
    const appends: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      const { stream, event } = openedEvent(i, casePrefix);
      appends.push(target.appendToStream(stream, [event], { expectedRevision: 'no_stream' }));
      // 256 appends in flight: the PostgreSQL store's group commit packs them; the memory store does not care.
      if (appends.length >= 256) await Promise.all(appends.splice(0));
    }
    await Promise.all(appends);
  };
  const setupStarted = Date.now();
  if (GENERATED) log(`set-up: none; the stream of ${N} DeadlineOpened events is generated as the projection reads it (BENCH_GENERATED=1)`);
  else {
    await openAll(store, N);
    log(`set-up: ${N} DeadlineOpened events appended to the in-memory store in ${seconds(Date.now() - setupStarted)} s`);
  }

  // ── 1. scheduling from the event stream vs bare ZADD vs BullMQ ─────────────
  const prefix = `${run}dl:`;
  const index = createRedisDeadlineIndex({ url: REDIS_URL, prefix });
  index.useSummarySource?.(summariesFromStore(store)); // as the module wires it: summaries of uncarded deadlines from the store
  // The generated stream is built while the projection reads it, which a filled store did untimed: its cost alone,
  // read the same way, is shown and taken out, so the figure compares with runs on the in-memory store. Timed before
  // the projection, on a small heap: timed after it (as until 2026-11-28), the same reading took five times as long
  // at 10,000,000, charged with collecting what the projection had left, and the net figure came out too kind.
  let started = Date.now();
  const generating = GENERATED ? { events: await readAllDeadlineEvents(store), ms: Date.now() - started } : null;
  collectGarbage();
  const memBefore = await usedMemory();
  started = Date.now();
  await rebuildDeadlineIndex(store, index, 5_000);
  const projectMs = Date.now() - started;
  const indexBytes = (await usedMemory()) - memBefore;
  if ((await index.countOpen()) !== N) throw new Error(`index holds ${await index.countOpen()} of ${N}`);

  // The members and scores the index holds (compact ids), without folding millions of streams to list them; read in
  // slices (one reply of ten million pairs is more than the client should parse at once), before the peer is timed.
  const entries: { member: string; score: number }[] = [];
  for (let from = 0; from < N; from += 200_000) {
    const slice = await redis.zrange(`${prefix}due`, from, from + 199_999, 'WITHSCORES');
    for (let i = 0; i < slice.length; i += 2) entries.push({ member: slice[i]!, score: Number(slice[i + 1]) });
  }
  const zaddKey = `${run}bare`;
  collectGarbage(); // as before the index's run: each side starts from a collected heap
  const memBeforeZadd = await usedMemory();
  started = Date.now();
  for (let i = 0; i < entries.length; i += 1000) {
    const pipeline = redis.pipeline();
    for (const e of entries.slice(i, i + 1000)) pipeline.zadd(zaddKey, e.score, e.member);
    await pipeline.exec();
  }
  const zaddMs = Date.now() - started;
  const zaddBytes = (await usedMemory()) - memBeforeZadd;

  const bullConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(`bench-${process.pid}`, { connection: bullConnection, prefix: `${run}bull` });
  const memBeforeBull = await usedMemory();
  started = Date.now();
  const bullEntries = entries.slice(0, BULL_N);
  for (let i = 0; i < bullEntries.length; i += 1000) {
    await queue.addBulk(bullEntries.slice(i, i + 1000).map((e) => ({ name: 'deadline', data: { deadlineId: deadlineIdOfMember(e.member) }, opts: { delay: 86_400_000 + (i % 1000), jobId: e.member, removeOnComplete: true } })));
  }
  const bullMs = Date.now() - started;
  const bullBytes = (await usedMemory()) - memBeforeBull;
  const delayed = await queue.getDelayedCount();
  if (delayed !== BULL_N) throw new Error(`BullMQ holds ${delayed} delayed jobs of ${BULL_N}`);

  log(`1. scheduling ${N} deadlines from the event stream (readAll → fold → Redis index, batches of 5000):`);
  log(`   supervision index: ${rate(N, projectMs)} deadlines/s (${seconds(projectMs)} s), ${Math.round(indexBytes / N)} bytes/deadline in Redis`);
  if (generating) {
    log(
      `   of which generating the stream: ${generating.events} events read alone (before the projection) in ${seconds(generating.ms)} s; the index net of it: ${rate(N, Math.max(1, projectMs - generating.ms))} deadlines/s (${seconds(projectMs - generating.ms)} s)`,
    );
  }
  log(`   bare pipelined ZADD of the same members: ${rate(N, zaddMs)}/s (${seconds(zaddMs)} s), ${Math.round(zaddBytes / N)} bytes/member`);
  log(`   BullMQ delayed jobs (addBulk of 1000, the first ${BULL_N}): ${rate(BULL_N, bullMs)}/s (${seconds(bullMs)} s), ${Math.round(bullBytes / BULL_N)} bytes/job`);
  log(`   ratios: index/ZADD ${(zaddMs / projectMs).toFixed(2)}× (target ≥ 0.8×), index/BullMQ ${(rate(N, projectMs) / rate(BULL_N, bullMs)).toFixed(2)}× by rate (target ≥ 4×); targets ≥ 150000/s, ≤ 150 bytes/deadline`);
  await queue.obliterate({ force: true });
  await queue.close();
  await bullConnection.quit(); // a connection handed to BullMQ is not closed by it
  await redis.unlink(zaddKey);
  if (GENERATED) {
    log('   (BENCH_GENERATED: the scenarios after scheduling need a real store and were not run)');
    await index.clear();
    await index.close();
    await clearPrefix(run);
    return;
  }

  // ── 2. recovery after a restart with N open deadlines ────────────────────
  const bus = createInProcessBus();
  const makeModule = () =>
    createSupervisionModule({
      store,
      bus,
      clock,
      ids: sequentialIds(),
      logger: pino({ level: 'silent' }),
      schedules: [],
      index,
      timeline: createMemoryCaseTimeline(),
      runScheduler: false,
    });
  const first = makeModule();
  await first.start();
  await first.caughtUp(); // the first start projects everything once: the checkpoints reach the head
  await first.stop();
  started = Date.now();
  const second = makeModule();
  await second.start();
  await second.caughtUp();
  const firstPass = await second.scheduler.runOnce(); // nothing due yet: one pass answers from the index
  const recoveryMs = Date.now() - started;
  log(`2. recovery: restart with ${N} open deadlines, projections at their checkpoints, first scheduler pass (${firstPass} due): ${seconds(recoveryMs)} s (target < 30 s for 10,000,000)`);
  await second.stop();

  // 2b. the same restart over an index of RECOVERY_N entries. A restart reads neither the deadline streams nor the
  // index's members (projections resume at their checkpoints, the integrity marker says the index is whole, and the
  // first pass asks Redis only for what is due), so the entries are loaded with pipelined ZADDs, due in a year, without
  // streams behind them: what is measured is whether anything in a restart grows with the index.
  if (RECOVERY_N > 0) {
    const bigPrefix = `${run}big:`;
    const bigIndex = createRedisDeadlineIndex({ url: REDIS_URL, prefix: bigPrefix });
    const dueInAYear = String((Math.ceil((Date.parse('2026-03-03T00:00:00Z') - Date.UTC(2020, 0, 1)) / 1000)) * 65_536);
    let t = Date.now();
    for (let i = 0; i < RECOVERY_N; i += 10_000) {
      const pipeline = redis.pipeline();
      for (let j = i; j < Math.min(RECOVERY_N, i + 10_000); j++) pipeline.zadd(`${bigPrefix}due`, dueInAYear, `ABJ-R${j}`);
      await pipeline.exec();
    }
    await bigIndex.integrity!.complete(await bigIndex.integrity!.begin());
    const loadMs = Date.now() - t;
    const bigModule = () =>
      createSupervisionModule({ store, bus, clock, ids: sequentialIds(), logger: pino({ level: 'silent' }), schedules: [], index: bigIndex, timeline: createMemoryCaseTimeline(), runScheduler: false });
    t = Date.now();
    const restarted = bigModule();
    await restarted.start();
    await restarted.caughtUp();
    const due = await restarted.scheduler.runOnce();
    const bigRecoveryMs = Date.now() - t;
    const open = await bigIndex.countOpen();
    if (open !== RECOVERY_N) throw new Error(`the big index holds ${open} of ${RECOVERY_N}`);
    log(`2b. recovery over an index of ${RECOVERY_N.toLocaleString('en')} open deadlines (loaded by pipelined ZADD in ${seconds(loadMs)} s, due in a year, no streams behind them): restart, projections at their checkpoints, first scheduler pass (${due} due): ${seconds(bigRecoveryMs)} s (target < 30 s); Redis used_memory ${Math.round((await usedMemory()) / 2 ** 20)} MiB`);
    await restarted.stop();
    await redis.unlink(`${bigPrefix}due`);
    await bigIndex.clear();
    await bigIndex.close();
  }

  // ── 3. breach storm: all N due at once ────────────────────────────────────
  if (STORM) {
    const stormModule = makeModule();
    await stormModule.start();
    clock.set('2025-03-05T00:00:00+08:00'); // every acceptance deadline (due 2025-03-04) is breached
    started = Date.now();
    for (let handled = 1; handled > 0; ) handled = await stormModule.scheduler.runOnce();
    const stormMs = Date.now() - started;
    await stormModule.caughtUp();
    const breaches = memoryStore.allEvents().filter((e) => e.type === 'DeadlineBreached');
    const perStream = new Set(breaches.map((e) => e.stream));
    if (breaches.length !== N || perStream.size !== N) throw new Error(`breach storm: ${breaches.length} breaches over ${perStream.size} deadlines, expected ${N} once each`);
    log(`3. breach storm: ${N} deadlines due at once → ${breaches.length} DeadlineBreached, each exactly once, in ${seconds(stormMs)} s = ${rate(N, stormMs)} breaches/s (in-memory store, not durable; scheduler batches of 1000, 32 at a time; target ≥ 100000/s durable)`);
    // Firing again decides nothing.
    const again = await stormModule.scheduler.runOnce();
    if (memoryStore.allEvents().filter((e) => e.type === 'DeadlineBreached').length !== N) throw new Error('a second pass fired again');
    log(`   second pass at the same instant: ${again} deadlines looked at, 0 new events`);
    await stormModule.stop();
  } else log(`3. breach storm (in-memory store): skipped at this N (BENCH_STORM=0)`);

  // ── 3b. the same storm recorded durably: PostgreSQL store, its group commit packing concurrent firings ──
  if (PG_N > 0) {
    // One storm on a fresh PostgreSQL store per firing mode (side by side, in the order given); the last one's store is 4b's.
    const durableStorm = async (mode: FiringMode, pgStore: SqlEventStore, prefix: string) => {
      const pgIndex = createRedisDeadlineIndex({ url: REDIS_URL, prefix });
      clock.set('2025-03-03T08:00:00+08:00');
      let t = Date.now();
      await openAll(pgStore, PG_N);
      const openMs = Date.now() - t;
      const pgModule = createSupervisionModule({
        store: pgStore,
        bus,
        clock,
        ids: sequentialIds(),
        logger: pino({ level: 'silent' }),
        schedules: [],
        index: pgIndex,
        timeline: createMemoryCaseTimeline(),
        runScheduler: false,
        scheduler: { concurrency: PG_CONCURRENCY, batchSize: PG_BATCH, perDeadline: mode === 'each' },
      });
      await pgModule.start();
      await pgModule.caughtUp();
      const before = pgStore.appendStats();
      clock.set('2025-03-05T00:00:00+08:00');
      t = Date.now();
      for (let handled = 1; handled > 0; ) handled = await pgModule.scheduler.runOnce();
      const pgStormMs = Date.now() - t;
      const after = pgStore.appendStats();
      await pgModule.caughtUp();
      const pgBreaches = (await pgStore.readAll({ filter: { eventTypes: ['DeadlineBreached'] }, maxCount: PG_N * 2 })).length;
      if (pgBreaches !== PG_N) throw new Error(`PostgreSQL storm (${mode}): ${pgBreaches} breaches for ${PG_N} deadlines`);
      const groups = after.groups - before.groups;
      const appends = after.fast - before.fast;
      log(
        `3b. breach storm recorded durably, firing ${FIRING_MODES[mode]} (PostgreSQL store, group commit, ${mode === 'each' ? `${PG_CONCURRENCY} deadlines in flight` : 'two batched reads in flight'}, passes of ${PG_BATCH}): ${PG_N} opened in ${seconds(openMs)} s (${rate(PG_N, openMs)}/s); all due → ${pgBreaches} DeadlineBreached, each once, in ${seconds(pgStormMs)} s = ${rate(PG_N, pgStormMs)} breaches/s; ${appends} firing appends in ${groups} transactions (${groups > 0 ? (appends / groups).toFixed(1) : '–'} per commit), ${after.locked - before.locked} on the locked path`,
      );
      await pgModule.stop();
      return pgIndex;
    };
    for (const mode of PG_MODES.slice(0, -1)) {
      const other = await createIsolatedSchema('supervision_bench');
      const otherStore = await createPostgresEventStore({ connectionString: other.connectionString, maxConnections: 6 });
      try {
        const otherIndex = await durableStorm(mode, otherStore, `${run}pg-${mode}:`);
        await otherIndex.clear();
        await otherIndex.close();
      } finally {
        await otherStore.close();
        await other.drop();
      }
    }
    const schema = await createIsolatedSchema('supervision_bench');
    const pgStore = await createPostgresEventStore({ connectionString: schema.connectionString, maxConnections: 6 });
    const pgIndex = await durableStorm(PG_MODES[PG_MODES.length - 1]!, pgStore, `${run}pg:`);
    try {
      let t: number;

      // 4b. the rebuild where the event store really is: the same PostgreSQL store, against a bare readAll of
      // the same deadline events in the same pages (the in-memory readAll of 4 below copies nothing, so no
      // rebuild that writes Redis can come near it; this is the comparison a deployment sees).
      const pgHeld = async () => JSON.stringify([await redis.zrangebyscore(`${run}pg:due`, 0, '+inf', 'WITHSCORES'), Object.entries(await redis.hgetall(`${run}pg:s`)).sort(([a], [b]) => (a < b ? -1 : 1))]);
      const pgRebuilds: { readMs: number; rebuildMs: number; events: number }[] = [];
      // Untimed: the first read after the storm's inserts sets the rows' hint bits (it writes pages), which
      // would fall on whichever side read first.
      await readAllDeadlineEvents(pgStore);
      const rounds = 5;
      for (let round = 0; round < rounds; round++) {
        collectGarbage();
        t = Date.now();
        const pgRead = await readAllDeadlineEvents(pgStore);
        const readMs = Date.now() - t;
        const snapshot = await pgHeld();
        collectGarbage();
        t = Date.now();
        const { events } = await rebuildDeadlineIndex(pgStore, pgIndex, 5_000);
        const rebuildMs = Date.now() - t;
        if ((await pgHeld()) !== snapshot) throw new Error('the index rebuilt from PostgreSQL differs');
        if (events !== pgRead) throw new Error(`rebuild read ${events} events, readAll ${pgRead}`);
        pgRebuilds.push({ readMs, rebuildMs, events });
      }
      const median = [...pgRebuilds].sort((a, b) => a.readMs / a.rebuildMs - b.readMs / b.rebuildMs)[Math.floor(rounds / 2)]!;
      log(
        `4b. rebuild from PostgreSQL of the index of ${PG_N} deadlines (${median.events} events): ${seconds(median.rebuildMs)} s = ${rate(median.events, median.rebuildMs)} events/s; bare readAll of the same events from PostgreSQL: ${seconds(median.readMs)} s; ratio ${(median.readMs / median.rebuildMs).toFixed(2)}× (target ≥ 0.5×; median of ${rounds} interleaved rounds, each side after a full GC: ${pgRebuilds.map((r) => `${(r.readMs / r.rebuildMs).toFixed(2)}×`).join(' / ')}); rebuilt index identical each time`,
      );
    } finally {
      await pgIndex.clear();
      await pgIndex.close();
      await pgStore.close();
      await schema.drop();
    }
  }

  // ── 3c. the durable storm with a steady stream falling due on the wall clock, and intake's appends beside it ──
  if (PG_N > 0 && STEADY_S > 0) {
    // The batched mode twice: strictly earliest first, then with the scheduler's fresh lane (its default).
    const runs = PG_MODES.flatMap((mode): { mode: FiringMode; freshShare: number | undefined }[] => (mode === 'together' ? [{ mode, freshShare: 0 }, { mode, freshShare: undefined }] : [{ mode, freshShare: undefined }]));
    for (const { mode, freshShare } of runs) {
      await measureStormWithSteadyStream({ redisUrl: REDIS_URL, keyPrefix: `${run}${mode}${freshShare ?? ''}:`, bus, stormN: PG_N, steadySeconds: STEADY_S, concurrency: PG_CONCURRENCY, perDeadline: mode === 'each', freshShare, openAll, log });
    }
  }

  // ── 4. rebuild vs bare readAll ────────────────────────────────────────────
  started = Date.now();
  const read = await readAllDeadlineEvents(store);
  const readAllMs = Date.now() - started;
  // What the index holds: every member with its score (schedule and revision) and the kept summaries.
  const held = async () => {
    const members = await redis.zrangebyscore(`${prefix}due`, 0, '+inf', 'WITHSCORES');
    const summaries = Object.entries(await redis.hgetall(`${prefix}s`)).sort(([a], [b]) => (a < b ? -1 : 1));
    return JSON.stringify([members, summaries]);
  };
  const snapshot = await held();
  started = Date.now();
  const rebuilt = await rebuildDeadlineIndex(store, index, 5_000);
  const rebuildMs = Date.now() - started;
  const same = (await held()) === snapshot;
  if (!same) throw new Error('the rebuilt index differs');
  log(`4. rebuild of the index from ${rebuilt.events} events: ${seconds(rebuildMs)} s; bare readAll of the same ${read} events: ${seconds(readAllMs)} s; ratio ${(readAllMs / rebuildMs).toFixed(2)}× (in-memory store, whose readAll hands over the objects it holds without copying or decoding: shown for the record; issue 7's ≥ 0.5× is judged on 4b, where the events are read from PostgreSQL); rebuilt index identical`);

  await index.clear();
  await index.close();
  await clearPrefix(run);
  await bus.close();
}

const machine = `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${type()}, Node ${process.version}`;
try {
  await main();
} finally {
  await redis.quit();
}
const file = process.env.BENCH_OUT ?? fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url)); // BENCH_OUT: trial runs elsewhere
const header = existsSync(file) ? '' : '# Benchmarks\n\nAppended by the packages\' and services\' `bench` scripts (`pnpm bench`).\n';
appendFileSync(file, `${header}\n## supervision — ${new Date().toISOString()}\n\nMachine: ${machine}. N = ${N}. Load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}.\n\n${results.map((r) => (r.startsWith('   ') ? `  - ${r.trim()}` : `- ${r}`)).join('\n')}\n`);
console.log(`appended to ${file}`);
