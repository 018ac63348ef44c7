/**
 * A case through supervision on the in-process bus and the memory store:
 * contracts from intake, review and catalog open and close deadlines, the
 * scheduler fires on a controlled clock, and supervision publishes its
 * contracts and the automatic-outcome commands the owning services consume.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlledClock } from '@govsvc/runtime/clock';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import type { EventStore, ReadStreamOptions } from '@govsvc/eventstore/port';
import { guideFileStream } from '../src/domain/case-file.ts';
import { startHarness, type Harness } from './harness.ts';
import { readDeadline } from '../src/app/deadlines.ts';
import { deadlineIdOf } from '../src/domain/kinds.ts';
import { outcomeCommandId } from '../src/domain/deadline-decider.ts';

const itemCode = '11000000000000000A-0001-01';
const guide = { itemCode, guideVersion: '2025.2', itemType: '01' as const, promisedLimitWorkingDays: 10, statutoryLimitWorkingDays: 20, implementingBody: '北京市市场监督管理局', itemName: '食品经营许可' };
const submitted = (caseId: string, at: string) => ({ caseId, itemCode, guideVersion: '2025.2', serviceCentre: 'centre-chaoyang', submittedAt: at, acceptanceDue: { date: '2025-09-28', provisional: false }, collaboration: null });

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** The store, with every read of `stream` recorded. */
function readsOf<S extends EventStore>(inner: S, stream: string): { store: S; reads: string[] } {
  const reads: string[] = [];
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      if (property !== 'readStream') return Reflect.get(target, property, receiver);
      return (read: string, options?: ReadStreamOptions) => {
        if (read === stream) reads.push(read);
        return target.readStream(read, options);
      };
    },
  });
  return { store, reads };
}

const types = async (harness: Harness, deadlineId: string) => (await readDeadline(harness.store, deadlineId)).decoded.map((e) => e.type);

