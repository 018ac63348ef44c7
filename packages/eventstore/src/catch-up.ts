/**
 * One catch-up subscription loop for every adapter: read a batch after the
 * cursor, hand it to the handler, store the checkpoint with compare-and-set,
 * repeat; when drained, sleep until a wake-up hint or the poll interval.
 * Adapters supply only the `CatchUpSource` (how to read the next batch in
 * their gap-free order and what "everything committed before now" means).
 */
import { ConcurrencyError, UnavailableError } from '@govsvc/errors/errors';
import type { CheckpointStore, EventFilter, StoredEvent, SubscribeOptions, Subscription, SubscriptionHandler } from './port.ts';
import { assertBatchSize, assertPosition, assertSubscriptionId, assertSubscriptionMs } from './validation.ts';

export interface CatchUpBatch<Cursor> {
  readonly events: readonly StoredEvent[];
  /** Cursor after this batch (may move past events the filter skipped). */
  readonly next: Cursor;
  /** Horizon token of this read: once a batch comes back short, everything below it was delivered. */
  readonly horizon: bigint;
  /**
   * Committed events for this subscriber exist above the horizon: an older transaction, still open
   * somewhere in the cluster, holds them back. Its commit may send no wake-up hint (it need not have
   * written an event), so the loop looks again soon instead of sleeping a poll interval.
   */
  readonly heldBack?: boolean;
}

export interface CatchUpSource<Cursor> {
  /** Cursor that reads what comes after global position `after` in this adapter's delivery order. */
  cursorAfter(after: bigint): Promise<Cursor>;
  fetch(cursor: Cursor, filter: EventFilter | undefined, limit: number): Promise<CatchUpBatch<Cursor>>;
  /** A horizon token at or below which everything committed before this call lies. */
  target(): Promise<bigint>;
  /** Registers a wake-up hint (appends happened); returns the unregister function. */
  onWake(listener: (hint?: WakeHint) => void): () => void;
  readonly pollIntervalMs: number;
}

/**
 * What a wake-up hint knows of the appends behind it: the stream categories written, joined by
 * commas (`application,deadline`). Absent or empty: it does not say, so every subscriber looks.
 */
export interface WakeHint {
  readonly categories?: string;
}

/** A NOTIFY payload as a hint: '' says nothing. */
export const wakeHintOf = (payload: string): WakeHint | undefined => (payload === '' ? undefined : { categories: payload });

/**
 * Whether a hint may concern a subscriber with `filter`. A subscriber of some categories is not
 * woken by appends to others: each commit used to wake every subscription in every process, and
 * most looked and found nothing for them (issue 8: five fetches per event stored). Matched as text
 * between commas, so a category that itself holds a comma still wakes its subscribers (a few
 * others may wake too, which costs one fetch); the poll interval covers a hint lost or misread.
 */
export function mayConcern(hint: WakeHint | undefined, filter: EventFilter | undefined): boolean {
  if (hint?.categories === undefined || hint.categories === '' || filter?.categories === undefined) return true;
  const written = `,${hint.categories},`;
  return filter.categories.some((category) => written.includes(`,${category},`));
}

export class SubscriptionStoppedError extends Error {
  constructor(subscriptionId: string) {
    super(`subscription ${subscriptionId} stopped before catching up`);
    this.name = 'SubscriptionStoppedError';
  }
}

const DEFAULT_BATCH_SIZE = 100;
const DEFAULT_CHECKPOINT_INTERVAL_MS = 100;
const MAX_BACKOFF_MS = 5_000;
/** First and longest look-again delay while events are held back (doubling in between, never past the poll interval). */
const HELD_BACK_FIRST_MS = 2;
const HELD_BACK_MAX_MS = 200;

/** Waits `ms`, or until the function handed to `hold` is called; `hold(null)` once it is over either way. */
function interruptibleDelay(ms: number, hold: (end: (() => void) | null) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      hold(null);
      resolve();
    }
    hold(done);
  });
}

