/**
 * After the run: was every event stored exactly once and relayed?
 *
 * - Stored: every command the driver saw answered 2xx has events in the store
 *   under its correlation id (`bench-<case>-<step>`) appended by the command
 *   itself (no causation id: consumers' later appends carry the message as
 *   their causation), and no command has the same event type twice on the same
 *   stream (a second effect of one command).
 * - Relayed: the relay's CloudEvents id of an event's first contract is the
 *   event's own id. Every topic of the run (its prefix) is read from the start;
 *   a message id seen twice is a duplicate; an event of a type the relays
 *   publish whose id never arrived is lost. Per-type figures are kept so a
 *   conditional mapping (a type published only sometimes) can be told apart.
 * - Breach lag: wall time from the clock move that passed a deadline's due
 *   instant to the DeadlineBreached row's `recorded_at`.
 */
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import type { ClockMove } from './day.ts';

export interface StoredRow {
  readonly correlationId: string;
  readonly stream: string;
  readonly type: string;
}

export interface StoreCheck {
  readonly commandsOk: number;
  readonly commandsWithoutEvents: string[];
  readonly duplicatedEffects: string[];
}

/** Pure: the 2xx commands against the stored rows carrying their correlation ids. */
export function checkStored(okCorrelationIds: Iterable<string>, rows: readonly StoredRow[]): StoreCheck {
  const byCorrelation = new Map<string, Map<string, number>>();
  for (const row of rows) {
    let effects = byCorrelation.get(row.correlationId);
    if (!effects) byCorrelation.set(row.correlationId, (effects = new Map()));
    const key = `${row.stream} ${row.type}`;
    effects.set(key, (effects.get(key) ?? 0) + 1);
  }
  const ok = new Set(okCorrelationIds);
  const commandsWithoutEvents = [...ok].filter((id) => !byCorrelation.has(id));
  const duplicatedEffects: string[] = [];
  for (const id of ok) for (const [key, n] of byCorrelation.get(id) ?? []) if (n > 1) duplicatedEffects.push(`${id}: ${key} ×${n}`);
  return { commandsOk: ok.size, commandsWithoutEvents, duplicatedEffects };
}

export interface RelayTypeFigure {
  readonly type: string;
  readonly stored: number;
  readonly relayed: number;
}

export interface RelayCheck {
  readonly messages: number;
  readonly duplicateIds: number;
  readonly byType: RelayTypeFigure[];
  /** Events of a published type whose id never arrived on any topic. */
  readonly missing: number;
}

/** Pure: stored events (id, type) against the message ids read from the topics. */
export function checkRelayed(events: readonly { id: string; type: string }[], messageIds: readonly string[]): RelayCheck {
  const seen = new Map<string, number>();
  for (const id of messageIds) seen.set(id, (seen.get(id) ?? 0) + 1);
  let duplicateIds = 0;
  for (const n of seen.values()) if (n > 1) duplicateIds += n - 1;
  const byType = new Map<string, { stored: number; relayed: number }>();
  for (const e of events) {
    const figure = byType.get(e.type) ?? { stored: 0, relayed: 0 };
    figure.stored++;
    if (seen.has(e.id)) figure.relayed++;
    byType.set(e.type, figure);
  }
  let missing = 0;
  for (const f of byType.values()) if (f.relayed > 0) missing += f.stored - f.relayed;
  return {
    messages: messageIds.length,
    duplicateIds,
    byType: [...byType].map(([type, f]) => ({ type, ...f })).sort((a, b) => b.stored - a.stored),
    missing,
  };
}

/** Pure: wall time of the first clock move that put the clock past `dueAtMs` (moves in wall order). */
export function wallWhenPassed(moves: readonly ClockMove[], dueAtMs: number): number | null {
  for (const move of moves) if (move.clockMs > dueAtMs) return move.wallMs;
  return null;
}

export async function storedRows(pool: pg.Pool): Promise<StoredRow[]> {
  const { rows } = await pool.query<{ c: string; s: string; t: string }>(
    // The command's own append only: events a consumer appended later carry the message as their causation.
    "SELECT metadata->>'correlationId' AS c, stream_name AS s, type AS t FROM events WHERE metadata->>'correlationId' LIKE 'bench-%' AND NOT (metadata ? 'causationId')",
  );
  return rows.map((r) => ({ correlationId: r.c, stream: r.s, type: r.t }));
}

