import { describe, expect, it } from 'vitest';
import { caseFileDecider, caseFileEventDefinitions, type CaseFileEvent, type TrackedDeadline } from './case-file.ts';

const fold = (events: readonly CaseFileEvent[]) => events.reduce(caseFileDecider.evolve, caseFileDecider.initialState());
const acceptance: TrackedDeadline = { deadlineId: 'BJ-1:acceptance:submission', kind: 'acceptance', step: 'submission' };
const deemed: TrackedDeadline = { deadlineId: 'BJ-1:deemed-acceptance:submission', kind: 'deemed-acceptance', step: 'submission' };
const promised: TrackedDeadline = { deadlineId: 'BJ-1:decision-promised:case', kind: 'decision-promised', step: 'case' };

describe('the case file records the deadlines a contract opens (R-ACC-2, issue 7; rows stored, issue 8)', () => {
  it('in one DeadlinesTracked event per contract, each deadline once', () => {
    const events = caseFileDecider.decide({ type: 'TrackDeadlines', caseId: 'BJ-1', deadlines: [acceptance, deemed, acceptance] }, caseFileDecider.initialState());
    expect(events).toEqual([{ type: 'DeadlinesTracked', data: { caseId: 'BJ-1', deadlines: [acceptance, deemed] } }]);
    expect(fold(events).deadlines).toEqual([acceptance, deemed]);
  });

  it('records nothing for deadlines it tracks already (a redelivered contract), and only the new ones otherwise', () => {
    const state = fold([{ type: 'DeadlinesTracked', data: { caseId: 'BJ-1', deadlines: [acceptance, deemed] } }]);
    expect(caseFileDecider.decide({ type: 'TrackDeadlines', caseId: 'BJ-1', deadlines: [deemed, acceptance] }, state)).toEqual([]);
    expect(caseFileDecider.decide({ type: 'TrackDeadlines', caseId: 'BJ-1', deadlines: [acceptance, promised] }, state)).toEqual([
      { type: 'DeadlinesTracked', data: { caseId: 'BJ-1', deadlines: [promised] } },
    ]);
  });

  it('still reads the one-deadline DeadlineTracked events case files stored before', () => {
    const stored = [
      { caseId: 'BJ-1', ...acceptance },
      { caseId: 'BJ-1', ...deemed },
    ].map((data) => ({ type: 'DeadlineTracked' as const, data: caseFileEventDefinitions.DeadlineTracked.schema.parse(data) as CaseFileEvent['data'] }) as CaseFileEvent);
    const state = fold([...stored, { type: 'DeadlinesTracked', data: { caseId: 'BJ-1', deadlines: [promised] } }]);
    expect(state.deadlines).toEqual([acceptance, deemed, promised]);
    expect(caseFileDecider.decide({ type: 'TrackDeadlines', caseId: 'BJ-1', deadlines: [deemed] }, state)).toEqual([]);
  });

  it('refuses a DeadlinesTracked without deadlines', () => {
    expect(caseFileEventDefinitions.DeadlinesTracked.schema.safeParse({ caseId: 'BJ-1', deadlines: [] }).success).toBe(false);
  });
});
