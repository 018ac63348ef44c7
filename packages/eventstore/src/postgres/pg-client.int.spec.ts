import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveComponent } from '@govsvc/testkit/infra';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { startTcpGate } from '@govsvc/testkit/tcp-gate';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { APPEND_SET } from '../sql/append-group.ts';
import { ensureSchema } from '../sql/schema.ts';
import { createPgDriver } from './pg-client.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pg driver: a connection lost inside a transaction (issue 9, pg-restart fault)', () => {
  let schema: IsolatedSchema;
  beforeAll(async () => {
    schema = await createIsolatedSchema('pg_client_lost');
  });
  afterAll(async () => {
    await schema.drop();
  });

  it('rejects the transaction instead of crashing the process, and the pool serves the next statement', async () => {
    const driver = createPgDriver({ connectionString: schema.connectionString, maxConnections: 2 });
    try {
      // The server ends the transaction's backend between two statements, as `pg_ctl restart -m immediate`
      // does to every connection: the client emits 'error' while checked out (unhandled, that is a crash).
      const lost = driver.transaction(async (tx) => {
        const [row] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await driver.query('SELECT pg_terminate_backend($1)', [row!.pid]);
        await sleep(300);
        await tx.query('SELECT 1');
      });
      await expect(lost).rejects.toThrow(/terminat|connection/i);
      expect(await driver.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await driver.close();
    }
  });
});

describe('pg driver: relaxed durability for checkpoint writes', () => {
  let schema: IsolatedSchema;
  beforeAll(async () => {
    schema = await createIsolatedSchema('pg_client_relaxed');
  });
  afterAll(async () => {
    await schema.drop();
  });

  it('runs a relaxed statement with synchronous_commit off and every other one with the server setting; both see the same data at once', async () => {
    const driver = createPgDriver({ connectionString: schema.connectionString, maxConnections: 2 });
    try {
      const setting = async (relaxed: boolean) =>
        (await driver.query<{ s: string }>('SELECT current_setting($1) AS s', ['synchronous_commit'], relaxed ? { durability: 'relaxed' } : undefined))[0]!.s;
      expect(await setting(true)).toBe('off');
      expect(await setting(false)).toBe('on');
      expect(await setting(true)).toBe('off');
      await driver.query('CREATE TABLE marks (id integer PRIMARY KEY, at integer NOT NULL)');
      await driver.query('INSERT INTO marks VALUES (1, 0)');
      const [row] = await driver.query<{ at: number }>('UPDATE marks SET at = 5 WHERE id = 1 AND at = 0 RETURNING at', [], { durability: 'relaxed' });
      expect(row!.at).toBe(5);
      expect(await driver.query('SELECT at FROM marks')).toEqual([{ at: 5 }]);
    } finally {
      await driver.close();
    }
  });
});

describe('pg driver: no parallel plans', () => {
  let schema: IsolatedSchema;
  beforeAll(async () => {
    schema = await createIsolatedSchema('pg_client_serial');
  });
  afterAll(async () => {
    await schema.drop();
  });

  it('opens every session, strict and relaxed, with parallel workers, sequential scans and JIT off, keeping the options the connection string had (its schema)', async () => {
    // A generic plan for readStreams' array parameter went parallel: two worker processes launched
    // per execution to read a dozen rows (pg-client.ts, SESSION_OPTIONS).
    const driver = createPgDriver({ connectionString: schema.connectionString, maxConnections: 2 });
    try {
      for (const durability of ['strict', 'relaxed'] as const) {
        const [row] = await driver.query<{ workers: string; seqscan: string; jit: string; schema: string }>(
          "SELECT current_setting('max_parallel_workers_per_gather') AS workers, current_setting('enable_seqscan') AS seqscan, current_setting('jit') AS jit, current_schema() AS schema",
          [],
          durability === 'relaxed' ? { durability } : undefined,
        );
        expect(row).toEqual({ workers: '0', seqscan: 'off', jit: 'off', schema: schema.schema });
      }
      // A query with no index to use scans at the disabled plan's price (10^10), which used to make
      // PostgreSQL compile it on every execution, 0.15–0.6 s for a few rows (on a server built with JIT).
      await driver.query('CREATE TABLE no_index_here (n integer)');
      await driver.query('INSERT INTO no_index_here VALUES (1), (2), (3)');
      const plan = await driver.query<{ 'QUERY PLAN': unknown }>('EXPLAIN (ANALYZE, FORMAT JSON) SELECT n FROM no_index_here WHERE n > 1');
      expect(JSON.stringify(plan)).toContain('10000000000');
      expect(JSON.stringify(plan)).not.toContain('"JIT"');
    } finally {
      await driver.close();
    }
  });
});

