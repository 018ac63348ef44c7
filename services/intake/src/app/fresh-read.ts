/**
 * Coalesced reads that are never stale: `read(key)` resolves after a read of
 * `key` that *started after the call* has finished. Concurrent callers share
 * it: while one read runs, every caller that arrives waits for the single
 * next one, which starts when the running one ends. So N requests for the
 * same stream at once cost at most two reads, and each caller still sees
 * everything committed before it asked (read-your-writes across instances).
 */
export class FreshRead<Key, Value = void> {
  private readonly running = new Map<Key, Promise<Value>>();
  private readonly queued = new Map<Key, Promise<Value>>();

  constructor(private readonly readNow: (key: Key) => Promise<Value>) {}

  /** What the read that started after this call returned (callers that shared it get the same value). */
  read(key: Key): Promise<Value> {
    const waiting = this.queued.get(key);
    if (waiting) return waiting;
    const previous = this.running.get(key);
    if (!previous) return this.start(key);
    const next = previous
      .catch(() => undefined)
      .then(() => {
        this.queued.delete(key);
        return this.start(key);
      });
    this.queued.set(key, next);
    return next;
  }

  private start(key: Key): Promise<Value> {
    const run = this.readNow(key).finally(() => {
      if (this.running.get(key) === run) this.running.delete(key);
    });
    this.running.set(key, run);
    return run;
  }
}
