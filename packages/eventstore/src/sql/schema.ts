/**
 * The event store's tables, Message DB style: one `events` table is the
 * log, the outbox and the audit trail. Every statement is idempotent, so
 * `ensureSchema` runs at every start; an advisory lock keeps two processes
 * starting together from racing on CREATE.
 */
import type { SqlDriver } from './executor.ts';

// Arbitrary constant: the advisory lock key that serializes migrations of this schema.
const MIGRATION_LOCK = 7_301_202_611;

export const schemaStatements: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS events (
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
   )`,
  `CREATE INDEX IF NOT EXISTS events_commit_order ON events (transaction_id, global_position)`,
  `CREATE TABLE IF NOT EXISTS subscription_checkpoints (
     subscription_id text        PRIMARY KEY,
     -- Global position of the last event the subscriber handled.
     position        bigint      NOT NULL CHECK (position >= 0),
     updated_at      timestamptz NOT NULL DEFAULT now()
   )`,
];

/** Creates the tables and indexes when missing; safe to run concurrently and repeatedly. */
export async function ensureSchema(driver: SqlDriver): Promise<void> {
  await driver.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    for (const statement of schemaStatements) await tx.query(statement);
  });
}
