/**
 * The scheduler: on the injected Clock, takes the deadlines whose next
 * instant (warning, breach, escalation) has come from the index, and lets
 * each deadline's decider decide what fires. A wall clock and a controlled
 * clock run the same code (tests advance the clock, production sleeps).
 *
 * A pass (issue 7, breach storm): due streams are read in batches (one
 * `readStreams` statement for hundreds of deadlines, two in flight), and each
 * deadline's append is handed to the store as soon as it is
 * decided, without holding up the next read: the appends pile up while the
 * store's group commits are busy and leave together (up to its
 * `maxAppendsPerCommit` a transaction), instead of one per reader. Each append
 * names the revision its decision was made on: a stream another writer has
 * moved since is refused by the store, and that deadline is decided again on
 * its stream read afresh (`executeDeadline`). The states fired go into the fold
 * cache the index projection shares, so projecting the firings reads nothing.
 *
 * A crash between appending a firing and updating the index leaves a stale
 * index entry: the next pass re-reads the stream, finds the firing recorded,
 * decides nothing, and corrects the entry. Nothing fires twice.
 */
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { ConcurrencyError } from '@govsvc/errors/errors';
import { toNewEvents } from '@govsvc/eventstore/event-codec';
import { EventIdConflictError } from '@govsvc/eventstore/errors';
import { deterministicEventIds } from '@govsvc/eventstore/event-ids';
import { readStreamsOf, type EventStore } from '@govsvc/eventstore/port';
import type { Clock } from '@govsvc/runtime/clock';
import { deadlineDecider, type DeadlineState, type FireDue } from '../domain/deadline-decider.ts';
import type { DeadlineEvent } from '../domain/deadline-events.ts';
import { deadlineStream } from '../domain/kinds.ts';
import { ownDeadlineCodec } from './codecs.ts';
import { changeOf, deadlineMetadata, executeDeadline, foldDeadline, type DeadlineFoldCache, type ExecuteOptions } from './deadlines.ts';
import type { DeadlineIndex, IndexChange } from './deadline-index.ts';

/** Batched reads of a pass in flight at once: one being folded and decided while the next is read. */
const READS_IN_FLIGHT = 2;
/** Deadlines due at most this long ago are fresh: a pass behind a backlog takes them first. */
const FRESH_WINDOW_MS = 2_000;
/** The share of a pass kept for fresh deadlines while a backlog waits; the rest drains the backlog. */
const FRESH_SHARE = 0.5;

/** Why a sleeping scheduler was woken early: something may be due sooner (`poke`). */
const POKED = new Error('poked: something may be due sooner');

export interface SchedulerOptions {
  readonly store: EventStore;
  readonly index: DeadlineIndex;
  readonly clock: Clock;
  readonly calendar: () => WorkingCalendar;
  /** Due deadlines taken per pass (default 1000). */
  readonly batchSize?: number;
  /** Deadlines fired at once by the one-at-a-time mode (`perDeadline`, default 32). */
  readonly concurrency?: number;
  /** Deadline streams per batched read within a pass (default 250; two such reads in flight); a pass's appends all go at once. */
  readonly readChunk?: number;
  /** Deadline states folded so far, shared with the index projection: the states fired are remembered, so projecting them reads nothing. */
  readonly cache?: DeadlineFoldCache;
  /**
   * The firing before issue 7's storm work, one deadline after another (read, decide, append each,
   * `concurrency` at a time): kept for the benchmark's side-by-side comparison only.
   */
  readonly perDeadline?: boolean;
  /**
   * While more is due than one pass takes (a storm's backlog), the share of each pass (default 0.5;
   * 0 turns the fresh lane off) given to deadlines that fell due within the last `freshWindowMs`
   * (default 2 s), taken before the backlog's oldest.
   */
  readonly freshShare?: number;
  readonly freshWindowMs?: number;
  /** Longest sleep between passes when nothing is due sooner (default 5 s). */
  readonly idleMs?: number;
  readonly onFired?: (events: readonly DeadlineEvent[]) => void;
  readonly onError?: (error: unknown, deadlineId: string) => void;
}

export class Scheduler {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: AbortController | null = null;
  /** When the loop's sleep ends on its own (the next due instant it read, or the idle limit). */
  private sleepingUntil = 0;
  /**
   * The earliest instant announced by a poke while the loop was not asleep (-Infinity: a poke that did not say),
   * null for none: a write the loop's last reads may have missed, looked at before it sleeps.
   */
  private pokedFor: number | null = null;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly readChunk: number;
  private readonly idleMs: number;
  private readonly freshLimit: number;
  private readonly freshWindowMs: number;
  /** A pass found something due, and the loop has not yet come to the end of what is due. */
  private firing = false;
  private quietWaiters: (() => void)[] = [];

  constructor(private readonly options: SchedulerOptions) {
    this.batchSize = options.batchSize ?? 1000;
    this.freshLimit = Math.floor(this.batchSize * Math.min(1, Math.max(0, options.freshShare ?? FRESH_SHARE)));
    this.freshWindowMs = options.freshWindowMs ?? FRESH_WINDOW_MS;
    this.concurrency = options.concurrency ?? 32;
    this.readChunk = Math.max(1, options.readChunk ?? 250);
    this.idleMs = options.idleMs ?? 5_000;
  }

