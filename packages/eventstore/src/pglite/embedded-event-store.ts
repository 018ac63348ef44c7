/**
 * The embedded event store for the standalone mode: the same SQL as the
 * PostgreSQL adapter, on PGlite, persisted in a data folder the caller owns.
 * One process per folder: PGlite is a single in-process database.
 */
import { createSqlEventStore, type SqlEventStore, type SqlEventStoreOptions } from '../sql/sql-event-store.ts';
import { createPgliteDriver, type PgliteDriverOptions } from './pglite-client.ts';

export type EmbeddedEventStoreOptions = PgliteDriverOptions & Omit<SqlEventStoreOptions, 'ownsDriver'>;

/**
 * Subscriptions' poll interval on the embedded engine, unless the caller sets one. This process is
 * the folder's only writer, so every commit's wake-up hint is sent and delivered inside it (PGlite's
 * NOTIFY never crosses a network or a dropped connection): the poll is only a safety net for a hint
 * whose send failed. At the server store's 500 ms, the standalone process's 18 subscriptions ran
 * about 36 tail reads a second while idle, each a few milliseconds of WebAssembly on the one thread
 * that also serves HTTP: 10.7 % of a core with nothing to do, 4.0 % at this interval.
 */
export const EMBEDDED_POLL_INTERVAL_MS = 5_000;

export async function createEmbeddedEventStore(options: EmbeddedEventStoreOptions): Promise<SqlEventStore> {
  const driver = await createPgliteDriver(options);
  try {
    return await createSqlEventStore(driver, { ...options, pollIntervalMs: options.pollIntervalMs ?? EMBEDDED_POLL_INTERVAL_MS });
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw error;
  }
}
