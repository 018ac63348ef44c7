/**
 * Review tasks per department (issue 5: "review tasks per department"): the
 * lead's decision tasks and the assisting departments' opinion tasks of every
 * undecided case, each with its due date. A projection of the review streams,
 * kept in memory and rebuilt from the store after a restart. Once started it
 * follows the store with a catch-up subscription of its own (a fresh checkpoint
 * name per process) and a read waits for it, so a read includes every event
 * committed before it. Paging `readAll` after the last event folded, as it did
 * before, is no tail: an event committing after a later one was never folded
 * (the evaluation read side had the same flaw; ADR 0002). Not started (tests
 * that fold a store once), a read still pages with `readAll`.
 */
import { randomUUID } from 'node:crypto';
import type { EventStore, StoredEvent, Subscription } from '@govsvc/eventstore/port';
import type { Deadline } from '../domain/values.ts';
import { reviewCodec } from './review-service.ts';

interface OpinionTask {
  readonly requestId: string;
  readonly department: string;
  readonly due: Deadline;
  answered: boolean;
}

interface CaseEntry {
  readonly caseId: string;
  readonly itemName: string;
  readonly leadDepartment: string;
  readonly assistingDepartments: readonly string[];
  decisionDue: Deadline;
  decided: boolean;
  readonly opinions: OpinionTask[];
}

export type Task =
  | { readonly kind: 'decide'; readonly caseId: string; readonly itemName: string; readonly due: Deadline; readonly waitingForOpinions: readonly string[] }
  | { readonly kind: 'opinion'; readonly caseId: string; readonly itemName: string; readonly requestId: string; readonly due: Deadline; readonly leadDepartment: string };

const TRACKED = ['ReviewOpened', 'OpinionRequested', 'OpinionGiven', 'DecisionMade', 'TimeLimitExtended', 'ClockResumed', 'SupplementTimeExcluded'];

export class TaskBoard {
  private readonly cases = new Map<string, CaseEntry>();
  private position = 0n;
  private catchingUp: Promise<void> | null = null;
  private subscription: Subscription | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly options: {
      readonly onError?: (error: unknown) => void;
      /** Told the stream of each case it sees opened, by whichever instance opened it. */
      readonly onOpened?: (stream: string) => void;
    } = {},
  ) {}

  /**
   * Refolds from the first event through a subscription that follows the store until `stop()`.
   * An event it cannot fold ends it: `onError` says so, and `caughtUp()` rejects from then on.
   */
  start(): void {
    if (this.subscription) return;
    this.cases.clear();
    this.position = 0n;
    const subscription = this.store.subscribeToAll(
      { subscriptionId: `review-task-board-${randomUUID()}`, filter: { categories: ['review'], eventTypes: TRACKED }, startAfter: 0n, batchSize: 500, storeCheckpoints: false },
      async (events) => this.applyAll(events),
    );
    subscription.finished.catch((error: unknown) => this.options.onError?.(error));
    this.subscription = subscription;
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  /** Everything committed before the call is folded once this resolves. */
  caughtUp(): Promise<void> {
    return this.subscription ? this.subscription.caughtUp() : this.catchUp();
  }

  /** Without a subscription: pages everything appended since the last read; concurrent callers share one catch-up. */
  private catchUp(): Promise<void> {
    this.catchingUp ??= (async () => {
      try {
        for (;;) {
          const batch = await this.store.readAll({ after: this.position, maxCount: 500, filter: { categories: ['review'], eventTypes: TRACKED } });
          this.applyAll(batch);
          if (batch.length < 500) return;
        }
      } finally {
        this.catchingUp = null;
      }
    })();
    return this.catchingUp;
  }

  private applyAll(events: readonly StoredEvent[]): void {
    for (const stored of events) {
      const event = reviewCodec.decode(stored);
      this.apply(stored.stream.slice('review-'.length), event);
      this.position = stored.globalPosition;
      if (event.type === 'ReviewOpened') this.options.onOpened?.(stored.stream);
    }
  }

  private apply(caseId: string, event: ReturnType<typeof reviewCodec.decode>): void {
    if (event.type === 'ReviewOpened') {
      const d = event.data;
      this.cases.set(caseId, {
        caseId,
        itemName: d.item.itemName,
        leadDepartment: d.leadDepartment,
        assistingDepartments: d.assistingDepartments,
        decisionDue: d.decisionDue,
        decided: false,
        opinions: [],
      });
      return;
    }
    const entry = this.cases.get(caseId);
    if (!entry) return;
    switch (event.type) {
      case 'OpinionRequested':
        entry.opinions.push({ requestId: event.data.requestId, department: event.data.department, due: event.data.due, answered: false });
        return;
      case 'OpinionGiven': {
        const task = entry.opinions.find((o) => o.requestId === event.data.requestId);
        if (task) task.answered = true;
        return;
      }
      case 'DecisionMade':
        entry.decided = true;
        return;
      case 'TimeLimitExtended':
      case 'ClockResumed':
      case 'SupplementTimeExcluded':
        entry.decisionDue = event.data.newDue;
        return;
      default:
        return;
    }
  }

  /** Open tasks of a department, earliest due first. */
  async tasksOf(department: string): Promise<Task[]> {
    await this.caughtUp();
    const tasks: Task[] = [];
    for (const c of this.cases.values()) {
      if (c.decided) continue;
      if (c.leadDepartment === department) {
        const waiting = c.assistingDepartments.filter((d) => !c.opinions.some((o) => o.department === d) || c.opinions.some((o) => o.department === d && !o.answered));
        tasks.push({ kind: 'decide', caseId: c.caseId, itemName: c.itemName, due: c.decisionDue, waitingForOpinions: waiting });
      }
      for (const o of c.opinions) {
        if (o.department === department && !o.answered) {
          tasks.push({ kind: 'opinion', caseId: c.caseId, itemName: c.itemName, requestId: o.requestId, due: o.due, leadDepartment: c.leadDepartment });
        }
      }
    }
    return tasks.sort((a, b) => (a.due.date < b.due.date ? -1 : a.due.date > b.due.date ? 1 : a.caseId.localeCompare(b.caseId)));
  }
}
