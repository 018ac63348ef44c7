/** Reads: rehydrating one 12-event case, and a full replay of the log into a projection. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import type { StoredEvent } from '@govsvc/eventstore/port';
import { atLeast, bound, info, now, type RunOptions, type ScenarioResult } from '../harness.ts';
import { dropSchema, freshSchema, newCaseEvent, peerPool } from '../fixtures.ts';
import { config } from '../config.ts';

/** The fold both sides run: what a decider's evolve does with a case's events. */
interface CaseState {
  events: number;
  lastType: string;
  materials: number;
  sequenceSum: number;
}
const initial = (): CaseState => ({ events: 0, lastType: '', materials: 0, sequenceSum: 0 });
const evolve = (state: CaseState, type: string, data: unknown): CaseState => {
  const d = data as { sequence: number; materials: unknown[] };
  return { events: state.events + 1, lastType: type, materials: state.materials + d.materials.length, sequenceSum: state.sequenceSum + d.sequence };
};

const COLUMNS = 'global_position, stream_name, stream_revision, event_id, type, schema_version, data, metadata, recorded_at';

export async function rehydrate(options: RunOptions): Promise<ScenarioResult> {
  const reads = options.quick ? 1_000 : 4_000;
  const url = await freshSchema('bench_read');
  const store = await createPostgresEventStore({ connectionString: url });
  const pool = peerPool(url, 2);
  const emmettUrl = await freshSchema('bench_emmett');
  const emmett = getPostgreSQLEventStore(emmettUrl);
  await emmett.schema.migrate();
  const stream = `application-${randomUUID()}`;
  const events = Array.from({ length: 12 }, (_, n) => newCaseEvent(stream, n));
  await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
  await emmett.appendToStream(stream, events.map((e) => ({ type: e.type, data: e.data as Record<string, unknown>, metadata: e.metadata })));

  const ours: number[] = [];
  const raw: number[] = [];
  const peer: number[] = [];
  let oursState = initial();
  let rawState = initial();
  // Interleaved in slices of 50 reads (ours, raw, emmett, ours, …) so that the neighbours' load,
  // which swings by the second here, falls on all three alike.
  const slice = 50;
  for (let r = 0; r < options.repeats; r++) {
    const spent = [0, 0, 0];
    for (let done = 0; done < reads; done += slice) {
      let t = now();
      for (let i = 0; i < slice; i++) {
        const stored: StoredEvent[] = await store.readStream(stream);
        oursState = stored.reduce((s, e) => evolve(s, e.type, e.data), initial());
      }
      spent[0]! += now() - t;
      t = now();
      for (let i = 0; i < slice; i++) {
        const { rows } = await pool.query<{ type: string; data: unknown }>({
          name: 'raw_read_stream',
          text: `SELECT ${COLUMNS} FROM events WHERE stream_name = $1 ORDER BY stream_revision`,
          values: [stream],
        });
        rawState = rows.reduce((s, e) => evolve(s, e.type, e.data), initial());
      }
      spent[1]! += now() - t;
      t = now();
      for (let i = 0; i < slice; i++) {
        await emmett.aggregateStream(stream, { evolve: (s: CaseState, e: { type: string; data: unknown }) => evolve(s, e.type, e.data), initialState: initial });
      }
      spent[2]! += now() - t;
    }
    ours.push(reads / (spent[0]! / 1000));
    raw.push(reads / (spent[1]! / 1000));
    peer.push(reads / (spent[2]! / 1000));
  }
  const checks = [
    { ok: oursState.events === 12 && JSON.stringify(oursState) === JSON.stringify(rawState), what: `both folds agree: ${JSON.stringify(oursState)}` },
  ];
  await pool.end();
  await store.close();
  await emmett.close();
  return {
    name: 'rehydrate',
    title: 'Rehydrate one 12-event case',
    rows: [
      atLeast('reads + fold per second vs raw SELECT + fold', ours, raw, 'raw SELECT', 'reads/s', 0.85),
      info('vs emmett aggregateStream', ours, 'reads/s', { values: peer, name: 'emmett' }),
    ],
    checks,
    notes: [`${reads} sequential reads per system per run, interleaved in slices of 50, ${options.repeats} runs. Raw: a prepared SELECT of the same columns from the same table, rows folded by the same function. Ours parses every row into a StoredEvent (bigints, Date).`],
  };
}

/** Loads `count` events straight into the store's table (hashes not valid: replay does not verify). */
export async function loadEvents(pool: pg.Pool, count: number): Promise<void> {
  const chunk = 200_000;
  for (let from = 1; from <= count; from += chunk) {
    const to = Math.min(count, from + chunk - 1);
    await pool.query(
      `INSERT INTO events (stream_name, stream_revision, event_id, type, schema_version, data, metadata)
       SELECT 'application-' || (g / 12), g % 12, gen_random_uuid(),
              (ARRAY['ApplicationSubmitted','MaterialsChecked','SupplementRequested','SupplementReceived','CaseAccepted'])[1 + g % 5], 1,
              jsonb_build_object('caseId', 'application-' || (g / 12), 'itemCode', '11000000000000000A-0001-01', 'guideVersion', '2025.2', 'sequence', g % 12,
                'applicant', jsonb_build_object('kind', 'enterprise', 'maskedId', '911101********3X2P', 'ref', '0f8fad5b-d9cb-469f-a165-70867728950e'),
                'channel', 'online',
                'materials', jsonb_build_array(
                  jsonb_build_object('materialId', 'm-application-form', 'name', '食品经营许可申请书', 'form', 'electronic', 'source', 'applicant'),
                  jsonb_build_object('materialId', 'm-business-licence', 'name', '营业执照', 'form', 'electronic', 'source', 'data-sharing')),
                'submittedAt', '2025-03-10T10:15:00+08:00', 'acceptanceDue', jsonb_build_object('date', '2025-03-11', 'provisional', false)),
              jsonb_build_object('caseId', 'application-' || (g / 12), 'correlationId', gen_random_uuid(), 'causationId', gen_random_uuid(),
                'actor', jsonb_build_object('id', 'clerk-7', 'role', 'window-clerk', 'department', 'bj-market-regulation'),
                'prevHash', repeat('x', 64), 'hash', repeat('y', 64))
       FROM generate_series($1::bigint, $2::bigint) g`,
      [from, to],
    );
  }
  await pool.query('ANALYZE events');
}

