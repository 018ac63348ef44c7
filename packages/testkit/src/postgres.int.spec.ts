import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIsolatedSchema, type IsolatedSchema } from './postgres.ts';

describe('testkit: PostgreSQL through the testkit', () => {
  let first: IsolatedSchema;
  let second: IsolatedSchema;
  beforeAll(async () => {
    first = await createIsolatedSchema('pg-connectivity');
    second = await createIsolatedSchema('pg-connectivity');
  });
  afterAll(async () => {
    await first.drop();
    await second.drop();
  });

  it('connects to the real server and pins each connection to its own schema', async () => {
    const a = new pg.Client({ connectionString: first.connectionString });
    const b = new pg.Client({ connectionString: second.connectionString });
    await a.connect();
    await b.connect();
    try {
      await a.query('CREATE TABLE probe (v int)');
      await a.query('INSERT INTO probe VALUES (1)');
      await b.query('CREATE TABLE probe (v int)');
      expect((await a.query('SELECT current_schema() AS s')).rows[0].s).toBe(first.schema);
      expect((await a.query('SELECT count(*)::int AS n FROM probe')).rows[0].n).toBe(1);
      expect((await b.query('SELECT count(*)::int AS n FROM probe')).rows[0].n).toBe(0);
      const version = (await a.query('SHOW server_version')).rows[0].server_version as string;
      expect(Number.parseInt(version, 10)).toBeGreaterThanOrEqual(13);
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('drop() removes the schema and its tables', async () => {
    const extra = await createIsolatedSchema('pg-drop');
    await extra.drop();
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [extra.schema]);
      expect(rows).toHaveLength(0);
    } finally {
      await client.end();
    }
  });
});
