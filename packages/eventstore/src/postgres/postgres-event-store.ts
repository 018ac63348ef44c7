/**
 * The event store on a PostgreSQL server through `pg` (the shared SQL layer
 * over the pg driver). `ensureSchema` runs on creation unless told otherwise.
 */
import { createSqlEventStore, type SqlEventStore, type SqlEventStoreOptions } from '../sql/sql-event-store.ts';
import { createPgDriver, type PgDriverOptions } from './pg-client.ts';

export type PostgresEventStoreOptions = PgDriverOptions & Omit<SqlEventStoreOptions, 'ownsDriver'>;

export async function createPostgresEventStore(options: PostgresEventStoreOptions): Promise<SqlEventStore> {
  const driver = createPgDriver(options);
  try {
    return await createSqlEventStore(driver, options);
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw error;
  }
}
