/**
 * The read side: statistics (R-EVAL-4, R-CONS-1) and the departments'
 * rectification inbox, folded from evaluation's own streams in global order.
 *
 * Kept in memory and rebuilt from the store at start: the store is the one
 * source, so a rebuild yields the same figures by construction (the
 * integration suite checks it). Once started it tails the store with a
 * catch-up subscription of its own (a fresh checkpoint name per process: the
 * model lives and dies with the process), woken by the store's hints. Readers
 * call `catchUp()` first, so an API answer includes everything committed before it.
 *
 * It used to poll `readAll` after its position every 500 ms. That is no tail: a
 * transaction that commits after a later one is behind the position when it
 * becomes visible, and was never folded. And evaluation's events are few: each
 * poll scanned every other service's events since the last rating, 18 ms a poll
 * in the megacity day (pg_stat_statements), the second costliest statement there.
 * The subscription's cursor moves past what it scanned and waits at the horizon
 * of transactions still in flight (ADR 0002). Without `start()` (tests that fold
 * a store once), `catchUp()` still reads with `readAll`.
 */
import { randomUUID } from 'node:crypto';
import type { EventStore, StoredEvent, Subscription } from '@govsvc/eventstore/port';
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
  /** The rater's appeal, for the supervisor who decides it. */
  appeal: 'pending' | 'dismissed' | 'reopened' | null;
  /** The department asked for a review and no supervisor has reviewed yet. */
  reviewRequested: boolean;
  /** The feedback as published online (R-EVAL-4: 差评整改在线反馈); the latest one after a reopening. */
  feedback: { outcome: 'rectified' | 'explained'; text: string; givenAt: string } | null;
}

/** A complaint as the departments' and supervisors' lists show it (no complaint text: read the complaint for it). */
export interface ComplaintEntry {
  readonly complaintId: string;
  readonly caseId: string | null;
  readonly channel: string;
  readonly department: string;
  readonly receivedAt: string;
  readonly dueDate: string;
  readonly provisional: boolean;
  answeredAt: string | null;
  withinLimit: boolean | null;
}

/**
 * `levelOf` reads the level the statistics fold recorded from the RatingSubmitted appended just
 * before; `ratingsOf` the ids of a case's ratings (from the same fold, indexed by case).
 */
