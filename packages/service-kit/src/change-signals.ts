/**
 * In-process "this key changed" signals, for requests that wait for a resource to appear
 * (`Prefer: wait`, prefer-wait.ts). A service notifies the key (a stream name) after it appended to
 * it; a waiting request wakes and reads again instead of its client polling.
 *
 * Why in process and not the event store's subscription: the appends that matter (review opening a
 * case it learned of from Kafka, a licence issued on a signature) happen in the same process that
 * answers for them, and a subscription per waiting request would cost a reader each. Another
 * instance's appends are seen by the waiter's own periodic re-read (`recheckMs` in prefer-wait.ts).
 *
 * Bounded: past `maxWatches` watches at once, a new watch resolves at once (the request answers
 * with what it has, as without the preference) rather than growing without limit.
 */

export interface Watch {
  /** False when the watch ended as it began (no time left, aborted, closing, or too many watches). */
  readonly waiting: boolean;
  /** Resolves at the key's next notify, at the timeout, when the signal aborts, or when the signals close. */
  readonly changed: Promise<void>;
  /** Ends the watch (its timer and registration) without waiting; `changed` resolves. */
  cancel(): void;
}

export interface ChangeSignalsOptions {
  /** Most watches kept at once (default 10,000). */
  readonly maxWatches?: number;
}

const ended: Watch = { waiting: false, changed: Promise.resolve(), cancel: () => undefined };

export class ChangeSignals {
  readonly #watches = new Map<string, Set<() => void>>();
  readonly #maxWatches: number;
  #count = 0;
  #closed = false;

  constructor(options: ChangeSignalsOptions = {}) {
    this.#maxWatches = options.maxWatches ?? 10_000;
  }

  /** Wakes every watch of `key`. */
  notify(key: string): void {
    const wakes = this.#watches.get(key);
    if (wakes === undefined) return;
    this.#watches.delete(key);
    for (const wake of [...wakes]) wake();
  }

  /**
   * Starts watching `key` for at most `timeoutMs`. Start it before reading what it guards: a notify
   * that falls between the read and the wait is then not missed.
   */
  watch(key: string, timeoutMs: number, signal?: AbortSignal): Watch {
    if (this.#closed || timeoutMs <= 0 || signal?.aborted || this.#count >= this.#maxWatches) return ended;
    let end!: () => void;
    const changed = new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      end = () => {
        if (timer === undefined) return;
        clearTimeout(timer);
        timer = undefined;
        this.#count--;
        signal?.removeEventListener('abort', end);
        const wakes = this.#watches.get(key);
        if (wakes?.delete(end) && wakes.size === 0) this.#watches.delete(key);
        resolve();
      };
      timer = setTimeout(end, timeoutMs);
    });
    this.#count++;
    signal?.addEventListener('abort', end, { once: true });
    let wakes = this.#watches.get(key);
    if (wakes === undefined) this.#watches.set(key, (wakes = new Set()));
    wakes.add(end);
    return { waiting: true, changed, cancel: end };
  }

  /** Watches open now. */
  get watching(): number {
    return this.#count;
  }

  /** Ends every watch, and makes later ones end at once (the server is closing: waiting requests answer now). */
  close(): void {
    this.#closed = true;
    const all = [...this.#watches.values()].flatMap((wakes) => [...wakes]);
    this.#watches.clear();
    for (const wake of all) wake();
  }
}