describe('supervision flow on the bus', () => {
  it('Licensing Law Art. 32 / R-ACC-2: no notice within 5 working days → yellow card and a deem-acceptance command to intake; intake’s deemed acceptance closes it', async () => {
    h = await startHarness({ start: '2025-09-26T09:00:00+08:00' });
    await h.publish('catalog.guide-published.v1', guide);
    const messageId = await h.publish('intake.application-submitted.v1', submitted('BJ-A1', '2025-09-26T10:00:00+08:00'));

    const acceptance = deadlineIdOf('BJ-A1', 'acceptance', 'submission');
    const deemed = deadlineIdOf('BJ-A1', 'deemed-acceptance', 'submission');
    const opened = (await readDeadline(h.store, deemed)).state;
    expect(opened.opened).toMatchObject({ due: '2025-10-10', owner: { department: '北京市市场监督管理局', centre: 'centre-chaoyang', itemCode, itemName: '食品经营许可' } });
    expect((await readDeadline(h.store, acceptance)).state.schedule?.due).toBe('2025-09-28'); // the adjusted working Sunday

    // Redelivery of the same message changes nothing.
    await h.publish('intake.application-submitted.v1', submitted('BJ-A1', '2025-09-26T10:00:00+08:00'), messageId);
    expect(await types(h, acceptance)).toEqual(['DeadlineOpened']);

    await h.tick('2025-09-28T08:00:00+08:00');
    expect(await types(h, acceptance)).toEqual(['DeadlineOpened', 'DeadlineWarned']);
    await h.tick('2025-09-29T00:00:00+08:00');
    expect(await types(h, acceptance)).toEqual(['DeadlineOpened', 'DeadlineWarned', 'DeadlineBreached']);
    expect((await h.module.index.get(acceptance))?.card).toBe('yellow');

    await h.tick('2025-10-11T00:00:00+08:00');
    // No pass ran on its warning day (2025-10-10): a warning after the fact is not sent.
    expect(await types(h, deemed)).toEqual(['DeadlineOpened', 'DeadlineBreached', 'AutomaticOutcomeRequested']);
    // The acceptance deadline's 1-day follow-up ran out long ago: red.
    expect((await h.module.index.get(acceptance))?.card).toBe('red');

    const published = await h.published();
    const command = published.find((e) => e.type === 'supervision.deem-acceptance-command.v1');
    expect(command?.data).toEqual({
      commandId: outcomeCommandId(deemed, 'deemed-accepted'),
      caseId: 'BJ-A1',
      deadlineId: deemed,
      receivedOn: '2025-09-26',
      noticeDue: '2025-10-10',
      requestedAt: '2025-10-10T16:00:00.000Z',
    });
    // One pass fires several deadlines concurrently: compare as a set.
    expect(published.filter((e) => e.type === 'supervision.deadline-breached.v1').map((e) => `${(e.data as { deadlineId: string }).deadlineId} ${(e.data as { card: string }).card}`).sort()).toEqual(
      [`${acceptance} red`, `${acceptance} yellow`, `${deemed} yellow`].sort(),
    );

    // Intake decides: deemed acceptance. It closes the deemed-acceptance deadline by its outcome and opens the decision limits from the guide.
    await h.publish('intake.case-accepted.v2', {
      caseId: 'BJ-A1',
      itemCode,
      guideVersion: '2025.2',
      basis: 'deemed',
      effectiveFrom: '2025-09-26',
      acceptedAt: '2025-10-11T00:00:05+08:00',
      toleratedDeficiencies: null,
    } as never);
    expect((await readDeadline(h.store, deemed)).state.closed?.resolution).toBe('automatic-outcome');
    expect((await readDeadline(h.store, acceptance)).state.closed?.resolution).toBe('late');
    const promised = (await readDeadline(h.store, deadlineIdOf('BJ-A1', 'decision-promised', 'case'))).state;
    // 10 working days from 2025-09-26: 9/28, 9/29, 9/30, 10/9, 10/10, 10/11 (调休), 10/13–10/16.
    expect(promised.schedule?.due).toBe('2025-10-16');
    expect(await h.module.index.get(acceptance)).toBeNull();
    expect((await h.published()).filter((e) => e.type === 'supervision.deadline-closed.v1').map((e) => (e.data as { resolution: string }).resolution)).toEqual(['met-late', 'automatic-outcome']);
  });

  it('docs/reliability.md finding 8: a submission delivered after its acceptance notes the case once and opens no acceptance deadline; a redelivered submission keeps the accepting department', async () => {
    h = await startHarness({ start: '2025-03-03T09:00:00+08:00' });
    await h.publish('catalog.guide-published.v1', guide);
    const caseEvents = async (caseId: string) => (await h!.store.readStream(`supervisedcase-${caseId}`)).map((e) => e.type);
    const accepted = (caseId: string) =>
      ({ caseId, itemCode, guideVersion: '2025.2', basis: 'decision', effectiveFrom: '2025-03-03', acceptedAt: '2025-03-03T10:00:00+08:00', toleratedDeficiencies: null, acceptedBy: { staffId: 'clerk-1', department: '朝阳区市场监督管理局' } }) as never;

    // Replayed out of order: the acceptance first, then the submission.
    await h.publish('intake.case-accepted.v2', accepted('BJ-O1'));
    await h.publish('intake.application-submitted.v1', submitted('BJ-O1', '2025-03-03T09:30:00+08:00'));
    expect(await caseEvents('BJ-O1')).toEqual(['CaseContextNoted', 'DeadlinesTracked']);
    expect((await readDeadline(h.store, deadlineIdOf('BJ-O1', 'acceptance', 'submission'))).decoded).toEqual([]);

    // In order, then the submission once more (a republish with a new message id): the clerk's department stays, nothing is noted again.
    await h.publish('intake.application-submitted.v1', submitted('BJ-O2', '2025-03-03T09:30:00+08:00'));
    await h.publish('intake.case-accepted.v2', accepted('BJ-O2'));
    const inOrder = await caseEvents('BJ-O2');
    await h.publish('intake.application-submitted.v1', submitted('BJ-O2', '2025-03-03T09:30:00+08:00'));
    expect(await caseEvents('BJ-O2')).toEqual(inOrder);
    expect(inOrder.filter((t) => t === 'CaseContextNoted')).toHaveLength(2); // the submission's context, then the accepting department
    const promised = (await readDeadline(h.store, deadlineIdOf('BJ-O2', 'decision-promised', 'case'))).state;
    expect(promised.opened?.owner.department).toBe('朝阳区市场监督管理局');
  });

  it('R-REV-1 / R-ACC-2: an acceptance records its two decision limits in the case file in one append, then writes its four deadline commands together (group commit), and a redelivery changes nothing', async () => {
    const inner = createInMemoryEventStore({ now: () => new Date('2025-03-03T02:00:00Z') });
    const appends: { stream: string; events: number }[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    // Each append takes a few milliseconds, as a commit does: appends issued one after another never overlap.
    const store: EventStore = Object.assign(Object.create(inner) as EventStore, {
      async appendToStream(...args: Parameters<EventStore['appendToStream']>) {
        appends.push({ stream: args[0], events: args[1].length });
        if (args[0].startsWith('deadline-')) mostInFlight = Math.max(mostInFlight, ++inFlight);
        try {
          await new Promise((r) => setTimeout(r, 5));
          return await inner.appendToStream(...args);
        } finally {
          if (args[0].startsWith('deadline-')) inFlight--;
        }
      },
    });
    h = await startHarness({ start: '2025-03-03T09:00:00+08:00', store });
    await h.publish('catalog.guide-published.v1', guide);
    await h.publish('intake.application-submitted.v1', submitted('BJ-G1', '2025-03-03T09:30:00+08:00'));
    appends.length = 0;
    mostInFlight = 0;
    const accepted = { caseId: 'BJ-G1', itemCode, guideVersion: '2025.2', basis: 'decision', effectiveFrom: '2025-03-03', acceptedAt: '2025-03-03T10:00:00+08:00', toleratedDeficiencies: null } as never;
    const messageId = await h.publish('intake.case-accepted.v2', accepted);

    // One append of one event: DeadlinesTracked lists both limits (before, one DeadlineTracked each).
    expect(appends.filter((a) => a.stream === 'supervisedcase-BJ-G1')).toEqual([{ stream: 'supervisedcase-BJ-G1', events: 1 }]);
    // The acceptance and deemed-acceptance deadlines closed, the promised and statutory decision limits opened.
    expect(appends.filter((a) => a.stream.startsWith('deadline-'))).toHaveLength(4);
    expect(mostInFlight).toBeGreaterThanOrEqual(3);
    expect((await readDeadline(h.store, deadlineIdOf('BJ-G1', 'decision-promised', 'case'))).state.schedule?.due).toBeDefined();
    expect((await readDeadline(h.store, deadlineIdOf('BJ-G1', 'acceptance', 'submission'))).state.closed).not.toBeNull();

    const before = await h.store.headPosition();
    await h.publish('intake.case-accepted.v2', accepted, messageId);
    expect(await h.store.headPosition()).toBe(before);
  });

  it('R-REV-1: excluded time suspends both decision limits, an extension moves them, the decision closes them; R-CAT-11: a late step is carded while the case is on time', async () => {
    h = await startHarness({ start: '2025-03-03T09:00:00+08:00' });
    await h.publish('catalog.guide-published.v1', guide);
    await h.publish('intake.case-accepted.v2', { caseId: 'BJ-R1', itemCode, guideVersion: '2025.2', basis: 'decision', effectiveFrom: '2025-03-03', acceptedAt: '2025-03-03T10:00:00+08:00', toleratedDeficiencies: null } as never);
    const statutory = deadlineIdOf('BJ-R1', 'decision-statutory', 'case');
    const promised = deadlineIdOf('BJ-R1', 'decision-promised', 'case');
    expect((await readDeadline(h.store, statutory)).state.schedule?.due).toBe('2025-03-31');

    await h.publish('review.step-started.v1', { caseId: 'BJ-R1', stepId: 'site-inspection', limitWorkingDays: 2, startedAt: '2025-03-04T09:00:00+08:00' });
    await h.publish('review.time-excluded.v1', { caseId: 'BJ-R1', exclusionId: 'x1', reason: 'expert-review', from: '2025-03-10', excludedAt: '2025-03-07T17:00:00+08:00' });
    await h.tick('2025-03-07T00:00:00+08:00');
    const step = deadlineIdOf('BJ-R1', 'step', 'site-inspection');
    expect(await types(h, step)).toEqual(['DeadlineOpened', 'DeadlineBreached']);
    expect((await h.module.index.get(promised))?.card).toBeNull();

    // Suspended: nothing fires, even long after the old due dates.
    await h.tick('2025-04-10T00:00:00+08:00');
    expect(await types(h, statutory)).toEqual(['DeadlineOpened', 'DeadlineSuspended']);
    await h.publish('review.time-exclusion-ended.v1', { caseId: 'BJ-R1', exclusionId: 'x1', until: '2025-03-14', endedAt: '2025-03-14T17:00:00+08:00' });
    expect((await readDeadline(h.store, statutory)).state.schedule?.due).toBe('2025-04-08'); // 5 working days later, across 清明 (4/4)
    await h.publish('review.time-limit-extended.v1', { caseId: 'BJ-R1', extensionWorkingDays: 10, authority: 'agency-head', extendedAt: '2025-03-20T10:00:00+08:00' } as never);
    expect((await readDeadline(h.store, statutory)).state.schedule?.due).toBe('2025-04-22');

    await h.publish('review.decision-made.v1', {
      caseId: 'BJ-R1',
      decidedAt: '2025-04-18T10:00:00+08:00',
      outcome: 'approve',
      licenceForms: ['electronic'],
      decision: { documentId: 'doc-decision-0001', kind: 'approval-decision' },
    } as never);
    expect((await readDeadline(h.store, statutory)).state.closed?.resolution).toBe('met');
    expect((await readDeadline(h.store, promised)).state.closed?.resolution).toBe('late');
    // Approval opens the Art. 44 licence deadline: 10 working days from 2025-04-18.
    expect((await readDeadline(h.store, deadlineIdOf('BJ-R1', 'licence-issuance', 'doc-decision-0001'))).state.schedule?.due).toBe('2025-05-06');
    // Delivery schedules the result's delivery (Art. 44) and later delivers it: opened, then closed in time.
    await h.publish('delivery.result-delivery-scheduled.v1', { caseId: 'BJ-R1', deliveryId: 'dlv-1', decidedAt: '2025-04-18T10:00:00+08:00', scheduledAt: '2025-04-18T10:00:01+08:00' });
    const delivery = deadlineIdOf('BJ-R1', 'result-delivery', 'dlv-1');
    expect((await readDeadline(h.store, delivery)).state.schedule?.due).toBe('2025-05-06');
    await h.publish('delivery.result-delivered.v1', { caseId: 'BJ-R1', deliveredAt: '2025-04-25T15:00:00+08:00' } as never);
    expect((await readDeadline(h.store, delivery)).state.closed?.resolution).toBe('met');
  });

  it('R-REV-4: a renewal undecided at expiry sends deem-renewal-granted to review; R-ACC-2: lapsed tolerated deficiencies send the lapse to intake', async () => {
    h = await startHarness({ start: '2025-03-20T09:00:00+08:00' });
    await h.publish('review.renewal-applied.v1', { caseId: 'BJ-N1', licenceId: 'lic-9', licenceExpiry: '2025-04-30', appliedAt: '2025-03-20T09:30:00+08:00' });
    await h.publish('intake.case-accepted.v2', {
      caseId: 'BJ-T1',
      basis: 'decision',
      effectiveFrom: '2025-03-20',
      acceptedAt: '2025-03-20T10:00:00+08:00',
      toleratedDeficiencies: {
        items: [{ materialId: 'm-floor-plan', name: '经营场所平面图', problem: 'missing', detail: '未提交' }],
        deadline: { date: '2025-03-27', provisional: false },
        notice: { documentId: 'doc-tol-1', kind: 'tolerated-deficiency-notice' },
      },
    } as never);
    await h.tick('2025-05-01T00:00:00+08:00');
    const commands = (await h.published()).filter((e) => e.type.endsWith('-command.v1'));
    expect(commands.map((c) => [c.type, (c.data as { caseId: string }).caseId])).toEqual(
      expect.arrayContaining([
        ['supervision.deem-renewal-granted-command.v1', 'BJ-N1'],
        ['supervision.lapse-tolerated-deficiency-command.v1', 'BJ-T1'],
      ]),
    );
    expect(commands.find((c) => c.type === 'supervision.deem-renewal-granted-command.v1')?.data).toMatchObject({ licenceId: 'lic-9', previousExpiry: '2025-04-30' });
    // Firing again later sends nothing new.
    await h.tick('2025-05-02T00:00:00+08:00');
    expect((await h.published()).filter((e) => e.type.endsWith('-command.v1'))).toHaveLength(2);
  });
});

describe('supervision flow: the guide a contract is decided on', () => {
  it('issue 8: a contract reads its case file once, and its own commands on the file start from that read: one that notes nothing new reads no more', async () => {
    const clock = new ControlledClock('2025-03-03T09:00:00+08:00');
    const { store, reads: caseFileReads } = readsOf(createInMemoryEventStore({ now: () => clock.now() }), 'supervisedcase-BJ-F1');
    h = await startHarness({ start: '2025-03-03T09:00:00+08:00', clock, store });
    await h.publish('catalog.guide-published.v1', guide);
    await h.publish('intake.application-submitted.v1', submitted('BJ-F1', '2025-03-03T09:30:00+08:00'));
    const accepted = { caseId: 'BJ-F1', itemCode, guideVersion: '2025.2', basis: 'decision', effectiveFrom: '2025-03-03', acceptedAt: '2025-03-03T10:00:00+08:00', toleratedDeficiencies: null } as never;
    await h.publish('intake.case-accepted.v2', accepted);
    caseFileReads.length = 0;
    // The same acceptance published again (a new message, not a redelivery): its context patch and its deadlines are
    // in the file already, and those empty decisions are answered on the read the contract was planned on.
    const before = await h.store.headPosition();
    await h.publish('intake.case-accepted.v2', accepted);
    expect(caseFileReads).toHaveLength(1);
    expect(await h.store.headPosition()).toBe(before);
  });

  it('issue 8: a guide version this process holds is not read again per contract; one noted elsewhere since is read, and its limits apply', async () => {
    const clock = new ControlledClock('2025-03-03T09:00:00+08:00');
    const inner = createInMemoryEventStore({ now: () => clock.now() });
    const { store, reads: guideReads } = readsOf(inner, guideFileStream(itemCode));
    h = await startHarness({ start: '2025-03-03T09:00:00+08:00', clock, store });
    const accepted = (caseId: string, guideVersion: string) =>
      ({ caseId, itemCode, guideVersion, basis: 'decision', effectiveFrom: '2025-03-03', acceptedAt: '2025-03-03T10:00:00+08:00', toleratedDeficiencies: null }) as never;
    const statutoryDue = async (caseId: string) => (await readDeadline(h!.store, deadlineIdOf(caseId, 'decision-statutory', 'case'))).state.schedule?.due;

    await h.publish('catalog.guide-published.v1', guide);
    const readsAfterPublishing = guideReads.length;
    await h.publish('intake.case-accepted.v2', accepted('BJ-G1', '2025.2'));
    await h.publish('intake.case-accepted.v2', accepted('BJ-G2', '2025.2'));
    expect(guideReads.length).toBe(readsAfterPublishing);
    expect(await statutoryDue('BJ-G2')).toBe('2025-03-31');

    // Another supervision instance notes version 2026.1 (statutory limit 10 working days): this one has not seen it.
    await inner.appendToStream(
      guideFileStream(itemCode),
      [{ id: randomUUID(), type: 'GuideNoted', schemaVersion: 1, data: { ...guide, guideVersion: '2026.1', statutoryLimitWorkingDays: 10 }, metadata: { correlationId: randomUUID(), actor: { id: 'supervision', role: 'system' } } }],
      { expectedRevision: 0n },
    );
    await h.publish('intake.case-accepted.v2', accepted('BJ-G3', '2026.1'));
    expect(guideReads.length).toBeGreaterThan(readsAfterPublishing);
    expect(await statutoryDue('BJ-G3')).toBe('2025-03-17');
  });
});

describe('supervision flow: renewals decided in time, rectifications reopened on appeal', () => {
  it('R-REV-4: a renewal decided before expiry closes its deadline: no deemed grant follows', async () => {
    h = await startHarness({ start: '2025-03-20T09:00:00+08:00' });
    await h.publish('review.renewal-applied.v1', { caseId: 'BJ-N2', licenceId: 'lic-10', licenceExpiry: '2025-04-30', appliedAt: '2025-03-20T09:30:00+08:00' });
    await h.publish('review.renewal-decided.v1', { caseId: 'BJ-N2', licenceId: 'lic-10', decidedAt: '2025-04-20T10:00:00+08:00', outcome: 'grant', renewedUntil: '2030-04-30' } as never);
    expect((await readDeadline(h.store, deadlineIdOf('BJ-N2', 'renewal', 'lic-10'))).state.closed?.resolution).toBe('met');
    await h.tick('2025-05-01T00:00:00+08:00');
    expect((await h.published()).filter((e) => e.type.endsWith('-command.v1'))).toEqual([]);
  });

  it('R-EVAL-3: evaluation opens a rectification for the department; an upheld appeal reopens it with a new due day; completion closes both', async () => {
    h = await startHarness({ start: '2025-03-20T09:00:00+08:00' });
    await h.publish('evaluation.rectification-opened.v1', { caseId: 'BJ-E1', ratingId: 'r-1', department: '朝阳区市场监督管理局', openedAt: '2025-03-20T09:00:00+08:00', dueDate: '2025-03-27', dueAt: '2025-03-27T23:59:59.999+08:00', reopened: false });
    const first = (await readDeadline(h.store, deadlineIdOf('BJ-E1', 'rating-rectification', 'r-1'))).state;
    expect(first.opened).toMatchObject({ due: '2025-03-27', unit: 'calendar-days', owner: { department: '朝阳区市场监督管理局' } });
    await h.publish('evaluation.rectification-completed.v1', { caseId: 'BJ-E1', ratingId: 'r-1', completedAt: '2025-03-25T10:00:00+08:00' });
    await h.publish('evaluation.rectification-opened.v1', { caseId: 'BJ-E1', ratingId: 'r-1', department: '朝阳区市场监督管理局', openedAt: '2025-04-01T09:00:00+08:00', dueDate: '2025-04-08', dueAt: '2025-04-08T23:59:59.999+08:00', reopened: true });
    const reopened = deadlineIdOf('BJ-E1', 'rating-rectification', 'r-1.reopened.2025-04-08');
    expect((await readDeadline(h.store, reopened)).state.schedule?.due).toBe('2025-04-08');
    await h.tick('2025-04-09T00:00:00+08:00');
    expect((await h.module.index.get(reopened))?.card).toBe('yellow');
    await h.publish('evaluation.rectification-completed.v1', { caseId: 'BJ-E1', ratingId: 'r-1', completedAt: '2025-04-09T10:00:00+08:00' });
    expect((await readDeadline(h.store, reopened)).state.closed?.resolution).toBe('late');
    expect((await readDeadline(h.store, deadlineIdOf('BJ-E1', 'rating-rectification', 'r-1'))).state.closed?.resolution).toBe('met');
  });
});
