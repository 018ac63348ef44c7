/**
 * Test support (specs only): acceptance deadlines opened for `cases` cases on a real working
 * calendar, opened 2025-03-03 10:00 and so due 2025-03-04 (breached from 2025-03-05), or opened
 * on another working day (`openedOn`) and due the working day after it.
 */
import { civilDate } from '@govsvc/calendar/civil-date';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import type { EventStore } from '@govsvc/eventstore/port';
import { deadlineIdOf } from '../domain/kinds.ts';
import { executeDeadline } from './deadlines.ts';

export async function openAcceptanceDeadlines(store: EventStore, cases: number, calendar: WorkingCalendar, casePrefix = 'BJ-S', openedOn = '2025-03-03'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < cases; i++) {
    const caseId = `${casePrefix}${i}`;
    const deadlineId = deadlineIdOf(caseId, 'acceptance', 'submission');
    ids.push(deadlineId);
    await executeDeadline(
      store,
      deadlineId,
      {
        type: 'OpenDeadline', deadlineId, caseId, kind: 'acceptance', step: 'submission', openedAt: `${openedOn}T10:00:00+08:00`, start: civilDate(openedOn),
        owner: { department: '北京市市场监督管理局', centre: 'centre-chaoyang', itemCode: 'ITEM-1', itemName: '食品经营许可', guideVersion: '1' }, cause: 'intake.application-submitted.v1', calendar,
      },
      { seed: `open:${deadlineId}`, correlationId: caseId },
    );
  }
  return ids;
}