export async function replay(options: RunOptions): Promise<ScenarioResult> {
  const count = config.replayEvents ?? (options.quick ? 100_000 : 1_000_000);
  // Pages of 1,000, as the services' own rebuilds read (500–1,000). Measured 2026-11-27: pages of
  // 5,000 ran 10–15% slower for both sides, because a page of live events outgrew V8's young
  // generation and was promoted before it died.
  const page = 1_000;
  const url = await freshSchema('bench_replay');
  const store = await createPostgresEventStore({ connectionString: url });
  const pool = peerPool(url, 2);
  const loadStarted = now();
  await loadEvents(pool, count);
  const loadSeconds = (now() - loadStarted) / 1000;

  const ours: number[] = [];
  const raw: number[] = [];
  let oursSeen = 0;
  let rawSeen = 0;
  let oursGaps = 0;
  for (let r = 0; r < options.repeats; r++) {
    // Page by page, alternating: ours (readAll into a projection), then raw (keyset SELECT of the
    // same columns and rows, same projection), so the neighbours' load falls on both alike.
    const projection = new Map<string, number>();
    const rawProjection = new Map<string, number>();
    let after = 0n;
    let cursor = '0';
    let last = 0n;
    let oursTime = 0;
    let rawTime = 0;
    oursSeen = 0;
    rawSeen = 0;
    for (let more = true; more; ) {
      let t = now();
      const events = await store.readAll({ after, maxCount: page });
      for (const e of events) {
        projection.set(e.type, (projection.get(e.type) ?? 0) + (e.data as { materials: unknown[] }).materials.length);
        if (e.globalPosition <= last) oursGaps += 1;
        last = e.globalPosition;
      }
      oursTime += now() - t;
      oursSeen += events.length;
      if (events.length > 0) after = events[events.length - 1]!.globalPosition;

      t = now();
      const { rows } = await pool.query<{ global_position: string; type: string; data: { materials: unknown[] } }>({
        name: 'raw_keyset',
        text: `SELECT ${COLUMNS} FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
        values: [cursor, page],
      });
      for (const e of rows) rawProjection.set(e.type, (rawProjection.get(e.type) ?? 0) + e.data.materials.length);
      rawTime += now() - t;
      rawSeen += rows.length;
      if (rows.length > 0) cursor = rows[rows.length - 1]!.global_position;
      more = events.length === page || rows.length === page;
    }
    ours.push(oursSeen / (oursTime / 1000));
    raw.push(rawSeen / (rawTime / 1000));
    if (JSON.stringify([...projection].sort()) !== JSON.stringify([...rawProjection].sort())) oursGaps += 1_000_000;
  }
  await pool.end();
  await store.close();
  await dropSchema('bench_replay'); // a million rows: do not leave them in a shared database
  const best = Math.max(...ours);
  const measuredTenMillion = count >= 10_000_000;
  return {
    name: 'replay',
    title: 'Full replay (readAll into a projection)',
    rows: [
      atLeast('events/s vs raw keyset SELECT', ours, raw, 'raw keyset SELECT', 'events/s', 0.75),
      measuredTenMillion
        ? bound('10 million events, measured', ours.map((rate) => count / rate), 's', '<', 60)
        : bound('10 million events, extrapolated from the median', [10_000_000 / (ours.reduce((a, b) => a + b, 0) / ours.length)], 's', '<', 60),
    ],
    checks: [
      { ok: oursSeen === count && rawSeen === count, what: `ours read ${oursSeen}, raw read ${rawSeen} of ${count} loaded events` },
      { ok: oursGaps === 0, what: `positions strictly increasing in every replay and both projections equal (${oursGaps} problems)` },
    ],
    notes: [
      `${count.toLocaleString('en-US')} events loaded by SQL in ${loadSeconds.toFixed(0)} s (12-event cases, ~700 bytes of JSON each); pages of ${page}; ${options.repeats} runs.`,
      measuredTenMillion
        ? `10M **measured**: ${count.toLocaleString('en-US')} events replayed (BENCH_REPLAY_EVENTS), ${ours.map((rate) => `${(count / rate).toFixed(1)} s`).join(' / ')} for ours.`
        : `10M is **extrapolated** linearly from ${count.toLocaleString('en-US')} (best run ${Math.round(best).toLocaleString('en-US')} events/s → ${(10_000_000 / best).toFixed(0)} s); \`BENCH_REPLAY_EVENTS=10000000\` measures it (about 4 minutes to load). A keyset scan stays linear as long as the primary-key index fits the cache.`,
    ],
  };
}
