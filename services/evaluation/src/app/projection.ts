/**
 * The read side: statistics (R-EVAL-4, R-CONS-1) and the departments'
 * rectification inbox, folded from evaluation's own streams in global order.
 *
 * Kept in memory and rebuilt from the store at start: the store is the one
 * source, so a rebuild yields the same figures by construction (the
 * integration suite checks it). It tails with `readAll` after its position
 * rather than a stored-checkpoint subscription, since a checkpoint is
 * meaningless for a model that lives and dies with the process. Readers call
 * `catchUp()` first, so an API answer includes everything committed before it.
 */
import type { EventStore } from '@govsvc/eventstore/port';
import { applyToStatistics, emptyStatistics, type StatisticsModel } from '../domain/statistics.ts';
import type { EvaluationEvent } from '../domain/evaluation/events.ts';
import { EVALUATION_CATEGORIES, decodeForStatistics } from './streams.ts';

export interface InboxEntry {
  readonly caseId: string;
  readonly ratingId: string;
  department: string | null;
  readonly level: string;
  readonly submittedAt: string;
  dueDate: string;
  dueAt: string;
  status: 'open' | 'verified' | 'completed' | 'reopened' | 'closed-by-exclusion';
  withinLimit: boolean | null;
}

/** `levelOf` reads the level the statistics fold recorded from the RatingSubmitted appended just before. */
function applyToInbox(inbox: Map<string, InboxEntry>, event: EvaluationEvent, levelOf: (ratingId: string) => string | undefined): void {
  switch (event.type) {
    case 'RectificationOpened': {
      const d = event.data;
      inbox.set(d.ratingId, {
        caseId: d.caseId,
        ratingId: d.ratingId,
        department: d.department,
        level: levelOf(d.ratingId) ?? 'dissatisfied',
        submittedAt: d.openedAt,
        dueDate: d.dueDate,
        dueAt: d.dueAt,
        status: 'open',
        withinLimit: null,
      });
      return;
    }
    case 'ResponsibleDepartmentAssigned':
      for (const entry of inbox.values()) if (entry.caseId === event.data.caseId && entry.department === null) entry.department = event.data.department;
      return;
    case 'RectificationVerified': {
      const entry = inbox.get(event.data.ratingId);
      if (entry) entry.status = 'verified';
      return;
    }
    case 'RectificationFeedbackGiven': {
      const entry = inbox.get(event.data.ratingId);
      if (entry) {
        entry.status = 'completed';
        entry.withinLimit = event.data.withinLimit;
      }
      return;
    }
    case 'AppealDecided': {
      const entry = inbox.get(event.data.ratingId);
      if (entry && event.data.outcome === 'reopened' && event.data.reopenedDueDate !== null && event.data.reopenedDueAt !== null) {
        entry.status = 'reopened';
        entry.dueDate = event.data.reopenedDueDate;
        entry.dueAt = event.data.reopenedDueAt;
        entry.withinLimit = null;
      }
      return;
    }
    case 'RatingReviewed': {
      const entry = inbox.get(event.data.ratingId);
      if (entry && event.data.closesRectification) {
        entry.status = 'closed-by-exclusion';
        entry.withinLimit = event.data.withinLimit;
      }
      return;
    }
    default:
      return;
  }
}

export class EvaluationProjection {
  #model: StatisticsModel = emptyStatistics();
  readonly #inbox = new Map<string, InboxEntry>();
  #position = 0n;
  #running: Promise<void> | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;

  constructor(
    private readonly store: EventStore,
    private readonly options: { readonly pollIntervalMs?: number; readonly pageSize?: number; readonly onError?: (error: unknown) => void } = {},
  ) {}

  get position(): bigint {
    return this.#position;
  }

  get statistics(): StatisticsModel {
    return this.#model;
  }

  inbox(filter: { department?: string; status?: InboxEntry['status'] } = {}): InboxEntry[] {
    return [...this.#inbox.values()]
      .filter((e) => (filter.department === undefined || e.department === filter.department) && (filter.status === undefined || e.status === filter.status))
      .sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.ratingId < b.ratingId ? -1 : 1))
      .map((e) => ({ ...e }));
  }

  /** Folds everything committed so far; concurrent callers share one run. */
  catchUp(): Promise<void> {
    this.#running ??= this.#readToHead().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #readToHead(): Promise<void> {
    const pageSize = this.options.pageSize ?? 500;
    for (;;) {
      const page = await this.store.readAll({ after: this.#position, maxCount: pageSize, filter: { categories: EVALUATION_CATEGORIES } });
      for (const stored of page) {
        const event = decodeForStatistics(stored);
        if (event) {
          applyToStatistics(this.#model, event);
          if (stored.stream.startsWith('evaluation-')) applyToInbox(this.#inbox, event as EvaluationEvent, (id) => this.#model.ratings.get(id)?.level);
        }
        this.#position = stored.globalPosition;
      }
      if (page.length < pageSize) return;
    }
  }

  /** Polls for new events until `stop()`. */
  start(): void {
    const tick = async () => {
      if (this.#stopped) return;
      try {
        await this.catchUp();
      } catch (error) {
        this.options.onError?.(error);
      }
      if (!this.#stopped) this.#timer = setTimeout(() => void tick(), this.options.pollIntervalMs ?? 500);
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }
}