export function runCatchUp<Cursor>(
  source: CatchUpSource<Cursor>,
  checkpoints: CheckpointStore,
  options: SubscribeOptions,
  handler: SubscriptionHandler,
): Subscription {
  assertSubscriptionId(options.subscriptionId);
  assertBatchSize(options.batchSize);
  assertSubscriptionMs(options.lingerMs, 'lingerMs');
  assertSubscriptionMs(options.checkpointIntervalMs, 'checkpointIntervalMs');
  if (options.startAfter !== undefined) assertPosition(options.startAfter, '/startAfter');
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const storeCheckpoints = options.storeCheckpoints ?? true;
  const checkpointIntervalMs = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;

  let stopping = false;
  let ended = false;
  let failure: unknown;
  // A hint that arrives while a batch is in flight must not be lost before the next sleep.
  let woken = false;
  let wakeSleeper: (() => void) | null = null;
  const lingerMs = options.lingerMs ?? 0;
  // Ends a linger early: someone waits in caughtUp(), or the subscription stops.
  let endLinger: (() => void) | null = null;
  let drainedHorizon = -1n;
  const waiters = new Set<{ target: bigint; resolve: () => void; reject: (e: unknown) => void }>();

  const wake = () => {
    woken = true;
    wakeSleeper?.();
  };
  const unregister = source.onWake((hint) => {
    if (mayConcern(hint, options.filter)) wake();
  });

  const sleep = (ms: number): Promise<void> => (woken || stopping ? Promise.resolve() : interruptibleDelay(ms, (end) => (wakeSleeper = end)));

  /** The linger after a drained read: hints do not end it (they only mark the next read as due); waiters and stop() do. */
  const linger = (): Promise<void> => (stopping || waiters.size > 0 ? Promise.resolve() : interruptibleDelay(lingerMs, (end) => (endLinger = end)));

  const settleWaiters = () => {
    for (const waiter of waiters) {
      if (drainedHorizon >= waiter.target) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  };

  const loop = async (): Promise<void> => {
    // The stored checkpoint, and the last position handled: ahead of it while its write waits for
    // the checkpoint interval (wall-clock milliseconds, so a clock step only moves one write).
    let checkpoint: bigint | null = null;
    let handled: bigint | null = null;
    let storedAt = Number.NEGATIVE_INFINITY;
    const unstored = () => storeCheckpoints && handled !== null && handled !== checkpoint;
    const storeHandled = async () => {
      const position = handled!;
      await checkpoints.store(options.subscriptionId, checkpoint, position);
      checkpoint = position;
      storedAt = Date.now();
    };
    let cursor: Cursor | undefined;
    let backoff = source.pollIntervalMs;
    let heldBackDelay = HELD_BACK_FIRST_MS;
    // The next batch, read while the handler works on this one (only after a full batch: there is
    // more to read). A read is a pure function of the cursor and its snapshot, so reading it early
    // changes nothing but time; it is used only if this batch's checkpoint was stored.
    type Prefetch = { readonly cursor: Cursor; readonly batch: Promise<CatchUpBatch<Cursor>> };
    let prefetched: Prefetch | null = null;
    while (!stopping) {
      try {
        if (cursor === undefined) {
          checkpoint = storeCheckpoints ? await checkpoints.read(options.subscriptionId) : null;
          handled = checkpoint;
          cursor = await source.cursorAfter(checkpoint ?? options.startAfter ?? 0n);
        }
        woken = false;
        const ahead: Prefetch | null = prefetched;
        prefetched = null;
        const batch: CatchUpBatch<Cursor> = ahead && ahead.cursor === cursor ? await ahead.batch : await source.fetch(cursor, options.filter, batchSize);
        backoff = source.pollIntervalMs;
        if (batch.events.length === batchSize && !stopping) {
          const read = source.fetch(batch.next, options.filter, batchSize);
          read.catch(() => undefined); // observed when used; an unused one is dropped
          prefetched = { cursor: batch.next, batch: read };
        }
        if (batch.events.length > 0) {
          await handler(batch.events);
          handled = batch.events[batch.events.length - 1]!.globalPosition;
          if (unstored() && Date.now() - storedAt >= checkpointIntervalMs) await storeHandled();
        }
        cursor = batch.next;
        if (batch.events.length < batchSize) {
          drainedHorizon = batch.horizon > drainedHorizon ? batch.horizon : drainedHorizon;
          settleWaiters();
          // Someone waits in caughtUp() for a horizon that in-flight transactions still hold back, or
          // events of ours are held back: look again soon rather than after a full poll interval.
          let delay = source.pollIntervalMs;
          if (batch.heldBack) {
            delay = Math.min(delay, heldBackDelay);
            heldBackDelay = Math.min(heldBackDelay * 2, HELD_BACK_MAX_MS);
          } else {
            heldBackDelay = HELD_BACK_FIRST_MS;
          }
          if (waiters.size > 0) delay = Math.min(delay, 10);
          else if (lingerMs > 0) await linger();
          // A position handled but not yet stored is stored when its interval ends, unless a hint
          // comes first: then the next batch takes it along.
          if (unstored()) {
            const due = Math.max(0, storedAt + checkpointIntervalMs - Date.now());
            if (due < delay) {
              await sleep(due);
              if (!woken && !stopping && unstored()) await storeHandled();
              delay -= due;
            }
          }
          await sleep(delay);
        }
      } catch (error) {
        // A store that is briefly down is waited out; a failing handler or a
        // checkpoint moved by another instance ends the subscription.
        prefetched = null;
        if (error instanceof UnavailableError && !stopping) {
          await sleep(backoff);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
          continue;
        }
        // The batches before a failing one were handled: store them, as a checkpoint per batch did.
        // Not after a refused compare-and-set: another instance owns the checkpoint now.
        if (unstored() && !(error instanceof ConcurrencyError)) await storeHandled().catch(() => undefined);
        throw error;
      }
    }
    // Stopping: store what was handled. A store that is down now only means those batches come again.
    if (unstored()) await storeHandled().catch((error: unknown) => {
      if (!(error instanceof UnavailableError)) throw error;
    });
  };

  const finished = loop().then(
    () => finish(undefined),
    (error: unknown) => {
      finish(error);
      throw error;
    },
  );
  // Marked handled here; callers who await `finished` still see the rejection.
  finished.catch(() => undefined);

  function finish(error: unknown) {
    ended = true;
    failure = error;
    unregister();
    for (const waiter of waiters) waiter.reject(error ?? new SubscriptionStoppedError(options.subscriptionId));
    waiters.clear();
  }

  return {
    finished,
    async stop() {
      stopping = true;
      endLinger?.();
      wake();
      await finished.catch(() => undefined);
    },
    async caughtUp() {
      if (ended) throw failure ?? new SubscriptionStoppedError(options.subscriptionId);
      const target = await source.target();
      if (drainedHorizon >= target) return;
      await new Promise<void>((resolve, reject) => {
        if (ended) return reject(failure ?? new SubscriptionStoppedError(options.subscriptionId));
        waiters.add({ target, resolve, reject });
        endLinger?.();
        wake();
      });
    },
  };
}

