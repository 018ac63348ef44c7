/**
 * Scenario 3c of the supervision bench (issue 7 "breach storm"): the durable storm as 3b, with what
 * the issue also asks of it and 3b cannot show:
 *
 * - a steady stream of 1,000 deadlines/s falling due on the wall clock during the storm (opened
 *   ahead; 1,000 due at each whole second from the storm's first on, as this domain's instants are
 *   midnights, never within a second), and its lateness: when its breach was recorded durably (the
 *   firing's append resolved) minus its due instant;
 * - the latency of an intake-like durable append (a new case stream, one event the size of an
 *   ApplicationSubmitted) on the same PostgreSQL from another process with its own store and pool
 *   (`intake-like-appender.ts`, as intake is), before the storm and during it.
 *
 * The scheduler runs its own loop (as in production) on a clock that is the wall clock shifted: the
 * domain's firing instants are day boundaries (a due day ends at 23:59:59.999+08:00), so the steady
 * deadlines are ordinary acceptance deadlines whose index entries are told they fall due at their own
 * instants; when the scheduler takes one, its breach instant has passed and it is breached.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import pino from 'pino';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import type { InProcessBus } from '@govsvc/messaging/in-process-bus';
import { systemClock, type Clock } from '@govsvc/runtime/clock';
import { sequentialIds } from '@govsvc/runtime/ids';
import { createIsolatedSchema } from '@govsvc/testkit/postgres';
import { compactMember, createRedisDeadlineIndex } from '../src/adapters/redis-deadline-index.ts';
import { createMemoryCaseTimeline } from '../src/app/case-timeline.ts';
import { deadlineIdOf, deadlineStream } from '../src/domain/kinds.ts';
import { createSupervisionModule } from '../src/module.ts';

export interface StormSteadyOptions {
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly bus: InProcessBus;
  /** Deadlines all due at once when the storm starts. */
  readonly stormN: number;
  /** Seconds of the steady stream (1,000 deadlines due per second from the storm's start). */
  readonly steadySeconds: number;
  readonly concurrency: number;
  /** Fire one deadline after another (the firing before issue 7's storm work), for the side-by-side comparison. */
  readonly perDeadline: boolean;
  /** The scheduler's fresh lane (its default 0.5 of a pass; 0 fires strictly earliest first). */
  readonly freshShare?: number;
  /** Opens `count` acceptance deadlines (cases `<prefix><i>`), opened 2025-03-03, due 2025-03-04. */
  readonly openAll: (store: EventStore, count: number, casePrefix: string) => Promise<void>;
  readonly log: (line: string) => void;
}

/** The wall clock moved by `offset` ms: sleeps are real, instants are the domain's. */
class ShiftedClock implements Clock {
  offset = 0;
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  sleepUntil(instant: Date, signal?: AbortSignal): Promise<void> {
    return systemClock.sleepUntil(new Date(instant.getTime() - this.offset), signal);
  }
}

const STEADY_PER_SECOND = 1000;
/** Every storm deadline (due 2025-03-04) is breached from this instant on. */
const BREACHED_FROM = Date.parse('2025-03-05T00:00:00+08:00');
const OPENED_AT = Date.parse('2025-03-03T08:00:00+08:00');
/** The index's epoch and revision bits (`redis-deadline-index.ts`): a score is `second × 2^16 + revision`. */
const INDEX_EPOCH_MS = Date.UTC(2020, 0, 1);
const INDEX_REVISIONS = 65_536;

