/**
 * The three writers compared in the append scenarios behind one small interface: our store,
 * raw INSERTs into an equivalent table, and emmett-postgresql. Each gets a fresh schema.
 */
import { getPostgreSQLEventStore, type PostgresEventStore } from '@event-driven-io/emmett-postgresql';
import { isExpectedVersionConflictError, STREAM_DOES_NOT_EXIST } from '@event-driven-io/emmett';
import pg from 'pg';
import { ConcurrencyError } from '@govsvc/errors/errors';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import type { SqlEventStore } from '@govsvc/eventstore/sql/sql-event-store';
import { verifyAll } from '@govsvc/eventstore/audit/verify';
import { freshSchema, newCaseEvent, RAW_INSERT, rawMetadata, rawTable, eventData, EVENT_TYPES } from './fixtures.ts';
import { randomUUID } from 'node:crypto';

/** Appends one event at `revision` (0-based) with an exact expected revision; false on a conflict. */
export interface Writer {
  readonly name: string;
  append(stream: string, revision: number): Promise<boolean>;
  /** Current last revision of a stream (-1 when none), after a conflict. */
  revision(stream: string): Promise<number>;
  /** Nothing lost or duplicated, revisions gapless (and for ours, the chain intact). */
  check(expectedEvents: number): Promise<{ ok: boolean; what: string }[]>;
  close(): Promise<void>;
}

export async function ourWriter(schema: string, options: { maxConnections?: number } = {}): Promise<Writer & { store: SqlEventStore }> {
  const url = await freshSchema(schema);
  const store = await createPostgresEventStore({ connectionString: url, maxConnections: options.maxConnections ?? 10 });
  const side = new pg.Pool({ connectionString: url, max: 2 });
  return {
    name: 'ours',
    store,
    async append(stream, revision) {
      try {
        await store.appendToStream(stream, [newCaseEvent(stream, revision)], { expectedRevision: revision === 0 ? 'no_stream' : BigInt(revision - 1) });
        return true;
      } catch (error) {
        if (error instanceof ConcurrencyError) return false;
        throw error;
      }
    },
    async revision(stream) {
      const r = await store.streamRevision(stream);
      return r === null ? -1 : Number(r);
    },
    async check(expected) {
      const checks = await tableChecks(side, 'events', 'stream_name', 'stream_revision', 0, expected);
      const report = await verifyAll(store);
      checks.push({ ok: report.ok, what: `ours: hash chains verify (${report.events} events, ${report.streams} streams)${report.first ? `: ${report.first.message}` : ''}` });
      return checks.map((c) => ({ ...c, what: c.what.startsWith('ours') ? c.what : `ours: ${c.what}` }));
    },
    async close() {
      await side.end();
      await store.close();
    },
  };
}

export async function rawWriter(schema: string, connections = 40): Promise<Writer & { pool: pg.Pool }> {
  const pool = await rawTable(schema);
  void connections;
  return {
    name: 'raw INSERT',
    pool,
    async append(stream, revision) {
      try {
        await pool.query({
          name: 'raw_insert',
          text: RAW_INSERT,
          values: [stream, revision, randomUUID(), EVENT_TYPES[revision % EVENT_TYPES.length], 1, eventData(stream, revision), rawMetadata(stream)],
        });
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === '23505') return false;
        throw error;
      }
    },
    async revision(stream) {
      const { rows } = await pool.query<{ r: string | null }>('SELECT max(stream_revision)::text AS r FROM events WHERE stream_name = $1', [stream]);
      return rows[0]?.r == null ? -1 : Number(rows[0].r);
    },
    async check(expected) {
      return (await tableChecks(pool, 'events', 'stream_name', 'stream_revision', 0, expected)).map((c) => ({ ...c, what: `raw: ${c.what}` }));
    },
    async close() {
      await pool.end();
    },
  };
}

export async function emmettWriter(schema: string): Promise<Writer> {
  const url = await freshSchema(schema);
  const store: PostgresEventStore = getPostgreSQLEventStore(url);
  await store.schema.migrate();
  const side = new pg.Pool({ connectionString: url, max: 2 });
  return {
    name: 'emmett',
    async append(stream, revision) {
      const event = newCaseEvent(stream, revision);
      try {
        await store.appendToStream(stream, [{ type: event.type, data: event.data as Record<string, unknown>, metadata: event.metadata }], {
          expectedStreamVersion: revision === 0 ? STREAM_DOES_NOT_EXIST : BigInt(revision),
        });
        return true;
      } catch (error) {
        if (isExpectedVersionConflictError(error) || (error as { code?: string }).code === '23505') return false;
        throw error;
      }
    },
    async revision(stream) {
      const { rows } = await side.query<{ r: string | null }>('SELECT max(stream_position)::text AS r FROM emt_messages WHERE stream_id = $1', [stream]);
      return rows[0]?.r == null ? -1 : Number(rows[0].r) - 1;
    },
    async check(expected) {
      return (await tableChecks(side, 'emt_messages', 'stream_id', 'stream_position', 1, expected)).map((c) => ({ ...c, what: `emmett: ${c.what}` }));
    },
    async close() {
      await side.end();
      await store.close();
    },
  };
}

/** Row count, no duplicate ids, every stream numbered from its first revision without gaps. */
async function tableChecks(
  pool: pg.Pool,
  table: string,
  streamColumn: string,
  revisionColumn: string,
  first: number,
  expected: number,
): Promise<{ ok: boolean; what: string }[]> {
  const idColumn = table === 'emt_messages' ? 'message_id' : 'event_id';
  const { rows } = await pool.query<{ n: string; ids: string; bad: string; streams: string }>(
    `SELECT (SELECT count(*) FROM ${table})::text AS n,
            (SELECT count(DISTINCT ${idColumn}) FROM ${table})::text AS ids,
            (SELECT count(DISTINCT ${streamColumn}) FROM ${table})::text AS streams,
            (SELECT count(*) FROM (SELECT ${streamColumn}, count(*) AS c, min(${revisionColumn}) AS lo, max(${revisionColumn}) AS hi
                                   FROM ${table} GROUP BY ${streamColumn}) s
             WHERE lo <> ${first} OR hi - lo + 1 <> c)::text AS bad`,
  );
  const r = rows[0]!;
  return [
    { ok: Number(r.n) === expected, what: `${r.n} events stored, ${expected} acknowledged (nothing lost, nothing extra)` },
    { ok: r.ids === r.n, what: `${r.ids} distinct ids among ${r.n} rows (no duplicates)` },
    { ok: r.bad === '0', what: `${r.streams} streams, ${r.bad} with a gap or not starting at ${first}` },
  ];
}
