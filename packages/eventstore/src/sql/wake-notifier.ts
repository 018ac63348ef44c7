/**
 * Wake-up hints sent after the commit, not inside it (ADR 0002, addendum of 2026-11-27).
 *
 * A transaction that calls `pg_notify` takes PostgreSQL's one cluster-wide notification lock
 * before it commits and holds it until the commit is done, WAL flush included: every notifying
 * transaction in the cluster commits after the previous one's fsync, never beside it. With the
 * NOTIFY inside each append, every append of every service queued on that lock: 8 connections
 * committing 20-row inserts did 7,832 commits/s without it and 3,541 with it (3,480 at 4).
 *
 * So the append commits without a NOTIFY, and this sends the hint afterwards, on a connection
 * whose commits need no flush (`durability: 'relaxed'`): a notify-only transaction holds that lock
 * for microseconds. Hints are coalesced: one in flight at a time; whatever commits meanwhile goes
 * out in the next one, its categories merged. A hint is still only a hint (catch-up.ts): one lost
 * (the process dies between commit and send, the send fails) costs a poll interval, not an event.
 */

/** NOTIFY payloads must stay under 8,000 bytes; past this the hint says nothing ('' wakes everyone). */
const MAX_PAYLOAD_BYTES = 7_000;

export interface WakeNotifier {
  /** The categories just committed: sent soon, merged with any others pending. */
  hint(categories: Iterable<string>): void;
  /** Resolves once every hint given so far was sent (or failed). */
  flush(): Promise<void>;
  /** Hints sent and failed since the notifier was made. */
  stats(): { readonly sent: number; readonly failed: number };
}

/**
 * `send` delivers one payload (categories joined by commas, or '' for "anything"); it also gets the
 * categories themselves, to decide who needs the hint (wake-interest.ts).
 */
export function createWakeNotifier(send: (payload: string, categories: ReadonlySet<string>) => Promise<void>): WakeNotifier {
  let pending = new Set<string>();
  let inFlight: Promise<void> | null = null;
  let sent = 0;
  let failed = 0;

  const payloadOf = (categories: ReadonlySet<string>): string => {
    const joined = [...categories].join(',');
    return Buffer.byteLength(joined) > MAX_PAYLOAD_BYTES ? '' : joined;
  };

  const drain = async (): Promise<void> => {
    while (pending.size > 0) {
      const batch = pending;
      pending = new Set();
      try {
        await send(payloadOf(batch), batch);
        sent += 1;
      } catch {
        // A hint is not worth a retry loop: subscribers poll, and the next commit sends again.
        failed += 1;
      }
    }
  };

  const start = () => {
    inFlight ??= drain().finally(() => {
      inFlight = null;
      // A hint given while the last send's result was being handled has not gone out yet.
      if (pending.size > 0) start();
    });
  };

  return {
    hint(categories) {
      for (const category of categories) pending.add(category);
      if (pending.size > 0) start();
    },
    async flush() {
      while (inFlight) await inFlight;
    },
    stats: () => ({ sent, failed }),
  };
}