function applyToInbox(
  inbox: Map<string, InboxEntry>,
  event: EvaluationEvent,
  levelOf: (ratingId: string) => string | undefined,
  ratingsOf: (caseId: string) => readonly string[],
): void {
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
        appeal: null,
        reviewRequested: false,
        feedback: null,
      });
      return;
    }
    case 'RatingAppealed': {
      const entry = inbox.get(event.data.ratingId);
      if (entry) entry.appeal = 'pending';
      return;
    }
    case 'ResponsibleDepartmentAssigned':
      for (const ratingId of ratingsOf(event.data.caseId)) {
        const entry = inbox.get(ratingId);
        if (entry && entry.department === null) entry.department = event.data.department;
      }
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
        entry.feedback = { outcome: event.data.outcome, text: event.data.feedback, givenAt: event.data.givenAt };
      }
      return;
    }
    case 'AppealDecided': {
      const entry = inbox.get(event.data.ratingId);
      if (entry) entry.appeal = event.data.outcome;
      if (entry && event.data.outcome === 'reopened' && event.data.reopenedDueDate !== null && event.data.reopenedDueAt !== null) {
        entry.status = 'reopened';
        entry.dueDate = event.data.reopenedDueDate;
        entry.dueAt = event.data.reopenedDueAt;
        entry.withinLimit = null;
      }
      return;
    }
    case 'RatingReviewRequested': {
      const entry = inbox.get(event.data.ratingId);
      if (entry) entry.reviewRequested = true;
      return;
    }
    case 'RatingReviewed': {
      const entry = inbox.get(event.data.ratingId);
      if (entry) entry.reviewRequested = false;
      // An excluded rating takes no more handling: a pending appeal against its feedback falls away with it.
      if (entry && event.data.outcome !== 'stands' && entry.appeal === 'pending') entry.appeal = null;
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
  readonly #complaints = new Map<string, ComplaintEntry>();
  #position = 0n;
  #tail: Promise<void> = Promise.resolve();
  #subscription: Subscription | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly options: { readonly pageSize?: number; readonly onError?: (error: unknown) => void } = {},
  ) {}

  get position(): bigint {
    return this.#position;
  }

  get statistics(): StatisticsModel {
    return this.#model;
  }

  inbox(filter: { department?: string; status?: InboxEntry['status']; appeal?: NonNullable<InboxEntry['appeal']>; reviewRequested?: boolean } = {}): InboxEntry[] {
    return [...this.#inbox.values()]
      .filter(
        (e) =>
          (filter.department === undefined || e.department === filter.department) &&
          (filter.status === undefined || e.status === filter.status) &&
          (filter.appeal === undefined || e.appeal === filter.appeal) &&
          (filter.reviewRequested === undefined || e.reviewRequested === filter.reviewRequested),
      )
      .sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.ratingId < b.ratingId ? -1 : 1))
      .map((e) => ({ ...e, feedback: e.feedback && { ...e.feedback } }));
  }

  complaints(filter: { department?: string; answered?: boolean } = {}): ComplaintEntry[] {
    return [...this.#complaints.values()]
      .filter((c) => (filter.department === undefined || c.department === filter.department) && (filter.answered === undefined || (c.answeredAt !== null) === filter.answered))
      .sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : a.complaintId < b.complaintId ? -1 : 1))
      .map((c) => ({ ...c }));
  }

  /**
   * Folds everything committed before this call. Runs are serialized, and a call never just joins
   * a run already under way: that run may have read before the caller's own append, and an API
   * answer must include it.
   */
  catchUp(): Promise<void> {
    if (this.#subscription) return this.#subscription.caughtUp();
    const run = this.#tail.catch(() => undefined).then(() => this.#readToHead());
    this.#tail = run;
    return run;
  }

  async #readToHead(): Promise<void> {
    const pageSize = this.options.pageSize ?? 500;
    for (;;) {
      const page = await this.store.readAll({ after: this.#position, maxCount: pageSize, filter: { categories: EVALUATION_CATEGORIES } });
      this.#apply(page);
      if (page.length < pageSize) return;
    }
  }

  #apply(events: readonly StoredEvent[]): void {
    for (const stored of events) {
      const event = decodeForStatistics(stored);
      if (event) {
        applyToStatistics(this.#model, event);
        if (stored.stream.startsWith('evaluation-')) applyToInbox(
            this.#inbox,
            event as EvaluationEvent,
            (id) => this.#model.ratings.get(id)?.level,
            (caseId) => (this.#model.ratingsByCase.get(caseId) ?? []).map((f) => f.ratingId),
          );
        if (event.type === 'ComplaintReceived') {
          const d = event.data;
          this.#complaints.set(d.complaintId, {
            complaintId: d.complaintId,
            caseId: d.caseId,
            channel: d.channel,
            department: d.department,
            receivedAt: d.receivedAt,
            dueDate: d.dueDate,
            provisional: d.provisional,
            answeredAt: null,
            withinLimit: null,
          });
        } else if (event.type === 'ComplaintAnswered') {
          const entry = this.#complaints.get(event.data.complaintId);
          if (entry) {
            entry.answeredAt = event.data.answeredAt;
            entry.withinLimit = event.data.withinLimit;
          }
        }
      }
      this.#position = stored.globalPosition;
    }
  }

  /**
   * Folds the store from its first event again, now through a subscription that follows it until
   * `stop()`; `catchUp()` then waits for the subscription. A handler that throws (a stored event
   * that no longer decodes) ends it: `onError` says so, and `catchUp()` rejects from then on,
   * rather than answer from a model that stopped moving.
   */
  start(): void {
    if (this.#subscription) return;
    this.#model = emptyStatistics();
    this.#inbox.clear();
    this.#complaints.clear();
    this.#position = 0n;
    const subscription = this.store.subscribeToAll(
      { subscriptionId: `evaluation-read-side-${randomUUID()}`, filter: { categories: EVALUATION_CATEGORIES }, startAfter: 0n, batchSize: this.options.pageSize ?? 500, storeCheckpoints: false },
      async (events) => this.#apply(events),
    );
    subscription.finished.catch((error: unknown) => this.options.onError?.(error));
    this.#subscription = subscription;
  }

  async stop(): Promise<void> {
    await this.#subscription?.stop();
    await this.#tail.catch(() => undefined);
  }
}
