/**
 * Key lanes: the messages of one partition batch handled several at once, each key's in order.
 *
 * Why: a partition carries many cases (the key is the case id), and only one case's messages
 * must wait for each other. Handled strictly one after another, a partition's throughput is one
 * handler's latency, and one case whose handler retries with backoff holds up every case behind
 * it (head-of-line blocking). With lanes, up to `concurrency` messages are in flight; a message
 * starts only after the previous message of its key settled, so per-key order holds exactly as
 * before. Messages without a key share one lane.
 *
 * Failure: once a handler rejects, nothing new starts; the messages in flight settle, and the
 * caller gets the length of the handled prefix (every message before it handled). It resumes
 * (commits, seeks) from there, so a message of another key that finished behind the failed one
 * is delivered again: at least once, as after a crash. Messages of the failed key behind it never
 * started, so nothing of that key overtakes it.
 *
 * With concurrency 1 this is the one-at-a-time loop it replaces: each message starts after the
 * one before it settled, and the prefix is reported after each.
 */

export interface KeyLanesOptions<M> {
  /** Messages in flight at most (including those waiting for their key's previous message); at least 1. */
  readonly concurrency: number;
  /** The message's ordering key; null shares one lane with every other null. */
  readonly keyOf: (message: M) => string | null;
  readonly handle: (message: M) => Promise<void>;
  /** Checked before each message starts: false stops starting new ones (stopping, rebalance). */
  readonly shouldContinue?: () => boolean;
  /**
   * Called, one call at a time and in order, whenever the handled prefix has grown: `prefix` messages
   * from the start are handled. For the caller's offset bookkeeping, commits and heartbeats; if it
   * rejects, nothing new starts and the rejection is rethrown once the messages in flight settled.
   */
  readonly onProgress?: (prefix: number) => Promise<void> | void;
}

export interface KeyLanesOutcome {
  /** How many messages from the start were handled, each of them successfully. */
  readonly prefix: number;
  /** The first handler rejection, when one rejected (the message at `prefix` or one behind it). */
  readonly failure?: { readonly error: unknown };
}

const NULL_LANE = '\u0000null';

/**
 * The lane of a bus message: its key's bytes. Kafka keys are bytes, and latin1 maps each byte to
 * one character, so equal keys give equal lanes whatever their encoding; no key is null.
 */
export const laneOfKey = (message: { readonly key?: Buffer | null }): string | null => (message.key ? message.key.toString('latin1') : null);

export async function handleInKeyLanes<M>(messages: readonly M[], options: KeyLanesOptions<M>): Promise<KeyLanesOutcome> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const shouldContinue = options.shouldContinue ?? (() => true);
  /** Per message: undefined (not started or in flight), true (handled), false (failed or skipped). */
  const settled: (boolean | undefined)[] = new Array<boolean | undefined>(messages.length);
  /** The last started message of each key, as the promise that settles with it (true: handled). */
  const lanes = new Map<string, Promise<boolean>>();
  // A counter and one waiter, not Promise.race over the messages in flight: that would add a reaction to
  // every one of them for each message started.
  let running = 0;
  let wake: (() => void) | null = null;
  const aSlotFrees = () => new Promise<void>((resolve) => (wake = resolve));
  let failure: { readonly error: unknown } | undefined;
  let prefix = 0;
  let reported = 0;
  let progressError: { readonly error: unknown } | undefined;

  const report = async () => {
    while (prefix < messages.length && settled[prefix] === true) prefix++;
    if (prefix === reported || options.onProgress === undefined || progressError) return;
    reported = prefix;
    try {
      await options.onProgress(prefix);
    } catch (error) {
      progressError = { error };
    }
  };

  const start = async (i: number, previous: Promise<boolean> | undefined): Promise<boolean> => {
    try {
      // Behind a failed (or skipped) message of its key, or after any failure: not started.
      if ((previous !== undefined && !(await previous)) || failure) return (settled[i] = false);
      await options.handle(messages[i]!);
      return (settled[i] = true);
    } catch (error) {
      failure ??= { error };
      return (settled[i] = false);
    } finally {
      running--;
      const waiting = wake;
      wake = null;
      waiting?.();
    }
  };

  for (let i = 0; i < messages.length; i++) {
    while (running >= concurrency) {
      await aSlotFrees();
      await report();
    }
    if (failure || progressError || !shouldContinue()) break;
    const lane = options.keyOf(messages[i]!) ?? NULL_LANE;
    running++;
    const run = start(i, lanes.get(lane));
    lanes.set(lane, run);
    // One at a time: the message settles before the next starts, as the plain loop did.
    if (concurrency === 1) {
      await run;
      await report();
    }
  }
  while (running > 0) {
    await aSlotFrees();
    await report();
  }
  await report();
  if (progressError) throw progressError.error;
  return failure ? { prefix, failure } : { prefix };
}
