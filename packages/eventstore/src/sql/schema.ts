/**
 * The event store's tables, Message DB style: one `events` table is the
 * log, the outbox and the audit trail. Every statement is idempotent, so
 * `ensureSchema` runs at every start; an advisory lock keeps two processes
 * starting together from racing on CREATE.
 */
import type { SqlDriver } from './executor.ts';

// Arbitrary constant: the advisory lock key that serializes migrations of this schema.
const MIGRATION_LOCK = 7_301_202_611;

/**
 * The events table: the log, the outbox and the audit trail. `bench` creates the raw peer's table
 * from this text and EVENTS_COMPRESSION too, so both store rows alike.
 */
export const EVENTS_TABLE = `CREATE TABLE IF NOT EXISTS events (
     global_position bigserial   PRIMARY KEY,
     -- The writing transaction: readers that tail the log order by
     -- (transaction_id, global_position) below the snapshot horizon (ADR 0002).
     transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
     stream_name     text        NOT NULL,
     stream_revision bigint      NOT NULL CHECK (stream_revision >= 0),
     event_id        uuid        NOT NULL,
     type            text        NOT NULL,
     schema_version  integer     NOT NULL CHECK (schema_version >= 1),
     data            jsonb       NOT NULL,
     -- Caller metadata plus the hash chain (prevHash, hash), ADR 0003.
     metadata        jsonb       NOT NULL,
     recorded_at     timestamptz NOT NULL DEFAULT now(),
     CONSTRAINT events_stream_revision_key UNIQUE (stream_name, stream_revision),
     CONSTRAINT events_event_id_key UNIQUE (event_id)
   )`;

/**
 * Data and metadata compressed with lz4 rather than PostgreSQL's default pglz, where the server
 * was built with lz4 (PGlite is not: it keeps pglz). A row over about 2 KB is compressed as it is
 * written and decompressed at every read, and an application's submission is one (2.7 KB of
 * data): pglz was 9 % of PostgreSQL's CPU under intake's POST (perf, 2026-11-30). Existing rows
 * keep pglz and stay readable; the ALTER runs only while a column is not lz4 yet, so a started
 * store takes no lock here.
 */
export const EVENTS_COMPRESSION = `DO $do$
BEGIN
  IF 'lz4' = ANY ((SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression')::text[])
     AND EXISTS (SELECT 1 FROM pg_attribute
                 WHERE attrelid = 'events'::regclass AND attname IN ('data', 'metadata') AND attcompression <> 'l') THEN
    ALTER TABLE events ALTER COLUMN data SET COMPRESSION lz4, ALTER COLUMN metadata SET COMPRESSION lz4;
  END IF;
END
$do$`;

export const EVENTS_COMMIT_ORDER_INDEX = `CREATE INDEX IF NOT EXISTS events_commit_order ON events (transaction_id, global_position)`;

export const schemaStatements: readonly string[] = [
  EVENTS_TABLE,
  EVENTS_COMPRESSION,
  EVENTS_COMMIT_ORDER_INDEX,
  // The fast append (ADR 0004): many appends, already planned and hashed by the store from
  // its cached stream heads, in one call and one transaction. Every stream lock is tried
  // first, before the transaction writes (so before it has an id, ADR 0002). A lock held
  // elsewhere is not waited for: that stream's appends come back 'busy', so one hot stream
  // never holds up a whole group (and a call that never waits cannot deadlock). Each append
  // is written only if its stream's head is still the one it was planned on and none of its
  // ids is stored; otherwise it comes back 'stale' / 'existing'. The store redoes every
  // append that came back on the locked path. Each statement inside takes a fresh snapshot
  // (READ COMMITTED, VOLATILE), so a head read after the lock is the real predecessor.
  // It sends no NOTIFY: the store does after the commit (wake-notifier.ts). The older two-argument
  // version (appends, channel), which did, is left in place for processes of the previous release.
  `CREATE OR REPLACE FUNCTION govsvc_append_planned(appends jsonb)
   RETURNS TABLE (idx integer, status text, last_position text, last_revision text)
   LANGUAGE plpgsql VOLATILE AS $fn$
   DECLARE
     lock_key bigint;
     busy bigint[] := '{}';
     a jsonb;
     head_revision bigint;
     head_hash text;
   BEGIN
     FOR lock_key IN
       SELECT DISTINCT hashtextextended(x->>'stream', 0) AS k FROM jsonb_array_elements(appends) x ORDER BY k
     LOOP
       IF NOT pg_try_advisory_xact_lock(lock_key) THEN
         busy := busy || lock_key;
       END IF;
     END LOOP;
     FOR a IN SELECT x FROM jsonb_array_elements(appends) x LOOP
       idx := (a->>'i')::integer;
       last_position := NULL;
       last_revision := NULL;
       IF hashtextextended(a->>'stream', 0) = ANY (busy) THEN
         status := 'busy';
         RETURN NEXT;
         CONTINUE;
       END IF;
       SELECT e.stream_revision, e.metadata->>'hash' INTO head_revision, head_hash
         FROM events e WHERE e.stream_name = a->>'stream' ORDER BY e.stream_revision DESC LIMIT 1;
       IF NOT FOUND THEN
         head_revision := -1;
         head_hash := NULL;
       END IF;
       IF EXISTS (SELECT 1 FROM events e
                  WHERE e.event_id = ANY (ARRAY(SELECT jsonb_array_elements_text(a->'ids'))::uuid[])) THEN
         status := 'existing';
       ELSIF head_revision <> (a->>'headRevision')::bigint OR head_hash IS DISTINCT FROM (a->>'headHash') THEN
         status := 'stale';
       ELSE
         WITH inserted AS (
           INSERT INTO events (stream_name, stream_revision, event_id, type, schema_version, data, metadata)
           SELECT a->>'stream', r.stream_revision, r.event_id, r.type, r.schema_version, COALESCE(r.data, 'null'::jsonb), r.metadata
           FROM jsonb_to_recordset(a->'rows')
             AS r(stream_revision bigint, event_id uuid, type text, schema_version integer, data jsonb, metadata jsonb)
           ORDER BY r.stream_revision
           RETURNING events.global_position, events.stream_revision
         )
         SELECT max(w.global_position)::text, max(w.stream_revision)::text INTO last_position, last_revision FROM inserted w;
         status := 'written';
       END IF;
       RETURN NEXT;
     END LOOP;
   END
   $fn$`,
  `CREATE TABLE IF NOT EXISTS subscription_checkpoints (
     subscription_id text        PRIMARY KEY,
     -- Global position of the last event the subscriber handled.
     position        bigint      NOT NULL CHECK (position >= 0),
     updated_at      timestamptz NOT NULL DEFAULT now()
   )`,
  // Which categories each live store's subscriptions follow, so a writer NOTIFYs only when some
  // other store wants the hint (wake-interest.ts). NULL categories: every category.
  `CREATE TABLE IF NOT EXISTS wake_listeners (
     listener_id text        PRIMARY KEY,
     channel     text        NOT NULL,
     categories  text[],
     expires_at  timestamptz NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS wake_listeners_channel ON wake_listeners (channel)`,
];

/** Creates the tables and indexes when missing; safe to run concurrently and repeatedly. */
export async function ensureSchema(driver: SqlDriver): Promise<void> {
  await driver.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    for (const statement of schemaStatements) await tx.query(statement);
  });
}
