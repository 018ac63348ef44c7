/**
 * How the events table compresses what it stores (schema.ts EVENTS_COMPRESSION). A new table gets
 * lz4 for data and metadata where the server has it; a table made before (pglz) is switched at the
 * next start, its old rows read back and verify unchanged, and new large rows are stored with lz4.
 * Where the server lacks lz4 the statement leaves the default and the store still opens.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { verifyStream } from '../audit/verify.ts';
import { EVENTS_COMPRESSION, schemaStatements } from '../sql/schema.ts';
import { newEvent, uniqueStream } from '../test-fixtures.ts';
import { createPostgresEventStore } from './postgres-event-store.ts';

/** Data well over PostgreSQL's ~2 KB threshold, so the row is compressed when stored. */
const largeData = (seed: string) => ({ seed, materials: Array.from({ length: 40 }, (_, i) => ({ materialId: `m-${i}`, name: `材料 ${i} ${seed}`, form: 'electronic' })) });

describe('event data compression (PostgreSQL)', () => {
  let schema: IsolatedSchema;
  let admin: pg.Client;
  let lz4Available = false;

  const columnCompression = async (): Promise<Record<string, string>> => {
    const { rows } = await admin.query<{ attname: string; attcompression: string }>(
      `SELECT attname, attcompression FROM pg_attribute WHERE attrelid = $1::regclass AND attname IN ('data', 'metadata') ORDER BY attname`,
      [`"${schema.schema}".events`],
    );
    return Object.fromEntries(rows.map((r) => [r.attname, r.attcompression]));
  };
  /** The method each stored value of the stream was compressed with (null: stored uncompressed). */
  const storedMethods = async (stream: string): Promise<(string | null)[]> => {
    const { rows } = await admin.query<{ method: string | null }>(
      `SELECT pg_column_compression(data) AS method FROM "${schema.schema}".events WHERE stream_name = $1 ORDER BY stream_revision`,
      [stream],
    );
    return rows.map((r) => r.method);
  };

  beforeAll(async () => {
    schema = await createIsolatedSchema('eventstore_compression');
    admin = new pg.Client({ connectionString: schema.connectionString });
    await admin.connect();
    const { rows } = await admin.query<{ enumvals: string[] }>(`SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'`);
    lz4Available = rows[0]!.enumvals.includes('lz4');
    // The schema as the previous release made it: data and metadata with the server's default (pglz).
    for (const statement of schemaStatements) if (statement !== EVENTS_COMPRESSION) await admin.query(statement);
  });

  afterAll(async () => {
    await admin?.end();
    await schema?.drop();
  });

  it('switches an existing pglz table to lz4 on start; old rows stay readable and verify, new rows use lz4', async () => {
    expect(await columnCompression()).toEqual({ data: '', metadata: '' });
    const oldStream = uniqueStream('application');
    const oldEvents = [newEvent('ApplicationSubmitted', largeData('before'))];
    const before = await createPostgresEventStore({ connectionString: schema.connectionString, skipSchema: true });
    try {
      await before.appendToStream(oldStream, oldEvents, { expectedRevision: 'no_stream' });
    } finally {
      await before.close();
    }
    expect(await storedMethods(oldStream)).toEqual(['pglz']);

    const store = await createPostgresEventStore({ connectionString: schema.connectionString });
    try {
      const expected = lz4Available ? 'l' : '';
      expect(await columnCompression()).toEqual({ data: expected, metadata: expected });

      const newStream = uniqueStream('application');
      await store.appendToStream(newStream, [newEvent('ApplicationSubmitted', largeData('after'))], { expectedRevision: 'no_stream' });
      await store.appendToStream(newStream, [newEvent('ApplicationSubmitted', largeData('after-2'))], { expectedRevision: 0n });
      expect(await storedMethods(newStream)).toEqual(lz4Available ? ['lz4', 'lz4'] : ['pglz', 'pglz']);

      // Old pglz rows and new lz4 rows read back as written, and both chains verify.
      const old = await store.readStream(oldStream);
      expect(old.map((e) => e.data)).toEqual(oldEvents.map((e) => e.data));
      expect((await store.readStream(newStream)).map((e) => (e.data as { seed: string }).seed)).toEqual(['after', 'after-2']);
      expect((await verifyStream(store, oldStream)).ok).toBe(true);
      expect((await verifyStream(store, newStream)).ok).toBe(true);
    } finally {
      await store.close();
    }
  });
});
