/**
 * The embedded event store for the standalone mode: the same SQL as the
 * PostgreSQL adapter, on PGlite, persisted in a data folder the caller owns.
 * One process per folder: PGlite is a single in-process database.
 */
import { createSqlEventStore, type SqlEventStore, type SqlEventStoreOptions } from '../sql/sql-event-store.ts';
import { createPgliteDriver, type PgliteDriverOptions } from './pglite-client.ts';

export type EmbeddedEventStoreOptions = PgliteDriverOptions & Omit<SqlEventStoreOptions, 'ownsDriver'>;

export async function createEmbeddedEventStore(options: EmbeddedEventStoreOptions): Promise<SqlEventStore> {
  const driver = await createPgliteDriver(options);
  try {
    return await createSqlEventStore(driver, options);
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw error;
  }
}
