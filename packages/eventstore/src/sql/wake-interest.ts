/**
 * Who else wants a wake-up hint (issue 8; ADR 0002, addendum of 2026-11-29).
 *
 * Every store on a schema LISTENs on one channel, and PostgreSQL signals every listening backend
 * for every NOTIFY on it, whatever the payload. In a megacity day one NOTIFY per commit of every
 * service woke every other service's connection and process, mostly for categories they do not
 * follow: 23,269 of the day's 108,952 statements were NOTIFYs. So each store says, in a small
 * table, which categories its own subscriptions follow, and a writer NOTIFYs only when some other
 * store follows a category it wrote. Its own subscriptions it wakes in-process.
 *
 * The table is a hint about hints, so it fails open: a writer that cannot read it notifies; a row
 * left by a process that died expires (`ttlMs`) and until then costs only NOTIFYs nobody needed.
 * A writer's view is at most `refreshMs` old, and a store whose interest grows says so on the
 * channel ('@interest') so writers read again at once. What committed in the moment between is
 * covered by the declaring store's own extra look (sql-event-store.ts) and, past that, by polling.
 */
import type { SqlDriver } from './executor.ts';

/** The categories a store's subscriptions follow: a set, `'all'` (some subscription has no category filter), or none. */
export type FollowedCategories = ReadonlySet<string> | 'all';

/** The payload that tells writers to read the table again. */
export const INTEREST_CHANGED = '@interest';

export interface WakeInterestOptions {
  readonly channel: string;
  /** This store's row: unique per store instance. */
  readonly listenerId: string;
  /** How stale a writer's view of the table may be (default 1,000 ms). */
  readonly refreshMs?: number;
  /** How long a row lives without renewal (default 60 s): the longest a dead process is still notified. */
  readonly ttlMs?: number;
}

export interface WakeInterest {
  /** Whether some other store on the channel follows any of `written` (from a view at most `refreshMs` old; true when unsure). */
  othersWant(written: ReadonlySet<string>): Promise<boolean>;
  /** Forget the cached view: the next `othersWant` reads the table. */
  invalidate(): void;
  /** What this store's subscriptions follow now (`undefined`: nothing, the row goes). Declarations apply in order. */
  declare(followed: FollowedCategories | undefined): Promise<void>;
  /** Stop renewing and remove this store's row. */
  close(): Promise<void>;
}

/** Whether any of `listeners` follows one of `written`. */
export function anyWants(listeners: readonly FollowedCategories[], written: ReadonlySet<string>): boolean {
  for (const followed of listeners) {
    if (followed === 'all') return true;
    for (const category of written) if (followed.has(category)) return true;
  }
  return false;
}

/** What several subscriptions follow together; `undefined` for no subscriptions. */
export function unionOf(each: Iterable<FollowedCategories>): FollowedCategories | undefined {
  let union: Set<string> | undefined;
  for (const followed of each) {
    if (followed === 'all') return 'all';
    union ??= new Set();
    for (const category of followed) union.add(category);
  }
  return union;
}

/** Whether `next` follows something `previous` did not (a writer may still hold a view without it). */
export function grew(previous: FollowedCategories | undefined, next: FollowedCategories | undefined): boolean {
  if (next === undefined) return false;
  if (previous === undefined) return true;
  if (previous === 'all') return false;
  if (next === 'all') return true;
  for (const category of next) if (!previous.has(category)) return true;
  return false;
}

const UPSERT = `WITH declared AS (
   INSERT INTO wake_listeners (listener_id, channel, categories, expires_at)
   VALUES ($1, $2, $3::text[], now() + $4::integer * interval '1 millisecond')
   ON CONFLICT (listener_id) DO UPDATE SET channel = EXCLUDED.channel, categories = EXCLUDED.categories, expires_at = EXCLUDED.expires_at
   RETURNING 1
 ), expired AS (
   DELETE FROM wake_listeners WHERE channel = $2 AND expires_at < now() - interval '1 minute'
 )
 SELECT count(*)::integer AS n FROM declared`;
