/**
 * The offset commits of one Kafka consumer, gathered into few requests.
 *
 * Every batch used to commit its partition on its own, right behind it: with records arriving one
 * or two at a time, that is one OffsetCommit request per record and partition. In the megacity day
 * (issue 8) the services sent 17,834 OffsetCommits against 8,572 Fetches, and each commit is an
 * append to `__consumer_offsets` on the broker. Here the commits asked for within `lingerMs` travel
 * together as one request naming every partition, at its latest offset.
 *
 * - A commit the caller waits for (`commitNow`: every 100 records or second inside a batch, before
 *   leaving a partition, after a failed handler) goes out at once, with whatever lingers.
 * - One request in flight at a time, and a partition's offset only ever grows: committed offsets
 *   only move forward, as with the per-partition chain this replaces.
 * - A lingering commit that fails rewinds its partition to the first record it covered (`rewind`),
 *   as a batch that ends without its commit is (finding 10 of issue 9): handled again (handlers are
 *   idempotent) and committed by a later batch. A record is committed or handled again, never left
 *   behind; waiting longer only widens what a crash hands out twice.
 * - `flush()` sends what lingers and resolves when every commit asked for so far has settled:
 *   `stop()` awaits it before the member leaves the group.
 */
export interface OffsetCommitTarget {
  commitOffsets(offsets: { topic: string; partition: number; offset: string }[]): Promise<void>;
}

export interface OffsetCommitsOptions {
  /** How long a commit nobody waits for may wait for others to join it. */
  readonly lingerMs: number;
  /** A lingering commit failed: read the partition again from `offset`. */
  readonly rewind: (topic: string, partition: number, offset: string, error: unknown) => void;
}

interface Pending {
  readonly topic: string;
  readonly partition: number;
  offset: bigint;
  /** The first record covered by lingering commits of this entry: where a failure rewinds to. */
  rewindTo: bigint | undefined;
  readonly waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

export interface OffsetCommits {
  /** Commits `offset` (the next record to read) soon, together with others; `from` is the first record it covers. */
  commitBehind(topic: string, partition: number, offset: bigint, from: bigint): void;
  /** Commits `offset` now (with whatever lingers) and resolves once the broker took it. */
  commitNow(topic: string, partition: number, offset: bigint): Promise<void>;
  /** Sends what lingers; resolves when every commit asked for so far has settled. */
  flush(): Promise<void>;
}

export function createOffsetCommits(target: OffsetCommitTarget, options: OffsetCommitsOptions): OffsetCommits {
  let pending = new Map<string, Pending>();
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let urgent = false;

  const entryOf = (topic: string, partition: number): Pending => {
    const key = `${topic}\u0000${partition}`;
    let entry = pending.get(key);
    if (!entry) {
      entry = { topic, partition, offset: -1n, rewindTo: undefined, waiters: [] };
      pending.set(key, entry);
    }
    return entry;
  };

  const send = async (entries: Pending[]): Promise<void> => {
    try {
      await target.commitOffsets(entries.map((e) => ({ topic: e.topic, partition: e.partition, offset: e.offset.toString() })));
    } catch (error) {
      for (const e of entries) {
        if (e.rewindTo !== undefined) options.rewind(e.topic, e.partition, e.rewindTo.toString(), error);
        for (const w of e.waiters) w.reject(error);
      }
      return;
    }
    for (const e of entries) for (const w of e.waiters) w.resolve();
  };

  /** Sends what is pending unless a request is out; when that one settles, sends what came meanwhile if it is due. */
  const pump = (): void => {
    if (inFlight || pending.size === 0) return;
    if (timer) clearTimeout(timer);
    timer = undefined;
    urgent = false;
    const entries = [...pending.values()];
    pending = new Map();
    inFlight = send(entries).finally(() => {
      inFlight = undefined;
      if (urgent) pump();
      else schedule();
    });
  };

  const schedule = (): void => {
    if (timer || inFlight || pending.size === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      pump();
    }, options.lingerMs);
    timer.unref?.();
  };

  return {
    commitBehind(topic, partition, offset, from) {
      const entry = entryOf(topic, partition);
      if (offset > entry.offset) entry.offset = offset;
      if (entry.rewindTo === undefined || from < entry.rewindTo) entry.rewindTo = from;
      schedule();
    },
    commitNow(topic, partition, offset) {
      const entry = entryOf(topic, partition);
      if (offset > entry.offset) entry.offset = offset;
      const done = new Promise<void>((resolve, reject) => entry.waiters.push({ resolve, reject }));
      urgent = true;
      pump();
      return done;
    },
    async flush() {
      while (pending.size > 0 || inFlight) {
        urgent = true;
        pump();
        await inFlight;
      }
    },
  };
}
