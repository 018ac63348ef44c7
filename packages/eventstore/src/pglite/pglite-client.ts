/**
 * The only module that imports `@electric-sql/pglite`: PostgreSQL compiled to
 * WebAssembly, in-process, persisted in a data folder. One connection: PGlite
 * runs statements one at a time, so appends serialize and a transaction holds
 * everyone else until it ends (the shared SQL never nests a query outside it).
 */
import { PGlite } from '@electric-sql/pglite';
import type { SqlDriver, SqlExecutor } from '../sql/executor.ts';

export interface PgliteDriverOptions {
  /** Folder holding the database; created when missing. `memory://` for a throwaway one. */
  readonly dataDir: string;
}

interface Queryable {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

const executorOf = (db: Queryable): SqlExecutor => ({
  async query<Row>(text: string, params?: readonly unknown[]) {
    const result = await db.query<Row>(text, params as unknown[] | undefined);
    return result.rows;
  },
});

export async function createPgliteDriver(options: PgliteDriverOptions): Promise<SqlDriver> {
  const db = await PGlite.create(options.dataDir);
  const executor = executorOf(db);
  return {
    ...executor,
    // Outside db.transaction a statement is its own transaction (and waits for a running one).
    atomic: executor.query,
    transaction: (work) => db.transaction((tx) => work(executorOf(tx))),
    async listen(channel, onNotify) {
      const unlisten = await db.listen(channel, (payload) => onNotify(payload ?? ''));
      return async () => {
        if (!db.closed) await unlisten();
      };
    },
    async close() {
      if (!db.closed) await db.close();
    },
  };
}
