/**
 * The set-based group append (ADR 0006): a group of appends to distinct streams, each planned
 * and hashed by the store from its cached stream head, judged and written by one `INSERT …
 * SELECT` instead of `govsvc_append_planned`'s PL/pgSQL loop, which ran three statements per
 * append (head read, id check, insert). Same checks, same answers per append:
 *
 * - the stream's advisory lock is tried, never waited for (`busy`: a locked-path writer of the
 *   stream is mid-append elsewhere, ADR 0004);
 * - none of the append's ids is stored (`existing`);
 * - the stream's head is the one the append was planned on (`stale`).
 *
 * One difference: the statement has one snapshot, taken before the locks are tried, where the
 * function's statements each took a fresh one after. A writer that commits in between is not
 * seen by the head check, but it cannot fork a chain: revisions are immutable, so the head seen
 * is still that row, and if the late writer wrote the next revision too, the (stream, revision)
 * unique constraint fails the whole statement, which rolls back; the store then redoes each
 * append on the locked path. Tailers' order holds (ADR 0002): a revision is written only when
 * the snapshot saw its predecessor committed, and the statement's transaction gets its id at
 * its first insert, after that snapshot. Because of the single snapshot, the store sends here
 * only groups whose streams are distinct and not in another group in flight; the others go
 * through the function, which sees its own earlier inserts.
 */

// Its input is the function's (`govsvc_append_planned`): per append i, stream, headRevision (-1 for a new
// stream), headHash, ids and rows, in a JSON array ($1). The head is compared as one "<revision> <hash>"
// text, so it costs one index probe. No NOTIFY: the store sends the hint after the commit (wake-notifier.ts).
//
// `input` calls a volatile function, so PostgreSQL evaluates it once (each lock tried once);
// `judged` is referenced twice, so it is materialized: the insert and the answer agree.
export const APPEND_SET = `WITH input AS (
  SELECT a.i, a.stream, a.ids, a.rows,
         CASE WHEN a."headRevision" < 0 THEN NULL ELSE a."headRevision"::text || ' ' || coalesce(a."headHash", '') END AS head,
         pg_try_advisory_xact_lock(hashtextextended(a.stream, 0)) AS locked
  FROM jsonb_to_recordset($1::jsonb) AS a(i integer, stream text, "headRevision" bigint, "headHash" text, ids uuid[], rows jsonb)
),
judged AS (
  SELECT input.i, input.stream, input.rows,
         CASE WHEN NOT input.locked THEN 'busy'
              WHEN EXISTS (SELECT 1 FROM events e WHERE e.event_id = ANY (input.ids)) THEN 'existing'
              WHEN (SELECT e.stream_revision::text || ' ' || coalesce(e.metadata->>'hash', '') FROM events e
                    WHERE e.stream_name = input.stream ORDER BY e.stream_revision DESC LIMIT 1) IS DISTINCT FROM input.head THEN 'stale'
              ELSE 'written' END AS status
  FROM input
),
inserted AS (
  INSERT INTO events (stream_name, stream_revision, event_id, type, schema_version, data, metadata)
  SELECT j.stream, r.stream_revision, r.event_id, r.type, r.schema_version, coalesce(r.data, 'null'::jsonb), r.metadata
  FROM judged j
  CROSS JOIN LATERAL jsonb_to_recordset(j.rows)
    AS r(stream_revision bigint, event_id uuid, type text, schema_version integer, data jsonb, metadata jsonb)
  WHERE j.status = 'written'
  ORDER BY j.i, r.stream_revision
  RETURNING events.stream_name, events.global_position, events.stream_revision
),
last AS (
  SELECT w.stream_name, max(w.global_position) AS position, max(w.stream_revision) AS revision FROM inserted w GROUP BY w.stream_name
)
SELECT j.i AS idx, j.status, l.position::text AS last_position, l.revision::text AS last_revision
FROM judged j LEFT JOIN last l ON l.stream_name = j.stream`;