describe('pg driver: plans cached while the events table was small', () => {
  let schema: IsolatedSchema;
  beforeAll(async () => {
    schema = await createIsolatedSchema('pg_client_plans');
  });
  afterAll(async () => {
    await schema.drop();
  });

  it("keeps the group append's id check on its index when the plan was made on an empty table and the table then grew", async () => {
    // Seen in the intake hot-path bench: a connection's generic plan, made in the first seconds, scanned
    // the whole table for every append's ids until an ANALYZE invalidated it (pg-client.ts, SESSION_OPTIONS).
    const driver = createPgDriver({ connectionString: schema.connectionString, maxConnections: 1 });
    try {
      await ensureSchema(driver);
      const group = (n: number) => {
        const id = randomUUID();
        return JSON.stringify([
          {
            i: 0,
            stream: `plan-${n}`,
            headRevision: '-1',
            headHash: null,
            ids: [id],
            rows: [{ stream_revision: '0', event_id: id, type: 'Probed', schema_version: 1, data: { n }, metadata: { prevHash: null, hash: 'h' } }],
          },
        ]);
      };
      const plan = await driver.transaction(async (tx) => {
        // The plan is made on the first execution and kept, whatever the custom plans would have been.
        await tx.query('SET LOCAL plan_cache_mode = force_generic_plan');
        await tx.query(`PREPARE probe_append_set(jsonb) AS ${APPEND_SET.replace('$1::jsonb', '$1')}`);
        // EXECUTE takes no bind parameters: the group goes in as a literal.
        const literal = (n: number) => `'${group(n).replaceAll("'", "''")}'::jsonb`;
        for (let n = 0; n < 3; n++) await tx.query(`EXECUTE probe_append_set(${literal(n)})`);
        await tx.query(`INSERT INTO events (stream_name, stream_revision, event_id, type, schema_version, data, metadata)
          SELECT 'filler-' || (i / 10), i % 10, gen_random_uuid(), 'Filler', 1, '{}', '{}' FROM generate_series(1, 20000) AS i`);
        const rows = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE probe_append_set(${literal(99)})`);
        await tx.query('DEALLOCATE probe_append_set');
        throw Object.assign(new Error('roll back'), { plan: rows.map((r) => r['QUERY PLAN']).join('\n') });
      }).catch((error: { plan?: string }) => error.plan ?? String(error));
      expect(plan).toMatch(/events_event_id_key/);
      expect(plan).not.toMatch(/Seq Scan on events/);
    } finally {
      await driver.close();
    }
  });
});

describe('pg driver: LISTEN across a server that is away for a while', () => {
  let schema: IsolatedSchema;
  beforeAll(async () => {
    schema = await createIsolatedSchema('pg_client_listen');
  });
  afterAll(async () => {
    await schema.drop();
  });

  it('keeps trying to listen again while the server refuses, wakes everybody when it listens again, and gets the next notification', async () => {
    const direct = new URL(schema.connectionString);
    const gate = await startTcpGate({ host: direct.hostname, port: Number(direct.port || 5432) });
    const gated = new URL(schema.connectionString);
    gated.hostname = '127.0.0.1';
    gated.port = String(gate.port);
    const driver = createPgDriver({ connectionString: gated.toString(), listenRetryMs: 100 });
    const notifier = createPgDriver({ connectionString: schema.connectionString, maxConnections: 1 });
    const channel = `listen_${schema.schema}`.slice(0, 63);
    const heard: string[] = [];
    const hear = async (payload: string) => {
      for (let i = 0; i < 100 && !heard.includes(payload); i++) {
        await notifier.query('SELECT pg_notify($1, $2)', [channel, payload]);
        await sleep(50);
      }
      return heard.includes(payload);
    };
    const stop = await driver.listen(channel, (payload) => heard.push(payload));
    try {
      expect(await hear('before')).toBe(true);
      await gate.shut(); // the listener's connection is cut, and every reconnect is refused
      await sleep(600); // several refused attempts at 100 ms
      const wakesWhileAway = heard.filter((p) => p === '').length;
      expect(wakesWhileAway).toBe(1); // the cut woke everybody once
      await gate.open();
      expect(await hear('after')).toBe(true);
      // Listening again woke everybody once more: what committed while no one listened notified no one.
      expect(heard.filter((p) => p === '').length).toBe(wakesWhileAway + 1);
    } finally {
      await stop();
      await driver.close();
      await notifier.close();
      await gate.stop();
    }
  });
});

describe("pg driver: column parsing of its own, not pg's process-wide registry", () => {
  it('reads json, jsonb, numbers and booleans the same after another library replaced the global parsers', async () => {
    // What emmett-postgresql's dumbo does on load: global parsers for int8 and json/jsonb.
    const saved = [20, 114, 3802].map((oid) => [oid, pg.types.getTypeParser(oid, 'text')] as const);
    // Literals only: no table, so no schema of its own.
    const driver = createPgDriver({ connectionString: await resolveComponent('postgres'), maxConnections: 1 });
    try {
      for (const [oid] of saved) pg.types.setTypeParser(oid, () => 'replaced');
      const [row] = await driver.query<Record<string, unknown>>(
        `SELECT '{"a":[1,2]}'::jsonb AS jb, '{"b":true}'::json AS j, 7::int4 AS i, 9::int8 AS big, 1.5::float8 AS f, true AS t, false AS n, 'x'::text AS s`,
      );
      expect(row).toEqual({ jb: { a: [1, 2] }, j: { b: true }, i: 7, big: '9', f: 1.5, t: true, n: false, s: 'x' });
    } finally {
      for (const [oid, parser] of saved) pg.types.setTypeParser(oid, parser);
      await driver.close();
    }
  });
});
