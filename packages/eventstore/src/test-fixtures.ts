/**
 * Small builders shared by this package's specs and the contract suite
 * (exported so adapters written elsewhere can run the suite too).
 */
import { randomUUID } from 'node:crypto';
import type { EventMetadataInput, NewEvent } from './port.ts';
import type { SqlDriver, SqlExecutor } from './sql/executor.ts';

export const testMetadata = (overrides: Partial<EventMetadataInput> = {}): EventMetadataInput => ({
  correlationId: 'corr-1',
  actor: { id: 'clerk-7', role: 'window-clerk', department: 'bj-market-regulation' },
  ...overrides,
});

export const newEvent = (type = 'Something', data: unknown = { n: 1 }, overrides: Partial<NewEvent> = {}): NewEvent => ({
  id: randomUUID(),
  type,
  schemaVersion: 1,
  data,
  metadata: testMetadata(),
  ...overrides,
});

/** `count` events of type `type` with data `{ n: i }`. */
export const newEvents = (count: number, type = 'Something'): NewEvent[] => Array.from({ length: count }, (_, n) => newEvent(type, { n }));

let streamCounter = 0;
/** A stream name unique within the process, so suites can share one store. */
export const uniqueStream = (category = 'case'): string => `${category}-${process.pid}x${Date.now().toString(36)}x${(streamCounter++).toString(36)}`;

/**
 * A SQL driver whose every transaction runs `beforeCommit` just before COMMIT: a test holds one
 * open there to force the commit-order race (a later position committing first, ADR 0002).
 */
export function withBeforeCommit(driver: SqlDriver, beforeCommit: (tx: SqlExecutor) => Promise<void>): SqlDriver {
  const transaction: SqlDriver['transaction'] = (work) =>
    driver.transaction(async (tx) => {
      const result = await work(tx);
      await beforeCommit(tx);
      return result;
    });
  return {
    ...driver,
    transaction,
    // The fast append commits its one statement on its own (ADR 0005). Held open here like any
    // other transaction: a commit delayed after the insert is the race these tests force.
    atomic: (text, params, options) => transaction((tx) => tx.query(text, params, options)),
  };
}
