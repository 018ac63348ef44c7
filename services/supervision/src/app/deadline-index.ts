/**
 * The index of open deadlines: a projection of the deadline streams, sorted
 * by the next instant something fires (warning, breach, escalation), with a
 * small summary per deadline for the console. Losing it loses nothing: it is
 * rebuilt from the event store. Every write carries the stream revision it
 * was computed from and is ignored when the index already holds a later one,
 * so the projection and the scheduler may both write in any order.
 */
import type { ProjectionIntegrity } from '@govsvc/service-kit/projection-integrity';
import type { DeadlineState } from '../domain/deadline-decider.ts';
import { cardOf, nextFireAt } from '../domain/deadline-decider.ts';
import { DEADLINE_RULES } from '../domain/kinds.ts';

export type Card = 'warning' | 'yellow' | 'red';

/** One open deadline as the console shows it. */
export interface IndexEntry {
  readonly deadlineId: string;
  readonly caseId: string;
  readonly kind: string;
  readonly label: string;
  readonly step: string;
  readonly department: string;
  readonly centre: string;
  readonly itemCode: string;
  readonly itemName: string;
  readonly due: string;
  readonly dueAt: string;
  readonly card: Card | null;
  /** Instant (ms) the scheduler must look at it next; null when nothing more fires. */
  readonly nextAt: number | null;
  readonly revision: number;
}

/** One write of a batch: the entry of an open deadline, or the removal of a closed one. */
export type IndexChange = { readonly upsert: IndexEntry } | { readonly remove: { readonly deadlineId: string; readonly revision: number } };

export interface IndexFilter {
  readonly department?: string;
  readonly centre?: string;
  readonly itemCode?: string;
  readonly card?: Card;
}

/** Console summaries of deadlines at the revisions given (null when the stream has no such deadline). */
export type SummarySource = (items: readonly { readonly deadlineId: string; readonly revision: number }[]) => Promise<(IndexEntry | null)[]>;

/** The index's integrity marker (`ProjectionIntegrity`), kept for the name callers know. */
export type IndexIntegrity = ProjectionIntegrity;

export interface DeadlineIndex {
  /** Present where the index can be wiped independently of the event store (Redis). */
  readonly integrity?: ProjectionIntegrity;
  /**
   * Where summaries the index does not keep come from (the event store). An index that keeps
   * only what firing needs (Redis) then stores summaries of carded deadlines alone; without a
   * source it keeps every summary. The memory index keeps everything and ignores it.
   */
  useSummarySource?(source: SummarySource): void;
  /** Writes the entry unless the index holds a revision at least as new. Returns whether it wrote. */
  upsert(entry: IndexEntry): Promise<boolean>;
  /** Removes the deadline (closed) unless the index holds a later revision. */
  remove(deadlineId: string, revision: number): Promise<boolean>;
  /** Many writes in one round trip (projection batches, rebuilds): per item, whether it was written. */
  applyMany(changes: readonly IndexChange[]): Promise<boolean[]>;
  /**
   * Ids whose next instant is at or before `now`, earliest first; with `from`, only those whose
   * next instant is at or after it too (the scheduler's fresh lane).
   */
  due(now: number, limit: number, from?: number): Promise<string[]>;
  /** The earliest next instant, or null when nothing is scheduled. */
  nextDue(): Promise<number | null>;
  get(deadlineId: string): Promise<IndexEntry | null>;
  /** Open deadlines with a card (warning, yellow, red), filtered. */
  carded(filter?: IndexFilter): Promise<IndexEntry[]>;
  /** Every open deadline (for rebuild checks and metrics). */
  all(): Promise<IndexEntry[]>;
  countOpen(): Promise<number>;
  /** Forgets everything, including removal tombstones. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

/** The entry for a deadline's folded state at `revision`; null when it is closed (not in the index). */
export function entryOf(state: DeadlineState, revision: number): IndexEntry | null {
  const opened = state.opened;
  if (state.status !== 'open' || opened === null || state.schedule === null) return null;
  return {
    deadlineId: opened.deadlineId,
    caseId: opened.caseId,
    kind: opened.kind,
    label: DEADLINE_RULES[opened.kind].label,
    step: opened.step,
    department: opened.owner.department ?? '',
    centre: opened.owner.centre ?? '',
    itemCode: opened.owner.itemCode ?? '',
    itemName: opened.owner.itemName ?? '',
    due: state.schedule.due,
    dueAt: state.schedule.dueAt,
    card: cardOf(state),
    nextAt: nextFireAt(state),
    revision,
  };
}

export const matches = (entry: IndexEntry, filter: IndexFilter = {}): boolean =>
  (filter.department === undefined || entry.department === filter.department) &&
  (filter.centre === undefined || entry.centre === filter.centre) &&
  (filter.itemCode === undefined || entry.itemCode === filter.itemCode) &&
  (filter.card === undefined || entry.card === filter.card);

/** The in-memory index for the standalone process and tests: same rules as the Redis one. */
export function createMemoryDeadlineIndex(): DeadlineIndex {
  const entries = new Map<string, IndexEntry>();
  // Revisions of removed deadlines: a late write of an older revision must not resurrect them.
  const removed = new Map<string, number>();
  const newer = (id: string, revision: number) => {
    const held = entries.get(id)?.revision ?? removed.get(id) ?? -1;
    return revision > held;
  };
  const upsert = (entry: IndexEntry) => {
    if (!newer(entry.deadlineId, entry.revision)) return false;
    entries.set(entry.deadlineId, entry);
    return true;
  };
  const remove = (deadlineId: string, revision: number) => {
    if (!newer(deadlineId, revision)) return false;
    entries.delete(deadlineId);
    removed.set(deadlineId, revision);
    return true;
  };
  return {
    upsert: async (entry) => upsert(entry),
    remove: async (deadlineId, revision) => remove(deadlineId, revision),
    applyMany: async (changes) => changes.map((c) => ('upsert' in c ? upsert(c.upsert) : remove(c.remove.deadlineId, c.remove.revision))),
    async due(now, limit, from = -Infinity) {
      return [...entries.values()]
        .filter((e) => e.nextAt !== null && e.nextAt <= now && e.nextAt >= from)
        .sort((a, b) => a.nextAt! - b.nextAt! || (a.deadlineId < b.deadlineId ? -1 : 1))
        .slice(0, limit)
        .map((e) => e.deadlineId);
    },
    async nextDue() {
      let next: number | null = null;
      for (const e of entries.values()) if (e.nextAt !== null && (next === null || e.nextAt < next)) next = e.nextAt;
      return next;
    },
    async get(deadlineId) {
      return entries.get(deadlineId) ?? null;
    },
    async carded(filter) {
      return [...entries.values()].filter((e) => e.card !== null && matches(e, filter));
    },
    async all() {
      return [...entries.values()];
    },
    async countOpen() {
      return entries.size;
    },
    async clear() {
      entries.clear();
      removed.clear();
    },
    async close() {},
  };
}
