/**
 * PostgreSQL isolation: each test file gets its own schema, so suites run in
 * parallel and re-run cleanly. The returned connection string pins
 * `search_path` to that schema, so code under test needs no schema awareness.
 */
import pg from 'pg';
import { resolveComponent } from './infra.ts';
import { uniqueName } from './unique.ts';

export interface IsolatedSchema {
  readonly connectionString: string;
  readonly schema: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

export function withSearchPath(connectionString: string, schema: string): string {
  const url = new URL(connectionString);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

export async function createIsolatedSchema(label: string): Promise<IsolatedSchema> {
  const base = await resolveComponent('postgres');
  const schema = `t_${uniqueName(label)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await admin.end();
  }
  return {
    connectionString: withSearchPath(base, schema),
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
