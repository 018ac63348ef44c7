/**
 * The only module that imports `pg`: a pool for statements and transactions,
 * and one dedicated connection for LISTEN (a pooled connection could be handed
 * to a writer mid-notification). Everything above it speaks `SqlDriver`.
 */
import pg from 'pg';
import type { QueryOptions, SqlDriver, SqlExecutor } from '../sql/executor.ts';

export interface PgDriverOptions {
  readonly connectionString: string;
  /** Pool size (default 10). */
  readonly maxConnections?: number;
  /** Fail a checkout after this long instead of queueing forever (default 10 s). */
  readonly connectionTimeoutMs?: number;
  /** Delay before re-establishing a dropped LISTEN connection (default 1 s). */
  readonly listenRetryMs?: number;
}

const executorOf = (client: pg.PoolClient | pg.Pool): SqlExecutor => ({
  async query<Row>(text: string, params?: readonly unknown[], options?: QueryOptions) {
    // A named statement is parsed and planned once per connection (hot paths: append, reads, tailing).
    const result = options?.name
      ? await client.query({ name: options.name, text, values: params as unknown[] | undefined })
      : await client.query(text, params as unknown[] | undefined);
    return result.rows as Row[];
  },
});

/**
 * Session settings of every pooled connection. The store's statements each read or write a few
 * rows through an index. A prepared statement runs on a generic plan after five executions, and
 * for an array parameter (`stream_name = ANY($1)`: readStreams, 250 streams at most) that plan
 * guesses tens of thousands of rows and goes parallel: every execution then launched two worker
 * processes to read a dozen rows, 18–20 ms where the index scan takes 0.3 ms. Measured in the
 * megacity day with pg_stat_statements: that one statement was 31 % of PostgreSQL's time.
 *
 * Sequential scans are off for the same reason. A generic plan is made once per connection and
 * kept, and a connection that made it while the events table was still small (a new deployment,
 * the first seconds of a bench) chose a sequential scan for the append's id check
 * (`event_id = ANY(ids)`), cheaper on a few pages. It then scanned the whole table on every
 * append until an ANALYZE happened to invalidate the plan: intake's POST fell from ~2,400 to
 * ~800 requests/s in about half the hot-path runs, with PostgreSQL busy in `heapgetpage` and
 * `uuid_eq`. Every statement of the store has an index to use, so no plan here needs a sequential scan.
 *
 * JIT is off because of that. A statement that has no index to use (a new query on a small table)
 * still scans sequentially, priced at the 10^10 that marks a disabled plan, far above `jit_above_cost`,
 * and PostgreSQL then compiled it with inlining and optimization on every execution: a 7-row scan of a
 * table tried on 2026-11-29 took 0.15–0.6 s each time, nearly all of it JIT (auto_explain), and doubled
 * the day's PostgreSQL CPU. These statements read a few rows; compiling never pays for them.
 */
const SESSION_OPTIONS = '-c max_parallel_workers_per_gather=0 -c enable_seqscan=off -c jit=off';

/**
 * How this driver's connections turn column text into values, fixed here for the types the store's
 * SQL returns, instead of pg's process-wide registry. Any library in the same process may replace a
 * parser there, and one did: emmett-postgresql (via dumbo) sets json/jsonb to `JSON.parse` with a
 * reviver for big integers and int8 to BigInt, which halved every read of ours once it had been
 * loaded (measured in `pnpm bench`, 2026-11-27: a full replay at 114,000 events/s instead of
 * 197,000–208,000). Other types fall back to the registry.
 */
const parseBoolean = (text: string): boolean => text === 't';
const parseInteger = (text: string): number => Number.parseInt(text, 10);
const OWN_TEXT_PARSERS = new Map<number, (text: string) => unknown>([
  [16, parseBoolean], // bool
  [20, (text: string) => text], // int8: text, as pg's default (the store casts its bigints to text anyway)
  [21, parseInteger], // int2
  [23, parseInteger], // int4
  [700, Number.parseFloat], // float4
  [701, Number.parseFloat], // float8
  [114, JSON.parse], // json
  [3802, JSON.parse], // jsonb
]);
export const PG_TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if ((format ?? 'text') === 'text') {
      const own = OWN_TEXT_PARSERS.get(oid);
      if (own !== undefined) return own;
    }
    return pg.types.getTypeParser(oid, format as 'text') as (value: string) => unknown;
  },
} as pg.CustomTypesConfig;