export async function allEvents(pool: pg.Pool): Promise<{ id: string; type: string; recordedMs: number }[]> {
  // Delivery records review's progress notices but publishes no contract for them (notification-sent.v1 has no
  // stage for them): a type of its own here, so they are not counted as lost.
  const { rows } = await pool.query<{ id: string; type: string; ms: string }>(
    "SELECT event_id::text AS id, CASE WHEN type = 'NotificationSent' AND data->>'stage' = 'review-progress' THEN 'NotificationSent(review-progress)' ELSE type END AS type, (extract(epoch FROM recorded_at) * 1000)::bigint::text AS ms FROM events ORDER BY global_position",
  );
  return rows.map((r) => ({ id: r.id, type: r.type, recordedMs: Number(r.ms) }));
}

/** Cases submitted, and how many of them supervision opened a deadline for (its consumer keeps up, or not; renewals' deadlines have case ids of their own and do not count). */
export async function deadlineCoverage(pool: pg.Pool): Promise<{ submitted: number; withDeadlines: number }> {
  const { rows } = await pool.query<{ submitted: string; covered: string }>(
    `SELECT (SELECT count(DISTINCT metadata->>'caseId') FROM events WHERE type = 'ApplicationSubmitted')::text AS submitted,
            (SELECT count(DISTINCT a.metadata->>'caseId') FROM events a
              WHERE a.type = 'ApplicationSubmitted'
                AND EXISTS (SELECT 1 FROM events d WHERE d.type = 'DeadlineOpened' AND d.metadata->>'caseId' = a.metadata->>'caseId'))::text AS covered`,
  );
  return { submitted: Number(rows[0]!.submitted), withDeadlines: Number(rows[0]!.covered) };
}

export interface Breach {
  readonly dueAtMs: number;
  readonly recordedMs: number;
  /** When supervision stored the deadline's DeadlineOpened: a deadline opened already past due cannot breach before. */
  readonly openedMs: number;
}

export async function breaches(pool: pg.Pool): Promise<Breach[]> {
  const { rows } = await pool.query<{ due: string; ms: string; opened: string }>(
    `SELECT b.data->>'dueAt' AS due, (extract(epoch FROM b.recorded_at) * 1000)::bigint::text AS ms,
            (extract(epoch FROM o.recorded_at) * 1000)::bigint::text AS opened
       FROM events b JOIN events o ON o.stream_name = b.stream_name AND o.type = 'DeadlineOpened'
      WHERE b.type = 'DeadlineBreached'`,
  );
  return rows.map((r) => ({ dueAtMs: Date.parse(r.due), recordedMs: Number(r.ms), openedMs: Number(r.opened) }));
}

/**
 * A breach's lag two ways. `fromDue`: from the wall-clock moment the (compressed) clock passed the due instant,
 * or from the deadline's opening when it was opened after that (supervision cannot breach what it has not been
 * told of yet): the "breach lag", supervision's own reaction time. `fromClock`: from the clock's passing
 * alone, which also counts the chain that opened the deadline late (intake → Kafka → supervision).
 */
export function breachLag(breach: Breach, passedMs: number): { fromDue: number; fromClock: number } {
  return { fromDue: breach.recordedMs - Math.max(passedMs, breach.openedMs), fromClock: breach.recordedMs - passedMs };
}

export interface TopicMessage {
  readonly id: string;
  readonly timestampMs: number;
}

/** Reads every topic whose name starts with `prefix` from the beginning, until each partition's high watermark. */
export async function readTopics(brokers: readonly string[], prefix: string): Promise<{ messages: TopicMessage[]; topics: number; highWatermarkSum: number }> {
  const kafka = new Kafka({ clientId: `bench-system-check-${Date.now()}`, brokers: [...brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix) && !t.endsWith('.dlq'));
  const targets = new Map<string, number>();
  let highWatermarkSum = 0;
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) {
      const high = Number(p.high);
      highWatermarkSum += high - Number(p.low);
      if (high > Number(p.low)) targets.set(`${topic}/${p.partition}`, high);
    }
  }
  await admin.disconnect();
  const messages: TopicMessage[] = [];
  if (targets.size === 0) return { messages, topics: topics.length, highWatermarkSum };
  const consumer = kafka.consumer({ groupId: `bench-system-check-${Date.now()}`, maxBytes: 20 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`topics not read to their end in 600 s (${targets.size} partitions left)`)), 600_000);
    consumer
      .run({
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const id = m.headers?.ce_id?.toString() ?? '';
            messages.push({ id, timestampMs: Number(m.timestamp) });
          }
          const key = `${batch.topic}/${batch.partition}`;
          const high = targets.get(key);
          const last = batch.messages[batch.messages.length - 1];
          if (high !== undefined && last && Number(last.offset) + 1 >= high) targets.delete(key);
          if (targets.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return { messages, topics: topics.length, highWatermarkSum };
}
