/**
 * The lone-event append: a group of one append of one event, planned and hashed by the store
 * from its cached stream head, judged and written by one plain `INSERT … SELECT` with the row's
 * columns as parameters. It is the commonest append of all (one command, one event, an idle
 * store) and the one a single writer waits on: `govsvc_append_planned` pays, for this one row,
 * a PL/pgSQL call, a JSON document parsed and taken apart again, and three statements; here
 * PostgreSQL parses only the data and metadata, as a bare INSERT does (ADR 0006, addendum 3).
 *
 * Same checks and answers as the two group statements (`append-group.ts`): the stream's advisory
 * lock is tried, never waited for (`busy`); the event id must not be stored (`existing`); the
 * head must be the one the append was planned on (`stale`). Like the set-based statement it has
 * one snapshot, so the store sends here only an append whose stream is in no other statement in
 * flight; the argument of append-group.ts for why one snapshot cannot fork a chain holds as is.
 *
 * $1 stream, $2 head as "<revision> <hash>" (null for a new stream), $3 revision, $4 event id,
 * $5 type, $6 schema version, $7 data, $8 metadata (JSON text). No NOTIFY here: the store sends
 * the wake-up hint after the commit (wake-notifier.ts).
 */
export const APPEND_ONE = `WITH guard AS (
  SELECT pg_try_advisory_xact_lock(hashtextextended($1::text, 0)) AS locked,
         EXISTS (SELECT 1 FROM events e WHERE e.event_id = $4::uuid) AS existing,
         (SELECT e.stream_revision::text || ' ' || coalesce(e.metadata->>'hash', '') FROM events e
           WHERE e.stream_name = $1::text ORDER BY e.stream_revision DESC LIMIT 1) AS head
),
inserted AS (
  INSERT INTO events (stream_name, stream_revision, event_id, type, schema_version, data, metadata)
  SELECT $1::text, $3::bigint, $4::uuid, $5::text, $6::integer, $7::jsonb, $8::jsonb
  FROM guard g WHERE g.locked AND NOT g.existing AND g.head IS NOT DISTINCT FROM $2::text
  RETURNING global_position, stream_revision
)
SELECT 0 AS idx,
       CASE WHEN NOT g.locked THEN 'busy' WHEN g.existing THEN 'existing' WHEN i.global_position IS NULL THEN 'stale' ELSE 'written' END AS status,
       i.global_position::text AS last_position, i.stream_revision::text AS last_revision
FROM guard g LEFT JOIN inserted i ON true`;
