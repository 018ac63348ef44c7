/**
 * Test support: a PostgreSQL event store whose next transaction can be held open just before its
 * COMMIT, so a test can make a later global position commit first (ADR 0002's race) and check that
 * a reader waits for the earlier one instead of moving past it.
 */
import { withBeforeCommit } from '../test-fixtures.ts';
import { createSqlEventStore, type SqlEventStore, type SqlEventStoreOptions } from '../sql/sql-event-store.ts';
import { createPgDriver } from './pg-client.ts';

export interface HeldCommit {
  /** Resolves once the held transaction has written and waits before its COMMIT. */
  readonly written: Promise<void>;
  /** Lets it commit. */
  release(): void;
}

export interface StoreWithHeldCommits {
  readonly store: SqlEventStore;
  /** Holds the next transaction of the store (an append, typically) before its COMMIT until `release()`. */
  holdNextCommit(): HeldCommit;
}

export async function storeWithHeldCommits(connectionString: string, options: SqlEventStoreOptions = {}): Promise<StoreWithHeldCommits> {
  let held: { written: () => void; released: Promise<void> } | null = null;
  const driver = withBeforeCommit(createPgDriver({ connectionString, maxConnections: 10 }), async () => {
    const waiting = held;
    held = null; // only the next transaction waits
    if (!waiting) return;
    waiting.written();
    await waiting.released;
  });
  const store = await createSqlEventStore(driver, { pollIntervalMs: 20, ...options });
  return {
    store,
    holdNextCommit() {
      let written!: () => void;
      let release!: () => void;
      const writtenPromise = new Promise<void>((resolve) => (written = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      held = { written, released };
      return { written: writtenPromise, release };
    },
  };
}
