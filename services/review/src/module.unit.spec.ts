/**
 * The module on the in-process bus (the standalone composition's bus): the
 * consumer opens reviews from intake's contracts, the relay publishes review's.
 * The same flow runs against real Kafka and PostgreSQL in module.int.spec.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deadLetterHeaders } from '@govsvc/contracts/dead-letter';
import { deadLetterTopicOf, topicOf } from '@govsvc/contracts/topics';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { createInProcessBus } from '@govsvc/messaging/in-process-bus';
import { waitFor } from '@govsvc/messaging/wait-for';
import { reviewStream } from './domain/review-decider.ts';
import { collectContracts, intakeContracts, publishContract, reviewHarness, type Harness } from './test-harness.ts';

const ITEM = '11110000000021467Q4110105000';
let h: Harness;

beforeEach(async () => {
  h = await reviewHarness(createInMemoryEventStore(), { bus: createInProcessBus({ redeliveryDelayMs: 5 }) });
  await h.module.start();
});

afterEach(async () => {
  await h.module.stop();
  await h.close();
  await h.bus.close();
});

const auth = async (roles: ('reviewer' | 'chief')[], subject: string) => ({ authorization: `Bearer ${await h.token(roles, { subject, department: 'market-regulation' })}`, 'content-type': 'application/json' });

describe('review on the bus', () => {
  it('opens the review from intake.case-accepted, and publishes the decision and the licence through the relay', async () => {
    const caseId = 'BJ-2026-000300';
    const published = intakeContracts(caseId, ITEM);
    for (const [i, event] of published.entries()) await publishContract(h.bus, event, `evt-${caseId}-${i}`);
    // A redelivered acceptance (same CloudEvents id) and a re-sent one (new id) change nothing.
    await publishContract(h.bus, published[2]!, `evt-${caseId}-2`);
    await publishContract(h.bus, published[2]!, `evt-${caseId}-2-resent`);

    await waitFor(async () => (await h.module.service.readCase(caseId)).state.status === 'open', 'review opened');
    const opened = await h.module.service.getCase(caseId);
    expect(opened.state.item).toMatchObject({ itemName: '食品经营许可', resultName: '食品经营许可证', guideVersion: '3' });
    expect(opened.state.leadDepartment).toBe('market-regulation');

    const first = await h.app.inject({ method: 'POST', url: `/review/cases/${caseId}/signatures`, headers: await auth(['reviewer'], 'staff-h1'), payload: JSON.stringify({ role: 'handler', draft: { outcome: 'approve' } }) });
    expect(first.statusCode).toBe(201);
    const second = await h.app.inject({ method: 'POST', url: `/review/cases/${caseId}/signatures`, headers: await auth(['chief'], 'staff-c1'), payload: JSON.stringify({ role: 'chief-representative' }) });
    expect(second.statusCode).toBe(201);

    const out = await collectContracts(h.bus, topicOf('review'), 'test-reader');
    await waitFor(() => out.events.some((e) => e.type === 'review.licence-issued.v1'), 'licence contract published');
    await out.stop();
    const types = out.events.filter((e) => e.subject === caseId).map((e) => e.type);
    expect(types).toEqual(['review.applicant-notice-due.v1', 'review.decision-made.v1', 'review.applicant-notice-due.v1', 'review.licence-issued.v1']);
    // R-NOTIFY-1: what delivery needs to tell the applicant, without personal data.
    expect(out.events.filter((e) => e.subject === caseId && e.type === 'review.applicant-notice-due.v1').map((e) => e.data)).toMatchObject([
      { itemName: '食品经营许可', stage: 'under-review', nextStep: 'await-decision', applicant: { maskedId: '110105********002X' } },
      { itemName: '食品经营许可', stage: 'approved', nextStep: 'receive-licence' },
    ]);
    const decision = out.events.find((e) => e.type === 'review.decision-made.v1')!;
    expect(decision.data).toMatchObject({ caseId, outcome: 'approve', licenceForms: ['paper'], withinPromisedLimit: true, signatures: [{ role: 'handler' }, { role: 'chief-representative' }] });

    const events = await h.store.readStream(reviewStream(caseId));
    expect(events.map((e) => e.type)).toEqual(['SubmissionNoted', 'ReviewOpened', 'ApplicantNoticeDue', 'DecisionSigned', 'DecisionSigned', 'DecisionMade', 'ApplicantNoticeDue']);
    expect(events[1]!.metadata).toMatchObject({ caseId, guideVersion: '3', actor: { role: 'integration' } });
  });

  it('a message that is not a contract goes to the dead-letter topic and the consumer carries on', async () => {
    const dead: { reason: string }[] = [];
    const sub = await h.bus.subscribe({
      groupId: 'dlq-raw-reader',
      topics: [deadLetterTopicOf(topicOf('intake'))],
      fromBeginning: true,
      handler: async (m) => void dead.push({ reason: m.headers[deadLetterHeaders.reason]?.toString() ?? '' }),
    });
    await h.bus.publish(topicOf('intake'), [{ key: 'BJ-2026-000301', value: '{"not":"a cloud event"}', headers: { 'content-type': 'application/json' } }]);
    const caseId = 'BJ-2026-000302';
    for (const [i, event] of intakeContracts(caseId, ITEM).entries()) await publishContract(h.bus, event, `evt-${caseId}-${i}`);
    await waitFor(async () => (await h.module.service.readCase(caseId)).state.status === 'open', 'the next case still opens');
    await waitFor(() => dead.length === 1, 'dead letter written');
    expect(dead[0]!.reason).toBe('malformed');
    await sub.stop();
  });

  it('an acceptance whose submission was never seen is refused by rule and dead-lettered, nothing opened', async () => {
    const caseId = 'BJ-2026-000303';
    const dead: string[] = [];
    const sub = await h.bus.subscribe({
      groupId: 'dlq-reader-2',
      topics: [deadLetterTopicOf(topicOf('intake'))],
      fromBeginning: true,
      handler: async (m) => void dead.push(m.headers[deadLetterHeaders.reason]?.toString() ?? ''),
    });
    await publishContract(h.bus, intakeContracts(caseId, ITEM)[2]!, `evt-${caseId}-accepted`);
    await waitFor(() => dead.length === 1, 'dead letter written');
    expect(dead).toEqual(['handler-failed']);
    expect(await h.store.streamRevision(reviewStream(caseId))).toBeNull();
    await sub.stop();
  });

  it('R-COLLAB-1: an assisting department’s back-end answers over Kafka; review records it once and publishes review.opinion-given', async () => {
    const caseId = 'BJ-2026-000304';
    for (const [i, event] of intakeContracts(caseId, ITEM, { assisting: ['health'] }).entries()) await publishContract(h.bus, event, `evt-${caseId}-${i}`);
    await waitFor(async () => (await h.module.service.readCase(caseId)).state.status === 'open', 'review opened');
    const asked = await h.app.inject({
      method: 'POST',
      url: `/review/cases/${caseId}/opinion-requests`,
      headers: await auth(['reviewer'], 'staff-h1'),
      payload: JSON.stringify({ department: 'health', question: '卫生条件是否符合要求', dueInWorkingDays: 3 }),
    });
    const requestId = asked.json().opinionRequests[0].requestId as string;
    const answer = {
      type: 'department.opinion-submitted.v1' as const,
      data: { caseId, requestId, department: 'health', opinion: 'concur' as const, signedBy: { staffId: 'staff-a1', department: 'health' }, submittedAt: '2026-03-10T09:00:00+08:00' },
    };
    await publishContract(h.bus, answer, 'health-answer-1');
    await publishContract(h.bus, answer, 'health-answer-1-resent');
    await waitFor(async () => (await h.module.service.getCase(caseId)).state.opinionRequests.every((r) => r.answer !== null), 'opinion recorded');

    const out = await collectContracts(h.bus, topicOf('review'), 'opinion-reader');
    await waitFor(() => out.events.some((e) => e.type === 'review.opinion-given.v1' && e.subject === caseId), 'opinion-given published');
    await out.stop();
    expect(out.events.filter((e) => e.subject === caseId && e.type === 'review.opinion-given.v1').map((e) => e.data)).toEqual([
      { caseId, requestId, department: 'health', opinion: 'concur', givenAt: '2026-03-10T09:00:00+08:00', signedBy: { staffId: 'staff-a1', department: 'health' } },
    ]);
    const stored = await h.store.readStream(reviewStream(caseId));
    expect(stored.filter((e) => e.type === 'OpinionGiven')).toHaveLength(1);

    // With every opinion in, the lead signs.
    const signed = await h.app.inject({ method: 'POST', url: `/review/cases/${caseId}/signatures`, headers: await auth(['reviewer'], 'staff-h1'), payload: JSON.stringify({ role: 'handler', draft: { outcome: 'approve' } }) });
    expect(signed.statusCode).toBe(201);
  });

  it('R-COLLAB-1: an answer from a department that was not asked is dead-lettered with the rule', async () => {
    const caseId = 'BJ-2026-000305';
    for (const [i, event] of intakeContracts(caseId, ITEM, { assisting: ['health'] }).entries()) await publishContract(h.bus, event, `evt-${caseId}-${i}`);
    await waitFor(async () => (await h.module.service.readCase(caseId)).state.status === 'open', 'review opened');
    const asked = await h.app.inject({
      method: 'POST',
      url: `/review/cases/${caseId}/opinion-requests`,
      headers: await auth(['reviewer'], 'staff-h1'),
      payload: JSON.stringify({ department: 'health', question: '意见', dueInWorkingDays: 3 }),
    });
    const requestId = asked.json().opinionRequests[0].requestId as string;
    const dead: string[] = [];
    const sub = await h.bus.subscribe({
      groupId: 'dlq-department',
      topics: [deadLetterTopicOf(topicOf('department'))],
      fromBeginning: true,
      handler: async (m) => void dead.push(m.headers[deadLetterHeaders.error]?.toString() ?? ''),
    });
    await publishContract(h.bus, { type: 'department.opinion-submitted.v1', data: { caseId, requestId, department: 'tax', opinion: 'concur', signedBy: { staffId: 'staff-t1', department: 'tax' }, submittedAt: '2026-03-10T09:00:00+08:00' } }, 'tax-answer');
    await waitFor(() => dead.length === 1, 'dead letter written');
    expect(dead[0]).toContain('RuleViolation');
    expect((await h.module.service.getCase(caseId)).state.opinionRequests[0]?.answer).toBeNull();
    await sub.stop();
  });

  it('R-ACC-2: intake.tolerated-deficiency-lapsed on the bus makes the case refusal-only', async () => {
    const caseId = 'BJ-2026-000306';
    for (const [i, event] of intakeContracts(caseId, ITEM).entries()) await publishContract(h.bus, event, `evt-${caseId}-${i}`);
    await publishContract(
      h.bus,
      {
        type: 'intake.tolerated-deficiency-lapsed.v1',
        data: { caseId, notice: 'TD-306', materials: [{ materialId: 'm1', name: '营业执照' }], cause: 'still-defective', deadline: '2026-03-09', lapsedAt: '2026-03-10T00:00:00+08:00', consequence: 'refusal-decision-required' },
      },
      `evt-${caseId}-lapsed`,
    );
    await waitFor(async () => (await h.module.service.readCase(caseId)).state.status === 'open' && (await h.module.service.getCase(caseId)).state.lapse !== null, 'lapse noted');
    const view = await h.app.inject({ method: 'GET', url: `/review/cases/${caseId}`, headers: await auth(['reviewer'], 'staff-h1') });
    expect(view.json().refusalRequired).toEqual({ cause: 'still-defective', materials: [{ materialId: 'm1', name: '营业执照' }], deadline: '2026-03-09' });
    const approve = await h.app.inject({ method: 'POST', url: `/review/cases/${caseId}/signatures`, headers: await auth(['reviewer'], 'staff-h1'), payload: JSON.stringify({ role: 'handler', draft: { outcome: 'approve' } }) });
    expect(approve.statusCode).toBe(409);
    expect(approve.json()).toMatchObject({ rule: 'R-ACC-2' });
  });

  it('R-REV-4: supervision’s deem-renewal command on the bus deems the pending renewal granted at expiry; a re-fired command changes nothing', async () => {
    const caseId = 'BJ-2026-000307';
    await h.module.service.setReviewProfile(
      ITEM,
      { collectiveDecision: { required: false, legalBasis: null }, licence: { electronicAvailable: true, paperAbolished: false, validityMonths: 12, renewalLeadDays: 30 } },
      { staffId: 'admin', department: 'admin' },
      { actor: { id: 'admin', role: 'admin' }, correlationId: 'corr-profile' },
    );
    for (const [i, event] of intakeContracts(caseId, ITEM).entries()) await publishContract(h.bus, event, `evt-${caseId}-${i}`);
    await waitFor(async () => (await h.module.service.readCase(caseId)).state.status === 'open', 'review opened');
    await h.app.inject({ method: 'POST', url: `/review/cases/${caseId}/signatures`, headers: await auth(['reviewer'], 'staff-h1'), payload: JSON.stringify({ role: 'handler', draft: { outcome: 'approve' } }) });
    await h.app.inject({ method: 'POST', url: `/review/cases/${caseId}/signatures`, headers: await auth(['chief'], 'staff-c1'), payload: JSON.stringify({ role: 'chief-representative' }) });
    const licenceId = `LIC-${caseId}`;
    h.clock.set('2027-01-10T02:00:00.000Z');
    const applied = await h.module.service.applyForRenewal(licenceId, { actor: { id: 'applicant', role: 'applicant' }, correlationId: 'corr-renewal' });
    const renewalId = applied.state.status === 'issued' ? applied.state.renewals[0]!.renewalId : '';

    h.clock.set('2027-03-09T00:00:00.000Z'); // 08:00 on 9 March in Beijing: the licence ended with 8 March
    const command = (commandId: string, forCase: string) => ({
      type: 'supervision.deem-renewal-granted-command.v1' as const,
      data: { commandId, caseId: forCase, deadlineId: `dl-renewal-${forCase}`, requestedAt: '2027-03-09T08:00:00+08:00', licenceId, previousExpiry: '2027-03-08' },
    });
    // A stale command for another renewal case is ignored.
    await publishContract(h.bus, command('5b3c0a52-51a9-4a8f-9b51-000000000001', 'RNW-unrelated'), 'deem-stale');
    await publishContract(h.bus, command('5b3c0a52-51a9-4a8f-9b51-000000000002', renewalId), 'deem-1');
    await publishContract(h.bus, command('5b3c0a52-51a9-4a8f-9b51-000000000002', renewalId), 'deem-1-refired');
    await waitFor(async () => (await h.module.service.getLicence(licenceId)).state.validUntil === '2028-03-08', 'renewal deemed granted');
    const out = await collectContracts(h.bus, topicOf('review'), 'renewal-reader');
    await waitFor(() => out.events.some((e) => e.type === 'review.renewal-deemed-granted.v1'), 'deemed contract published');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await out.stop();
    expect(out.events.filter((e) => e.type === 'review.renewal-deemed-granted.v1').map((e) => e.data)).toEqual([
      { caseId: renewalId, licenceId, renewalAppliedAt: '2027-01-10T02:00:00.000Z', previousExpiry: '2027-03-08', renewedUntil: '2028-03-08', deemedAt: '2027-03-09T00:00:00.000Z' },
    ]);
    const verify = await h.app.inject({ method: 'GET', url: `/review/licences/${licenceId}/verify` });
    expect(verify.json()).toMatchObject({ signatureValid: true, inForce: true, validUntil: '2028-03-08' });
  });

  it('an acceptance whose guide never arrives is retried briefly, then opened under the item code rather than dropped', async () => {
    const caseId = 'BJ-2026-000308';
    const otherItem = '11110000000021467Q4110105777';
    const [, submitted, accepted] = intakeContracts(caseId, otherItem);
    await publishContract(h.bus, submitted!, `evt-${caseId}-submitted`);
    await publishContract(h.bus, accepted!, `evt-${caseId}-accepted`);
    await waitFor(async () => (await h.module.service.readCase(caseId)).state.status === 'open', 'review opened after the guide wait', 10_000);
    expect((await h.module.service.getCase(caseId)).state.item).toMatchObject({ itemCode: otherItem, itemName: otherItem });
  });

  it('R-ACC-2: intake.clock-suspended reaching past acceptance adds those working days to the decision deadline', async () => {
    const caseId = 'BJ-2026-000309';
    for (const [i, event] of intakeContracts(caseId, ITEM).entries()) await publishContract(h.bus, event, `evt-${caseId}-${i}`);
    await waitFor(async () => (await h.module.service.readCase(caseId)).state.status === 'open', 'review opened');
    const suspended = (noticeId: string, from: string, to: string) => ({
      type: 'intake.clock-suspended.v1' as const,
      data: { caseId, suspension: { from, to, reason: 'supplement' as const }, notice: { documentId: noticeId, kind: 'supplement-notice' }, recordedAt: '2026-03-06T09:00:00+08:00' },
    });
    // Before acceptance (2026-03-02): outside the decision limit already.
    await publishContract(h.bus, suspended('SN-early', '2026-02-26', '2026-03-02'), `evt-${caseId}-sn-early`);
    // Straddling acceptance: only 3 March counts (accepted on the 2nd, the limit runs from the 3rd).
    await publishContract(h.bus, suspended('SN-late', '2026-02-27', '2026-03-03'), `evt-${caseId}-sn-late`);
    await waitFor(async () => (await h.module.service.getCase(caseId)).state.excludedNotices.length === 1, 'supplement time applied');
    const { state } = await h.module.service.getCase(caseId);
    expect(state.decisionDue).toEqual({ date: '2026-03-17', provisional: false });
    expect(state.statutoryDue).toEqual({ date: '2026-03-31', provisional: false });
    expect(state.excludedNotices).toEqual(['SN-late']);
  });
});

