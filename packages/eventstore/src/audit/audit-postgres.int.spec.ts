/**
 * Tampering done the way an insider would: SQL straight against the events
 * table, bypassing the store. One stream per kind of tampering; the audit must
 * name each one, and nothing in the untouched streams.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import type { StoredEvent } from '../port.ts';
import { createPostgresEventStore } from '../postgres/postgres-event-store.ts';
import { rowToEvent, type SqlEventStore } from '../sql/sql-event-store.ts';
import { newEvents } from '../test-fixtures.ts';
import { generateAuditKeyPair, type AuditCheckpoint } from './audit-checkpoint.ts';
import { createAuditCheckpointer } from './checkpointer.ts';
import { createFileCheckpointSink } from './file-checkpoint-sink.ts';
import { computeEventHash } from './hash-chain.ts';
import { verifyAll, verifyStream, type AuditReport } from './verify.ts';

const key = generateAuditKeyPair('audit-int-1');
const keys = { [key.keyId]: key.publicKeyPem };

describe('audit chain against tampering in PostgreSQL', () => {
  let schema: IsolatedSchema;
  let store: SqlEventStore;
  let dir: string;
  let checkpoint: AuditCheckpoint;
  let untouched: AuditReport;
  let report: AuditReport;
  const ids: Record<string, string[]> = {};
  let forgedId: string;

  const sql = (text: string, params: unknown[] = []) => store.driver.query(text, params);
  /** What the database holds, read as raw rows (not through the store's reads). */
  const rawEvents = async (): Promise<StoredEvent[]> => {
    const events: StoredEvent[] = [];
    for (let after = 0n; ; ) {
      const rows = await store.readRows(after, 500);
      events.push(...rows.map(rowToEvent));
      if (rows.length < 500) return events;
      after = BigInt(rows[rows.length - 1]!.global_position);
    }
  };
  const problemOf = (stream: string) => report.problems.filter((p) => p.stream === stream);

  beforeAll(async () => {
    schema = await createIsolatedSchema('eventstore_audit');
    store = await createPostgresEventStore({ connectionString: schema.connectionString, pollIntervalMs: 50 });
    dir = await mkdtemp(join(tmpdir(), 'govsvc-audit-int-'));
    for (const name of ['clean', 'altered', 'removed', 'inserted', 'reordered', 'truncated', 'deleted', 'rewritten']) {
      const stream = `application-${name}`;
      await store.appendToStream(stream, newEvents(5), { expectedRevision: 'no_stream' });
      ids[stream] = (await store.readStream(stream)).map((e) => e.id);
    }
    const sink = createFileCheckpointSink(join(dir, 'checkpoints.jsonl'));
    const checkpointer = createAuditCheckpointer({ store, sink, signingKey: { keyId: key.keyId, privateKey: key.privateKeyPem } });
    await checkpointer.start();
    checkpoint = await checkpointer.checkpointNow();
    await checkpointer.stop();
    await store.appendToStream('application-late', newEvents(2), { expectedRevision: 'no_stream' }); // after the checkpoint
    untouched = await verifyAll(await rawEvents(), { checkpoint: await sink.latest(), keys });

    // UPDATE: change the data of a middle event.
    await sql(`UPDATE events SET data = '{"n": 99}' WHERE stream_name = 'application-altered' AND stream_revision = 2`);
    // DELETE: remove a middle event.
    await sql(`DELETE FROM events WHERE stream_name = 'application-removed' AND stream_revision = 2`);
    // INSERT: make room at revision 2 and forge an event there, hash and prevHash computed correctly.
    await sql(`UPDATE events SET stream_revision = stream_revision + 1000 WHERE stream_name = 'application-inserted' AND stream_revision >= 2`);
    await sql(`UPDATE events SET stream_revision = stream_revision - 999 WHERE stream_name = 'application-inserted' AND stream_revision >= 1000`);
    const [before] = await store.readStream('application-inserted', { fromRevision: 1n, maxCount: 1 });
    forgedId = randomUUID();
    const forged = {
      id: forgedId,
      stream: 'application-inserted',
      revision: 2n,
      type: 'CaseAccepted',
      schemaVersion: 1,
      data: { acceptedBy: 'nobody' },
      metadata: { correlationId: 'forged', actor: { id: 'intruder', role: 'window-clerk' } },
    };
    const hash = computeEventHash(forged, before!.metadata.hash);
    await sql(
      `INSERT INTO events (stream_name, stream_revision, event_id, type, schema_version, data, metadata)
       VALUES ($1, 2, $2, $3, 1, $4::jsonb, $5::jsonb)`,
      [forged.stream, forged.id, forged.type, JSON.stringify(forged.data), JSON.stringify({ ...forged.metadata, prevHash: before!.metadata.hash, hash })],
    );
    // Swap two events' revisions (through a free revision: the unique key is checked row by row).
    await sql(`UPDATE events SET stream_revision = 1000 WHERE stream_name = 'application-reordered' AND stream_revision = 1`);
    await sql(`UPDATE events SET stream_revision = 1 WHERE stream_name = 'application-reordered' AND stream_revision = 2`);
    await sql(`UPDATE events SET stream_revision = 2 WHERE stream_name = 'application-reordered' AND stream_revision = 1000`);
    // Delete the last events of a stream: its own chain stays consistent.
    await sql(`DELETE FROM events WHERE stream_name = 'application-truncated' AND stream_revision >= 3`);
    // Delete a whole stream.
    await sql(`DELETE FROM events WHERE stream_name = 'application-deleted'`);
    // Rewrite history and re-hash the whole chain after it: only the signed checkpoint can tell.
    const history = await store.readStream('application-rewritten');
    let prevHash: string | null = null;
    for (const event of history) {
      const data = event.revision === 1n ? { n: 'rewritten' } : event.data;
      const rehash = computeEventHash({ ...event, data }, prevHash);
      await sql(`UPDATE events SET data = $1::jsonb, metadata = $2::jsonb WHERE event_id = $3`, [
        JSON.stringify(data),
        JSON.stringify({ ...event.metadata, prevHash, hash: rehash }),
        event.id,
      ]);
      prevHash = rehash;
    }
    report = await verifyAll(await rawEvents(), { checkpoint: await sink.latest(), keys });
  });

  afterAll(async () => {
    await store?.close();
    await schema?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds nothing before the tampering (no false alarms), events after the checkpoint included', () => {
    expect(untouched).toMatchObject({ ok: true, problems: [], streams: 9, events: 42 });
    expect(untouched.checkpoint).toMatchObject({ sequence: 1, keyId: key.keyId });
    expect(checkpoint.eventCount).toBe(40);
  });

  it('UPDATE of a row: names the altered event', () => {
    expect(problemOf('application-altered')).toEqual([
      expect.objectContaining({ kind: 'altered', revision: 2n, eventId: ids['application-altered']![2] }),
    ]);
  });

  it('DELETE of a middle row: names the revision gap', () => {
    expect(problemOf('application-removed')).toEqual([
      expect.objectContaining({ kind: 'removed', revision: 2n, message: expect.stringContaining('revision 2 is missing') }),
    ]);
  });

  it('INSERT of a forged row with a correct hash: names the inserted event', () => {
    expect(problemOf('application-inserted')).toEqual([expect.objectContaining({ kind: 'inserted', revision: 2n, eventId: forgedId })]);
  });

  it("swapping two rows' revisions: names the reordering", () => {
    expect(problemOf('application-reordered')).toEqual([
      expect.objectContaining({ kind: 'reordered', revision: 1n, eventId: ids['application-reordered']![2] }),
    ]);
  });

  it('deleting the last events of a stream: the signed checkpoint names the stream and how many', () => {
    expect(problemOf('application-truncated')).toEqual([
      expect.objectContaining({ kind: 'truncated', revision: 3n, message: expect.stringContaining('2 event(s) removed from its end') }),
    ]);
  });

  it('deleting a whole stream: the signed checkpoint names it', () => {
    expect(problemOf('application-deleted')).toEqual([expect.objectContaining({ kind: 'stream-removed', message: expect.stringContaining('5 event(s)') })]);
  });

  it('rewriting and re-hashing a history: the signed checkpoint names it', () => {
    expect(problemOf('application-rewritten')).toEqual([expect.objectContaining({ kind: 'rewritten', revision: 4n })]);
  });

  it('leaves the untouched streams alone and reports the first problem in global order', () => {
    expect(problemOf('application-clean')).toEqual([]);
    expect(problemOf('application-late')).toEqual([]);
    expect(report.problems).toHaveLength(7);
    expect(report.first).toMatchObject({ kind: 'altered', stream: 'application-altered' });
  });

  it('verifyStream through the store names the same first event', async () => {
    expect((await verifyStream(store, 'application-altered')).first).toMatchObject({ kind: 'altered', revision: 2n });
    expect((await verifyStream(store, 'application-clean')).ok).toBe(true);
  });
});