const percentile = (sorted: readonly number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`);

export async function measureStormWithSteadyStream(options: StormSteadyOptions): Promise<void> {
  const { stormN, concurrency, log } = options;
  const steadyN = Math.round(options.steadySeconds * STEADY_PER_SECOND);
  const schema = await createIsolatedSchema('supervision_bench_3c');
  const store = await createPostgresEventStore({ connectionString: schema.connectionString, maxConnections: 6 });
  // Intake is another process with its own pool on the same PostgreSQL.
  const intake = await startIntakeLikeAppender(schema.connectionString);
  const prefix = `${options.keyPrefix}3c:`;
  const index = createRedisDeadlineIndex({ url: options.redisUrl, prefix });
  const redis = new Redis(options.redisUrl);
  const clock = new ShiftedClock();
  clock.offset = OPENED_AT - Date.now();

  // When each deadline's breach was recorded durably: the firing's append resolved.
  const recorded = new Map<string, number>();
  const watched: EventStore = new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'appendToStream') {
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async (...args: Parameters<EventStore['appendToStream']>) => {
        const result = await target.appendToStream(...args);
        if (!result.alreadyAppended && args[1].some((e) => e.type === 'DeadlineBreached') && !recorded.has(args[0])) recorded.set(args[0], Date.now());
        return result;
      };
    },
  });

  const module = createSupervisionModule({
    store: watched,
    bus: options.bus,
    clock,
    ids: sequentialIds(),
    logger: pino({ level: 'silent' }),
    schedules: [],
    index,
    timeline: createMemoryCaseTimeline(),
    runScheduler: true,
    scheduler: { concurrency, perDeadline: options.perDeadline, ...(options.freshShare !== undefined && { freshShare: options.freshShare }) },
  });
  try {
    const t = Date.now();
    await options.openAll(store, stormN, 'BJ-B');
    await options.openAll(store, steadyN, 'BJ-S');
    const openMs = Date.now() - t;
    await module.start();
    await module.caughtUp();
    // The steady deadlines: 1,000 due at each whole second after the storm's start.
    const stormStart = BREACHED_FROM;
    const steadyDueAfter = (j: number) => (Math.floor(j / STEADY_PER_SECOND) + 1) * 1000; // ms after the storm's start
    for (let i = 0; i < steadyN; i += 5000) {
      const pipeline = redis.pipeline();
      for (let j = i; j < Math.min(steadyN, i + 5000); j++) {
        const second = (stormStart + steadyDueAfter(j) - INDEX_EPOCH_MS) / 1000;
        pipeline.zadd(`${prefix}due`, 'XX', second * INDEX_REVISIONS, compactMember(deadlineIdOf(`BJ-S${j}`, 'acceptance', 'submission')));
      }
      await pipeline.exec();
    }

    // Intake-like appends one after another in the other process: 3 s before the storm, then on through it.
    intake.send('go');
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    // The storm: move the clock to the storm's start and wake the scheduler.
    const wallStart = Date.now();
    clock.offset = stormStart - wallStart;
    module.scheduler.poke();
    const total = stormN + steadyN;
    const deadline = wallStart + 15 * 60_000;
    while (recorded.size < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const intakeSamples = await stopIntakeLikeAppender(intake);
    await module.caughtUp();
    if (recorded.size < total) throw new Error(`3c: ${recorded.size} of ${total} breaches recorded within 15 min`);

    const stormTimes = Array.from({ length: stormN }, (_, i) => recorded.get(deadlineStream(deadlineIdOf(`BJ-B${i}`, 'acceptance', 'submission')))!);
    const stormEnd = Math.max(...stormTimes);
    const lateness: number[] = [];
    const latenessDuringStorm: number[] = [];
    for (let i = 0; i < steadyN; i++) {
      const at = recorded.get(deadlineStream(deadlineIdOf(`BJ-S${i}`, 'acceptance', 'submission')))!;
      const due = wallStart + steadyDueAfter(i);
      lateness.push(at - due);
      if (due <= stormEnd) latenessDuringStorm.push(at - due);
    }
    for (const list of [lateness, latenessDuringStorm]) list.sort((a, b) => a - b);
    const beforeMs = intakeSamples.filter((s) => s.at < wallStart).map((s) => s.ms).sort((a, b) => a - b);
    const duringMs = intakeSamples.filter((s) => s.at >= wallStart && s.at <= stormEnd).map((s) => s.ms).sort((a, b) => a - b);

    // Each deadline fired exactly once.
    const breachedStreams = new Map<string, number>();
    for (let after = 0n; ; ) {
      const page = await store.readAll({ after, maxCount: 10_000, filter: { eventTypes: ['DeadlineBreached'] } });
      if (page.length === 0) break;
      for (const e of page) breachedStreams.set(e.stream, (breachedStreams.get(e.stream) ?? 0) + 1);
      after = page[page.length - 1]!.globalPosition;
    }
    const twice = [...breachedStreams.values()].filter((n) => n !== 1).length;
    if (breachedStreams.size !== total || twice > 0) throw new Error(`3c: ${breachedStreams.size} deadlines breached of ${total}, ${twice} more than once`);

    const stormSeconds = (stormEnd - wallStart) / 1000;
    const firedDuringStorm = [...recorded.values()].filter((at) => at <= stormEnd).length;
    log(
      `3c. durable storm with a steady stream, firing ${options.perDeadline ? `one deadline after another, ${concurrency} in flight` : `appends together from batched reads, ${options.freshShare === 0 ? 'strictly earliest first' : 'fresh lane on (what fell due in the last 2 s first, up to half a pass, behind a backlog)'}`} (PostgreSQL, scheduler loop on the wall clock): ${stormN} deadlines due at once plus ${STEADY_PER_SECOND}/s due on the wall clock for ${options.steadySeconds} s (${steadyN}, opened ahead with the storm's in ${(openMs / 1000).toFixed(2)} s, 1,000 due at each second from the storm's start + 1 s); each of the ${total} breached exactly once`,
    );
    log(`   storm drained in ${stormSeconds.toFixed(2)} s: ${Math.round(stormN / stormSeconds)} storm breaches/s, ${Math.round(firedDuringStorm / stormSeconds)} breaches/s recorded in all (beside 3b's rate without a steady stream; target ≥ 100000/s)`);
    log(
      `   steady stream lateness (breach recorded durably − due instant): during the storm (${latenessDuringStorm.length} due before it drained) p50 ${ms(percentile(latenessDuringStorm, 50))}, p99 ${ms(percentile(latenessDuringStorm, 99))}; all ${steadyN}: p50 ${ms(percentile(lateness, 50))}, p99 ${ms(percentile(lateness, 99))} (target p99 < 1 s)`,
    );
    const ratio50 = percentile(duringMs, 50) / percentile(beforeMs, 50);
    const ratio99 = percentile(duringMs, 99) / percentile(beforeMs, 99);
    log(
      `   intake-like durable append (new case stream, one ApplicationSubmitted-sized event, from another process with its own store and pool on the same PostgreSQL, one at a time, not the intake service over HTTP): before the storm (${beforeMs.length}) p50 ${ms(percentile(beforeMs, 50))}, p99 ${ms(percentile(beforeMs, 99))}; during it (${duringMs.length}) p50 ${ms(percentile(duringMs, 50))}, p99 ${ms(percentile(duringMs, 99))}; ratio during/before p50 ${ratio50.toFixed(2)}×, p99 ${ratio99.toFixed(2)}× (target ≤ 2×)`,
    );
  } finally {
    await module.stop();
    await index.clear();
    await index.close();
    await redis.quit();
    if (intake.exitCode === null && intake.signalCode === null) intake.kill();
    await store.close();
    await schema.drop();
  }
}

type Sample = { readonly at: number; readonly ms: number };

async function startIntakeLikeAppender(connectionString: string): Promise<ChildProcess> {
  const child = fork(new URL('./intake-like-appender.ts', import.meta.url), { execArgv: process.execArgv, env: { ...process.env, APPENDER_DATABASE_URL: connectionString } });
  const [message] = (await Promise.race([once(child, 'message'), once(child, 'exit').then(() => { throw new Error('3c: the intake-like appender exited before it was ready'); })])) as [unknown];
  if (message !== 'ready') throw new Error(`3c: unexpected message from the intake-like appender: ${String(message)}`);
  return child;
}

async function stopIntakeLikeAppender(child: ChildProcess): Promise<Sample[]> {
  const answer = once(child, 'message') as Promise<[{ samples: Sample[] }]>;
  child.send('stop');
  const [{ samples }] = await answer;
  return samples;
}
