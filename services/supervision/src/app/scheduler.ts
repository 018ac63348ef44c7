/**
 * The scheduler: on the injected Clock, takes the deadlines whose next
 * instant (warning, breach, escalation) has come from the index, and lets
 * each deadline's decider decide what fires. Batches of due deadlines are
 * handled with bounded parallelism; a wall clock and a controlled clock run
 * the same code (tests advance the clock, production sleeps).
 *
 * A crash between appending a firing and updating the index leaves a stale
 * index entry: the next pass re-reads the stream, finds the firing recorded,
 * decides nothing, and corrects the entry. Nothing fires twice.
 */
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import type { EventStore } from '@govsvc/eventstore/port';
import type { Clock } from '@govsvc/runtime/clock';
import type { DeadlineEvent } from '../domain/deadline-events.ts';
import { changeOf, executeDeadline } from './deadlines.ts';
import type { DeadlineIndex, IndexChange } from './deadline-index.ts';

export interface SchedulerOptions {
  readonly store: EventStore;
  readonly index: DeadlineIndex;
  readonly clock: Clock;
  readonly calendar: () => WorkingCalendar;
  /** Due deadlines taken per pass (default 1000). */
  readonly batchSize?: number;
  /** Deadlines handled at once within a pass (default 32). */
  readonly concurrency?: number;
  /** Longest sleep between passes when nothing is due sooner (default 5 s). */
  readonly idleMs?: number;
  readonly onFired?: (events: readonly DeadlineEvent[]) => void;
  readonly onError?: (error: unknown, deadlineId: string) => void;
}

export class Scheduler {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: AbortController | null = null;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly idleMs: number;

  constructor(private readonly options: SchedulerOptions) {
    this.batchSize = options.batchSize ?? 1000;
    this.concurrency = options.concurrency ?? 32;
    this.idleMs = options.idleMs ?? 5_000;
  }

  /** One pass: fires everything due now. Returns how many deadlines were looked at. */
  async runOnce(): Promise<number> {
    const now = this.options.clock.now();
    const ids = await this.options.index.due(now.getTime(), this.batchSize);
    const changes: IndexChange[] = [];
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        try {
          const change = await this.fire(id, now);
          if (change) changes.push(change);
        } catch (error) {
          this.options.onError?.(error, id);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, ids.length) }, worker));
    // The pass's index writes in one round trip. Until they land the entries stay due; a pass that
    // sees them again re-reads the streams and decides nothing.
    await this.options.index.applyMany(changes);
    return ids.length;
  }

  private async fire(deadlineId: string, now: Date): Promise<IndexChange | null> {
    const { store, calendar } = this.options;
    const at = now.toISOString();
    // Seeded by the pass's instant: an exact retry of this pass recognises its own events; any other
    // writer (another pass, another instance) is turned away by the expected revision and, re-reading,
    // finds the firing recorded and decides nothing.
    const result = await executeDeadline(store, deadlineId, { type: 'FireDue', now: at, calendar: calendar() }, {
      seed: `fire:${deadlineId}@${at}`,
      correlationId: `deadline:${deadlineId}`,
    });
    if (result.events.length > 0) this.options.onFired?.(result.events);
    return changeOf(result.state, result.revision);
  }

  /** Runs passes until stopped, sleeping on the clock until the next due instant (or a poke). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const handled = await this.runOnce().catch(() => 0);
        if (!this.running) break;
        if (handled >= this.batchSize) continue; // more may be due right now
        const nextDue = await this.options.index.nextDue().catch(() => null);
        const idleUntil = this.options.clock.now().getTime() + this.idleMs;
        const until = new Date(nextDue === null ? idleUntil : Math.min(nextDue, idleUntil));
        this.wake = new AbortController();
        await this.options.clock.sleepUntil(until, this.wake.signal).catch(() => undefined);
        this.wake = null;
      }
    })();
  }

  /** Something new may be due sooner than the scheduler sleeps: look again now. */
  poke(): void {
    this.wake?.abort();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    await this.loop;
    this.loop = null;
  }
}