  /** One pass: fires everything due now. Returns how many deadlines were looked at. */
  async runOnce(): Promise<number> {
    const now = this.options.clock.now();
    const ids = await this.dueNow(now.getTime());
    if (ids.length > 0) this.firing = true;
    try {
      return await this.fire(ids, now);
    } finally {
      // A full pass means more may be due: the wave goes on until a pass takes less than it could.
      if (ids.length < this.batchSize) this.quiet();
    }
  }

  /**
   * Resolves once the loop has fired everything due (undefined at once when it is not firing), or after
   * `maxWaitMs` whatever it is doing. For work that can wait a moment, so that it does not take the cores
   * from a wave of firings: the relay publishing what was fired, whose automatic-outcome commands set the
   * other services working while the wave is still being written (docs/benchmarks.md, megacity breach lag).
   */
  whenQuiet(maxWaitMs: number): Promise<void> | undefined {
    if (!this.firing) return undefined;
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      this.quietWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private quiet(): void {
    this.firing = false;
    for (const release of this.quietWaiters.splice(0)) release();
  }

  private async fire(ids: readonly string[], now: Date): Promise<number> {
    const command: FireDue = { type: 'FireDue', now: now.toISOString(), calendar: this.options.calendar() };
    const changes: IndexChange[] = [];
    const settle = async (deadlineId: string, firing: () => Promise<IndexChange | null>) => {
      try {
        const change = await firing();
        if (change) changes.push(change);
      } catch (error) {
        this.options.onError?.(error, deadlineId);
      }
    };
    if (this.options.perDeadline) {
      await this.inParallel(ids, (id) => settle(id, () => this.fireAlone(id, command)));
    } else {
      // A read does not wait for the append before it: appends pile up in the store while its group
      // commits are busy and leave together, and reading goes on meanwhile (no barrier between the two).
      const appends: Promise<void>[] = [];
      const chunks: string[][] = [];
      for (let i = 0; i < ids.length; i += this.readChunk) chunks.push(ids.slice(i, i + this.readChunk));
      await this.inParallel(chunks, async (chunk) => {
        for (const [id, held] of await this.statesOf(chunk)) appends.push(settle(id, () => this.fireFrom(id, held, command)));
      }, READS_IN_FLIGHT);
      await Promise.all(appends);
    }
    // The pass's index writes in one round trip. Until they land the entries stay due; a pass that
    // sees them again re-reads the streams and decides nothing.
    await this.options.index.applyMany(changes);
    return ids.length;
  }

  /**
   * The pass's deadlines, earliest first; but while more is due than a pass takes, the deadlines
   * that fell due within the fresh window come first (up to `freshShare` of the pass) and the
   * backlog's oldest fill the rest. A storm (a million deadlines due at the same second) then does
   * not queue what falls due after it behind itself: a deadline due now is fired within a pass or
   * two whatever the backlog (the steady stream's lateness, issue 7), and the backlog still drains,
   * oldest first, with at least the rest of every pass. Without a backlog this is one read.
   */
  private async dueNow(now: number): Promise<string[]> {
    const oldest = await this.options.index.due(now, this.batchSize);
    if (oldest.length < this.batchSize || this.freshLimit === 0) return oldest;
    const pass = new Set(await this.options.index.due(now, this.freshLimit, now - this.freshWindowMs));
    for (const id of oldest) {
      if (pass.size >= this.batchSize) break;
      pass.add(id);
    }
    return [...pass];
  }

  /**
   * The deadlines' streams read in one batched read (`readStreams`, one statement on PostgreSQL
   * where one `readStream` each cost a round trip per deadline) and folded; an error for each when
   * the read failed. Read, not taken from the fold cache: the read also tells the store the
   * streams' heads, without which its group commit sends the appends down its locked path (four
   * round trips; measured: a storm decided from the cache alone was 0.6× as fast, a third of its
   * appends locked, with the store's default 10,000 heads remembered).
   */
  private async statesOf(deadlineIds: readonly string[]): Promise<Map<string, Held | Error>> {
    const held = new Map<string, Held | Error>();
    try {
      const read = await readStreamsOf(this.options.store, deadlineIds.map(deadlineStream));
      for (const id of deadlineIds) {
        try {
          const { state, events } = foldDeadline(read.get(deadlineStream(id))!);
          const last = events[events.length - 1];
          held.set(id, { state, revision: last ? last.revision : null });
        } catch (error) {
          held.set(id, asError(error));
        }
      }
    } catch (error) {
      for (const id of deadlineIds) held.set(id, asError(error));
    }
    return held;
  }

  private async inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>, concurrency = this.concurrency): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < items.length) await work(items[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  }

  /** Seeded by the pass's instant: an exact retry of this pass recognises its own events. */
  private static optionsOf(deadlineId: string, command: FireDue): ExecuteOptions {
    return { seed: `fire:${deadlineId}@${command.now}`, correlationId: `deadline:${deadlineId}` };
  }

  /**
   * Decides on the state held and appends at its revision. Any other writer since (another pass,
   * another instance, a contract) is turned away by the expected revision: the deadline is then
   * decided again on its stream as it is, where a firing already recorded decides nothing.
   */
  private async fireFrom(deadlineId: string, held: Held | Error, command: FireDue): Promise<IndexChange | null> {
    if (held instanceof Error) throw held;
    const { state, revision } = held;
    if (revision === null) return null; // no such stream: nothing to fire, nothing to index
    const events = deadlineDecider.decide(command, state);
    if (events.length === 0) return changeOf(state, revision);
    const options = Scheduler.optionsOf(deadlineId, command);
    const ids = deterministicEventIds(options.seed);
    const stream = deadlineStream(deadlineId);
    try {
      const appended = await this.options.store.appendToStream(
        stream,
        toNewEvents(events, ownDeadlineCodec, events.map((_, i) => ids(i)), deadlineMetadata(options)),
        { expectedRevision: revision },
      );
      // Found stored (a retry of this pass): what the stream holds after them is read, not assumed.
      if (appended.alreadyAppended) return this.fireAlone(deadlineId, command);
      const after = events.reduce(deadlineDecider.evolve, state);
      this.options.cache?.remember(stream, appended.nextExpectedRevision, after);
      this.options.onFired?.(events);
      return changeOf(after, appended.nextExpectedRevision);
    } catch (error) {
      if (!(error instanceof ConcurrencyError || error instanceof EventIdConflictError)) throw error;
      return this.fireAlone(deadlineId, command);
    }
  }

  /** Reads the stream, decides, appends: one deadline on its own. */
  private async fireAlone(deadlineId: string, command: FireDue): Promise<IndexChange | null> {
    // Any other writer (another pass, another instance) is turned away by the expected revision and,
    // re-reading, finds the firing recorded and decides nothing.
    const result = await executeDeadline(this.options.store, deadlineId, command, Scheduler.optionsOf(deadlineId, command));
    if (result.revision !== null) this.options.cache?.remember(deadlineStream(deadlineId), result.revision, result.state);
    if (result.events.length > 0) this.options.onFired?.(result.events);
    return changeOf(result.state, result.revision);
  }

  /** Runs passes until stopped, sleeping on the clock until the next due instant (or a poke). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        this.pokedFor = null;
        const handled = await this.runOnce().catch(() => 0);
        if (!this.running) break;
        if (handled >= this.batchSize) continue; // more may be due right now
        const nextDue = await this.options.index.nextDue().catch(() => null);
        const idleUntil = this.options.clock.now().getTime() + this.idleMs;
        const until = nextDue === null ? idleUntil : Math.min(nextDue, idleUntil);
        // Announced while the pass and the read above ran: the read may have been answered before that write landed.
        if (this.pokedFor !== null && this.pokedFor < until) continue;
        this.sleepingUntil = until;
        this.wake = new AbortController();
        await this.options.clock.sleepUntil(new Date(until), this.wake.signal).catch(() => undefined);
        this.wake = null;
      }
    })();
  }

  /**
   * Something new may be due sooner than the scheduler sleeps: look again now. `dueAt` is when the deadline
   * written next fires (null: never); a poke that says so wakes the loop only when that is before the loop
   * would wake anyway. A megacity day opens deadlines due days later at 100 a second, and each blind wake
   * cost two Redis round trips (the pass's due read and the next-due read) and found nothing.
   */
  poke(dueAt?: number | null): void {
    if (dueAt === null) return;
    const at = dueAt ?? Number.NEGATIVE_INFINITY;
    if (!this.wake) {
      this.pokedFor = Math.min(this.pokedFor ?? Number.POSITIVE_INFINITY, at);
      return;
    }
    // `abort()` without a reason builds a DOMException, stack trace included, on every call, even on a signal
    // already aborted: 1.8 % of supervision's CPU in a megacity day. One reason, made once, and only the first
    // poke aborts.
    if (!this.wake.signal.aborted && at < this.sleepingUntil) this.wake.abort(POKED);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    await this.loop;
    this.loop = null;
    this.quiet();
  }
}

/**
 * A gate for work that gives way to the scheduler's firing: it waits while a wave is being fired, at most
 * `maxWaitMs`; after a wait it passes freely for `graceMs`, so a storm that goes on for minutes still lets
 * the waiting work run a share of the time instead of a step per `maxWaitMs`.
 */
export function givingWayTo(scheduler: Pick<Scheduler, 'whenQuiet'>, { maxWaitMs = 2_000, graceMs = 1_000 } = {}): () => Promise<void> | undefined {
  let freeUntil = 0;
  return () => {
    if (Date.now() < freeUntil) return undefined;
    const waiting = scheduler.whenQuiet(maxWaitMs);
    return waiting?.then(() => {
      freeUntil = Date.now() + graceMs;
    });
  };
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

interface Held {
  readonly state: DeadlineState;
  /** The stream's revision the state is at; null when the stream does not exist. */
  readonly revision: bigint | null;
}

