/**
 * Review tasks per department (issue 5: "review tasks per department"): the
 * lead's decision tasks and the assisting departments' opinion tasks of every
 * undecided case, each with its due date. A projection of the review streams,
 * kept in memory and brought up to date incrementally from the store's global
 * order on every read, so it needs no checkpoint of its own and is rebuilt
 * from the store after a restart.
 */
import type { EventStore } from '@govsvc/eventstore/port';
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

  constructor(private readonly store: EventStore) {}

  /** Applies everything appended since the last read; concurrent callers share one catch-up. */
  private catchUp(): Promise<void> {
    this.catchingUp ??= (async () => {
      try {
        for (;;) {
          const batch = await this.store.readAll({ after: this.position, maxCount: 500, filter: { categories: ['review'], eventTypes: TRACKED } });
          for (const stored of batch) {
            this.apply(stored.stream.slice('review-'.length), reviewCodec.decode(stored));
            this.position = stored.globalPosition;
          }
          if (batch.length < 500) return;
        }
      } finally {
        this.catchingUp = null;
      }
    })();
    return this.catchingUp;
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
    await this.catchUp();
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
