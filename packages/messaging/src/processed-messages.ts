/**
 * The processed-message record that makes consumers idempotent (the Debezium
 * outbox pattern's consumer side): a handler's effect and the record "this
 * consumer processed this event" commit in one transaction, so a redelivered
 * message finds the record and has no second effect.
 *
 * `Tx` is whatever the handler needs to make its effect part of that
 * transaction: a SQL client for the PostgreSQL record
 * (`processed-messages-pg.ts`), nothing for the in-memory one.
 *
 * A handler whose only effect is appending to the event store can skip this
 * record: derive the new events' ids from the message id and let the store's
 * idempotent append (same ids → no-op) do the deduplication.
 */
export type ProcessOutcome = 'processed' | 'duplicate';

export interface ProcessedMessages<Tx> {
  /** Cheap pre-check, outside any transaction; `processOnce` decides for real. */
  wasProcessed(consumer: string, eventId: string): Promise<boolean>;
  /**
   * Runs `effect` and records (consumer, eventId) in one transaction. When the record
   * exists already the effect does not run and the outcome is `duplicate`. When the
   * effect throws nothing is recorded and the error propagates unchanged.
   */
  processOnce(consumer: string, eventId: string, effect: (tx: Tx) => Promise<void>): Promise<ProcessOutcome>;
}

export interface InMemoryProcessedMessages extends ProcessedMessages<undefined> {
  /** How many records exist (for tests and diagnostics). */
  size(): number;
}

export interface InMemoryProcessedMessagesOptions {
  /**
   * Records kept; the oldest are forgotten beyond it (default 100,000), so a process that runs
   * for months stays flat in memory. Redeliveries come within a batch or a rebalance of the
   * original, far inside this window; only a replay of older history (an operator's
   * `replayFrom`) could then apply an effect again, and in the standalone mode the in-memory
   * effects are rebuilt from the store on restart anyway.
   */
  readonly capacity?: number;
}

/**
 * For the standalone mode and tests, where the handler's effects are in memory
 * too. Processing of one (consumer, event) is serialized, so two concurrent
 * deliveries of the same event run the effect once.
 */
export function createInMemoryProcessedMessages(options: InMemoryProcessedMessagesOptions = {}): InMemoryProcessedMessages {
  const capacity = options.capacity ?? 100_000;
  // A Set iterates in insertion order: its first element is the oldest record.
  const records = new Set<string>();
  const inFlight = new Map<string, Promise<unknown>>();
  const keyOf = (consumer: string, eventId: string) => `${consumer}\u0000${eventId}`;
  return {
    async wasProcessed(consumer, eventId) {
      return records.has(keyOf(consumer, eventId));
    },
    async processOnce(consumer, eventId, effect) {
      const key = keyOf(consumer, eventId);
      for (let running = inFlight.get(key); running; running = inFlight.get(key)) await running.catch(() => undefined);
      if (records.has(key)) return 'duplicate';
      const run = effect(undefined);
      inFlight.set(key, run);
      try {
        await run;
        records.add(key);
        if (records.size > capacity) records.delete(records.values().next().value as string);
        return 'processed';
      } finally {
        inFlight.delete(key);
      }
    },
    size: () => records.size,
  };
}