export function createPgDriver(options: PgDriverOptions): SqlDriver {
  // A URL carries startup options; a key=value connection string keeps the server's defaults.
  const connectionString = withSessionOption(options.connectionString, SESSION_OPTIONS) ?? options.connectionString;
  const pool = new pg.Pool({
    connectionString,
    types: PG_TYPES,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
  });
  // An idle pooled connection that dies (server restart) must not crash the process;
  // the next checkout reconnects and a failing query surfaces as UnavailableError.
  pool.on('error', () => undefined);
  const listeners = new Set<pg.Client>();

  // Statements that may commit without waiting for the WAL flush (QueryOptions.durability) get a
  // small pool of their own whose sessions say so: a checkpoint write then costs no fsync, and
  // does not queue behind the appends' flushes.
  const strictExecutor = executorOf(pool);
  let relaxedPool: pg.Pool | null = null;
  let relaxed: SqlExecutor | null = null;
  const relaxedExecutor = (): SqlExecutor => {
    if (!relaxed) {
      // A startup option rather than a SET after connecting: the session has it before any statement.
      const relaxedConnectionString = withSessionOption(connectionString, '-c synchronous_commit=off');
      if (relaxedConnectionString === null) return strictExecutor; // not a URL: stay strict rather than guess
      relaxedPool = new pg.Pool({ connectionString: relaxedConnectionString, types: PG_TYPES, max: 2, connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000 });
      relaxedPool.on('error', () => undefined);
      relaxed = executorOf(relaxedPool);
    }
    return relaxed;
  };
  const poolExecutor: SqlExecutor = {
    query: (text, params, queryOptions) =>
      queryOptions?.durability === 'relaxed' ? relaxedExecutor().query(text, params, queryOptions) : strictExecutor.query(text, params, queryOptions),
  };
  return {
    ...poolExecutor,
    // A pooled statement outside BEGIN is its own transaction: one round trip, one commit.
    atomic: poolExecutor.query,

    async transaction(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A checked-out connection that dies between statements (server restart, terminated backend) emits
      // 'error' on the client, which the pool does not listen to while it is checked out: unhandled, it
      // would crash the process. The next statement then fails and surfaces as UnavailableError instead.
      const onLost = (error: Error) => {
        broken = error;
      };
      client.on('error', onLost);
      try {
        await client.query('BEGIN');
        const result = await work(executorOf(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error; // the connection is unusable: drop it from the pool
        }
        throw error;
      } finally {
        client.off('error', onLost);
        client.release(broken);
      }
    },

    async listen(channel, onNotify) {
      let stopped = false;
      let current: pg.Client | null = null;
      // Until it listens again: a reconnect that fails (the server still restarting) tries again later,
      // where it used to give up and leave the subscriptions polling for good.
      const reconnectLater = (): void => {
        if (stopped) return;
        setTimeout(() => void connect(true).catch(reconnectLater), options.listenRetryMs ?? 1_000).unref();
      };
      const connect = async (reconnect = false): Promise<void> => {
        const client = new pg.Client({ connectionString: options.connectionString, types: PG_TYPES });
        client.on('notification', (message) => {
          if (message.channel === channel) onNotify(message.payload ?? '');
        });
        let listening = false;
        client.on('error', () => {
          // Before LISTEN took effect the failure is the caller's (the catch below): one retry, not two.
          if (!listening) return;
          listening = false;
          listeners.delete(client);
          void client.end().catch(() => undefined);
          if (stopped) return;
          // Reconnect later; meanwhile subscriptions poll. Wake them once so nothing waits a full interval.
          reconnectLater();
          onNotify('');
        });
        try {
          await client.connect();
          await client.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
        } catch (error) {
          void client.end().catch(() => undefined);
          throw error;
        }
        if (stopped) {
          await client.end();
          return;
        }
        listening = true;
        current = client;
        listeners.add(client);
        // What was committed while no one listened sent its hint to no one: wake everybody once more.
        if (reconnect) onNotify('');
      };
      await connect();
      return async () => {
        stopped = true;
        const client = current;
        current = null;
        if (client) {
          listeners.delete(client);
          await client.end().catch(() => undefined);
        }
      };
    },

    async close() {
      await Promise.all([...listeners].map((client) => client.end().catch(() => undefined)));
      listeners.clear();
      await Promise.all([pool.end(), (relaxedPool as pg.Pool | null)?.end()]);
    },
  };
}

/** The URL with `option` added to its `options` startup parameter (kept with any already there, e.g. a search_path); null if it is not a URL. */
function withSessionOption(connectionString: string, option: string): string | null {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return null;
  }
  const prior = url.searchParams.get('options');
  url.searchParams.set('options', prior ? `${prior} ${option}` : option);
  return url.toString();
}