const UNDECLARE = 'DELETE FROM wake_listeners WHERE listener_id = $1';
const OTHERS = `SELECT categories FROM wake_listeners WHERE channel = $1 AND listener_id <> $2 AND expires_at > now()`;

export function createWakeInterest(driver: SqlDriver, options: WakeInterestOptions): WakeInterest {
  const refreshMs = options.refreshMs ?? 1_000;
  const ttlMs = options.ttlMs ?? 60_000;
  let view: { readonly at: number; readonly generation: number; readonly listeners: readonly FollowedCategories[] } | null = null;
  let reading: Promise<readonly FollowedCategories[] | null> | null = null;
  let generation = 0;
  let declared: FollowedCategories | undefined;
  let everDeclared = false; // a store that never followed anything has no row to remove at close
  let chain: Promise<void> = Promise.resolve();
  let renewal: NodeJS.Timeout | null = null;
  let closed = false;

  const readOthers = async (): Promise<readonly FollowedCategories[] | null> => {
    const startedAt = Date.now();
    const readGeneration = generation;
    try {
      const rows = await driver.query<{ categories: string[] | null }>(OTHERS, [options.channel, options.listenerId], {
        name: 'govsvc_wake_listeners',
      });
      const listeners = rows.map((r): FollowedCategories => (r.categories === null ? 'all' : new Set(r.categories)));
      // An '@interest' that arrived during the read may describe a row the read did not see yet.
      if (generation === readGeneration) view = { at: startedAt, generation: readGeneration, listeners };
      return listeners;
    } catch {
      return null;
    }
  };

  const write = (followed: FollowedCategories | undefined): Promise<void> =>
    followed === undefined
      ? driver.query(UNDECLARE, [options.listenerId], { durability: 'relaxed' }).then(() => undefined)
      : driver
          // `query`, not `atomic`: one statement on a pooled connection is its own transaction either way, and
          // tests that hold the next `atomic` open before its commit mean an append by it, not this.
          .query(UPSERT, [options.listenerId, options.channel, followed === 'all' ? null : [...followed], ttlMs], {
            name: 'govsvc_wake_declare',
            durability: 'relaxed',
          })
          .then(() => undefined);

  const enqueue = (work: () => Promise<void>): Promise<void> => {
    chain = chain.then(work).catch(() => undefined); // a failed write is renewed later; interest is only a hint
    return chain;
  };

  const renewLater = () => {
    if (renewal || closed) return;
    renewal = setInterval(() => {
      if (declared !== undefined && !closed) void enqueue(() => write(declared));
    }, Math.max(1_000, Math.floor(ttlMs / 3)));
    renewal.unref();
  };

  return {
    async othersWant(written) {
      if (written.size === 0) return false;
      const fresh = view !== null && view.generation === generation && Date.now() - view.at < refreshMs;
      if (fresh) return anyWants(view!.listeners, written);
      reading ??= readOthers().finally(() => (reading = null));
      const listeners = await reading;
      return listeners === null ? true : anyWants(listeners, written);
    },

    invalidate() {
      generation += 1;
    },

    declare(followed) {
      if (closed) return chain;
      const widened = grew(declared, followed);
      declared = followed;
      if (followed !== undefined) {
        everDeclared = true;
        renewLater();
      }
      return enqueue(async () => {
        if (closed) return;
        await write(followed);
        // Said after the row is committed, so a writer that reads again sees it.
        if (widened) await driver.query('SELECT pg_notify($1, $2)', [options.channel, INTEREST_CHANGED], { durability: 'relaxed' });
      });
    },

    async close() {
      if (closed) return;
      closed = true;
      if (renewal) clearInterval(renewal);
      renewal = null;
      await chain;
      // Whatever was declared last (work queued behind `closed` was skipped), the row goes.
      if (everDeclared) await write(undefined).catch(() => undefined);
    },
  };
}
