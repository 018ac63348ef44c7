/**
 * Catch-up lag: writers append at a steady rate (half of what the store sustains, at most
 * 5,000 events/s) while a subscription tails the log; every event's delay from its append
 * being acknowledged to its delivery is recorded. Then a fresh subscription reads everything
 * from the start: catch-up speed against the write rate.
 */
import { randomUUID } from 'node:crypto';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import { bound, info, median, now, percentile, sleep, type RunOptions, type ScenarioResult } from '../harness.ts';
import { freshSchema, newCaseEvent } from '../fixtures.ts';

/** The catch-up reader takes pages of 5,000, as the replay scenario does (a side-by-side run here: 31,879 events/s with 1,000, 43,741 with 5,000). */
const REPLAY_BATCH = 5_000;
const TARGET_RATE = 5_000;

export async function catchUpLag(options: RunOptions): Promise<ScenarioResult> {
  const seconds = options.quick ? 3 : 8;
  const url = await freshSchema('bench_catchup');
  const store = await createPostgresEventStore({ connectionString: url, maxConnections: 12 });

  // The writers' maximum here: 64 callers, single-event appends, for a moment.
  const probeRun = randomUUID().slice(0, 8);
  let probe = 0;
  const probeEnd = now() + 1_500;
  const probeStart = now();
  await Promise.all(
    Array.from({ length: 64 }, async (_, c) => {
      for (let i = 0; now() < probeEnd; i++) {
        await store.appendToStream(`probe-${probeRun}x${c}x${Math.floor(i / 12)}`, [newCaseEvent('probe', i)], { expectedRevision: i % 12 === 0 ? 'no_stream' : BigInt((i % 12) - 1) });
        probe += 1;
      }
    }),
  );
  const maxRate = probe / ((now() - probeStart) / 1000);
  const rate = Math.min(TARGET_RATE, maxRate / 2);

  const p99s: number[] = [];
  const p50s: number[] = [];
  const fromCall: number[] = [];
  const achieved: number[] = [];
  const catchUp: number[] = [];
  const checks: ScenarioResult['checks'] = [];
  for (let r = 0; r < options.repeats; r++) {
    const category = `lag${randomUUID().slice(0, 8)}`;
    const acked = new Map<string, number>();
    const called = new Map<string, number>();
    const delivered: { id: string; at: number; stream: string; revision: bigint }[] = [];
    const subscription = store.subscribeToAll({ subscriptionId: `lag-${category}`, filter: { categories: [category] }, batchSize: 1_000 }, async (events) => {
      const at = now();
      for (const e of events) delivered.push({ id: e.id, at, stream: e.stream, revision: e.revision });
    });
    await subscription.caughtUp();

    // Paced writers: event i is due at start + i / rate; 32 writers take the next due slot.
    let next = 0;
    const total = Math.round(rate * seconds);
    const started = now();
    await Promise.all(
      Array.from({ length: 32 }, async (_, w) => {
        const streamRevision = new Map<number, number>();
        for (;;) {
          const i = next++;
          if (i >= total) return;
          const due = started + (i / rate) * 1000;
          const wait = due - now();
          if (wait > 1) await sleep(wait);
          const s = i % 64; // each writer owns its streams: no conflicts, the scenario is about lag
          const revision = streamRevision.get(s) ?? 0;
          streamRevision.set(s, revision + 1);
          const event = newCaseEvent(category, revision);
          called.set(event.id, now());
          await store.appendToStream(`${category}-${w}x${s}`, [event], { expectedRevision: revision === 0 ? 'no_stream' : BigInt(revision - 1) });
          acked.set(event.id, now());
        }
      }),
    );
    const writeSeconds = (now() - started) / 1000;
    achieved.push(total / writeSeconds);
    await subscription.caughtUp();
    await subscription.stop();
    const lags = delivered.map((d) => Math.max(0, d.at - acked.get(d.id)!));
    const callLags = delivered.map((d) => d.at - called.get(d.id)!);
    p99s.push(percentile(lags, 99));
    p50s.push(percentile(lags, 50));
    fromCall.push(percentile(callLags, 99));

    // Catch-up speed: a new subscriber reads the same events from the beginning.
    let seen = 0;
    const t = now();
    const replay = store.subscribeToAll({ subscriptionId: `replay-${category}`, filter: { categories: [category] }, batchSize: REPLAY_BATCH }, async (events) => {
      seen += events.length;
    });
    await replay.caughtUp();
    await replay.stop();
    catchUp.push(seen / ((now() - t) / 1000));

    if (r === options.repeats - 1) {
      const ids = new Set(delivered.map((d) => d.id));
      let ordered = true;
      const last = new Map<string, bigint>();
      for (const d of delivered) {
        if ((last.get(d.stream) ?? -1n) + 1n !== d.revision) ordered = false;
        last.set(d.stream, d.revision);
      }
      checks.push({ ok: delivered.length === total && ids.size === total, what: `${delivered.length} deliveries of ${total} appended events, ${ids.size} distinct (nothing lost or duplicated)` });
      checks.push({ ok: ordered, what: 'every stream delivered in revision order without gaps' });
      checks.push({ ok: seen === total, what: `the catch-up subscriber read ${seen} of ${total}` });
    }
  }
  await store.close();
  const writeRate = median(achieved);
  return {
    name: 'catch-up',
    title: 'Catch-up lag while writers run',
    rows: [
      bound('lag p99, append acknowledged → delivered', p99s, 'ms', '<', 20),
      info('lag p50, append acknowledged → delivered', p50s, 'ms'),
      info('lag p99, append called → delivered (includes the commit)', fromCall, 'ms'),
      info('write rate achieved', achieved, 'events/s'),
      { ...bound('catch-up speed ÷ write rate', catchUp.map((c) => c / writeRate), '×', '≥', 5) },
      info('catch-up speed', catchUp, 'events/s'),
      ...(rate < TARGET_RATE ? [bound('write rate offered (target 5,000)', [rate], 'events/s', '≥', TARGET_RATE)] : []),
    ],
    checks,
    notes: [
      `Writers' maximum measured first: ${Math.round(maxRate).toLocaleString('en-US')} events/s (64 callers, single-event appends); offered rate = min(5,000, half of it) = ${Math.round(rate).toLocaleString('en-US')} events/s for ${seconds} s, ${options.repeats} runs.`,
      'The subscriber wakes on NOTIFY (sent by the store once the append has committed) and reads below the transaction-id horizon (ADR 0002); batches of up to 1,000; the catch-up reader (a new subscriber from the start) takes pages of 5,000.',
    ],
  };
}
