/**
 * Issue 6's whole journey ("All three") across separately running processes
 * on the real Kafka, PostgreSQL and Redis and a real SMTP server: a decided
 * case → the applicant's e-mail received → postal hand-over → the local
 * carrier's signed webhooks at courier → delivered → evaluation invites a
 * rating → the applicant rates 不满意 over HTTP → a rectification opens with
 * its 7-day due instant on Kafka → the department verifies, calls back and
 * feeds back → evaluation.rectification-completed.v1 on Kafka.
 *
 * Delivery and courier come from the exported harness; evaluation's own
 * `src/main.ts` runs beside them as a third process on the same event store
 * and topic prefix. Intake is played by this driver: it publishes intake's
 * contracts (submission, acceptance, delivery preferences) and review's
 * decision and licence, as those services would.
 */
import { randomUUID } from 'node:crypto';
import { decodeIntegrationEvent, type DecodedIntegrationEvent } from '@govsvc/contracts/envelope';
import { examples } from '@govsvc/contracts/examples';
import { sealContact } from '@govsvc/contracts/sealed-contact';
import { topicOf } from '@govsvc/contracts/topics';
import type { BusSubscription, MessageBus } from '@govsvc/messaging/bus';
import { createTestKafkaBus } from '@govsvc/messaging/kafka-test-bus';
import { waitFor } from '@govsvc/messaging/wait-for';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicantRef, contact, decisionEvent, licenceEvent, publish } from '../support.ts';
import { freePort, startPostalJourney, startService, stopProcess, type PostalJourneyHarness, type RunningService } from './harness.ts';

const DEPARTMENT = '北京市市场监督管理局';
const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3_600_000;

let harness: PostalJourneyHarness;
let evaluation: RunningService | undefined;
let bus: MessageBus;
let collector: BusSubscription | undefined;
const published: DecodedIntegrationEvent[] = [];

/** The rectification limit as R-EVAL-3 states it: the end of the 7th calendar day after the rating's Beijing day. */
function rectificationDueOf(openedAt: string): { dueDate: string; dueAt: string } {
  const beijingDay = new Date(Date.parse(openedAt) + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
  const dueDate = new Date(Date.parse(`${beijingDay}T00:00:00Z`) + 7 * DAY_MS).toISOString().slice(0, 10);
  return { dueDate, dueAt: `${dueDate}T23:59:59.999+08:00` };
}

async function call(service: RunningService, method: string, path: string, bearer: string, body?: unknown) {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

beforeAll(async () => {
  // The local carrier's first scan comes 0.5 h after the shipment is created; at the default scale (40 000×) that is
  // 45 ms, which a loaded machine can beat to the waybill's own record (the scan then goes missing). 4 000×: 0.45 s
  // to the pick-up, ~20 s to delivery.
  harness = await startPostalJourney({ carrierTimeScale: 4_000 });
  evaluation = await startService(
    'evaluation',
    {
      DATABASE_URL: harness.databaseUrl,
      KAFKA_BROKERS: harness.kafkaBrokers,
      REDIS_URL: harness.redisUrl,
      // Evaluation prepends its prefix as given; delivery and courier join theirs with a dot.
      TOPIC_PREFIX: `${harness.topicPrefix}.`,
    },
    await freePort(),
  );
  bus = await createTestKafkaBus(`${harness.topicPrefix}-driver`);
  collector = await bus.subscribe({
    groupId: `${harness.topicPrefix}-collector`,
    topics: [harness.topicFor(topicOf('delivery')), harness.topicFor(topicOf('courier')), harness.topicFor(topicOf('evaluation'))],
    fromBeginning: true,
    handler: async (m) => void published.push(decodeIntegrationEvent(m)),
  });
});

afterAll(async () => {
  await collector?.stop();
  await bus?.close();
  if (evaluation) await stopProcess(evaluation.process);
  await harness?.stop();
});

describe('decided case → notification → postal delivery → courier webhooks → delivered → rating → bad rating → rectification → feedback (issue 6, all three)', () => {
  it('R-NOTIFY-1, R-DELIV-1, R-COURIER-1, R-EVAL-2, R-EVAL-3: the whole journey across the delivery, courier and evaluation processes', async () => {
    const eva = evaluation!;
    // Courier claims each carrier webhook delivery once in the real Redis: its readiness checks it.
    expect(await (await fetch(`${harness.courier.url}/health/ready`)).text()).toContain('redis-replay-guard');
    const caseId = `case-${randomUUID()}`;
    const caseNumber = `京110105-20250310-${caseId.slice(-6)}`;
    const ofCase = (type: string) => published.filter((e) => e.subject === caseId && e.type === type);

    // Intake's contracts: the application (applicant ref), its acceptance (the department), the delivery preferences.
    const applicant = { kind: 'person' as const, maskedId: '110105********002X', ref: applicantRef };
    await publish(bus, harness.topicFor, { type: 'intake.application-submitted.v1', data: { ...examples['intake.application-submitted.v1'], caseId, applicant } });
    const accepted = examples['intake.case-accepted.v2'];
    if (accepted.basis !== 'decision') throw new Error('the example is a clerk’s decision');
    await publish(bus, harness.topicFor, { type: 'intake.case-accepted.v2', data: { ...accepted, caseId, acceptedBy: { staffId: 'staff-0042', department: DEPARTMENT } } });
    await publish(bus, harness.topicFor, {
      type: 'intake.delivery-preferences-recorded.v1',
      data: {
        ...examples['intake.delivery-preferences-recorded.v1'],
        caseId,
        caseNumber,
        applicant,
        notificationChannels: ['email'],
        resultDelivery: { method: 'post' },
        contact: sealContact(contact, caseId, harness.contactKeys),
      },
    });

    // The decision: the applicant is told by e-mail, received by the SMTP server (after the acceptance notice).
    await publish(bus, harness.topicFor, decisionEvent(caseId));
    const subjects = () => harness.sink.received.filter((m) => m.parsed.subject?.includes(caseNumber)).map((m) => m.parsed.subject);
    await waitFor(() => subjects().includes(`【北京政务服务】办件${caseNumber}准予许可`), 'decision e-mail at the SMTP server', 60_000);

    // The licence goes by post: courier's waybill, the carrier's signed webhooks, delivered.
    await publish(bus, harness.topicFor, licenceEvent(caseId));
    await waitFor(() => ofCase('delivery.result-delivered.v1').length === 1, 'delivered after the courier journey', 90_000);
    const statuses = ofCase('courier.shipment-status-changed.v1').map((e) => (e.data as { status: string }).status);
    expect(statuses).toEqual(['created', 'picked-up', 'in-transit', 'out-for-delivery', 'delivered']);
    const waybillId = (ofCase('courier.shipment-status-changed.v1')[0]!.data as { waybillId: string }).waybillId;
    expect(ofCase('delivery.result-delivered.v1')[0]!.data).toMatchObject({ method: 'post', waybillId, licenceId: `lic-${caseId}` });

    await waitFor(() => subjects().includes(`【北京政务服务】办件${caseNumber}办理结果已送达`), 'delivered e-mail', 60_000);
    expect([...subjects()].sort()).toEqual(
      ['已受理', '准予许可', '食品经营许可证已制作完成', '办理结果已送达'].map((what) => `【北京政务服务】办件${caseNumber}${what}`).sort(),
    );

    // Evaluation follows delivery: a rating invitation for the online matter (postal delivery closes it).
    await waitFor(() => ofCase('evaluation.rating-invited.v1').length === 1, 'evaluation.rating-invited.v1 after delivery', 60_000);
    expect(ofCase('evaluation.rating-invited.v1')[0]!.data).toMatchObject({ occasion: { kind: 'online', occasionId: caseId } });
    const applicantToken = await eva.auth.token(['applicant'], { subject: applicantRef });
    const invited = await call(eva, 'GET', `/evaluation/cases/${caseId}/ratings`, applicantToken);
    expect(invited.status, invited.text).toBe(200);
    expect(invited.json()).toMatchObject({ caseId, department: DEPARTMENT, ratings: [] });
    expect(invited.json().invitations).toHaveLength(1);

    // Someone else's token sees no such case.
    const stranger = await eva.auth.token(['applicant'], { subject: randomUUID() });
    expect((await call(eva, 'GET', `/evaluation/cases/${caseId}/ratings`, stranger)).status).toBe(404);

    // The applicant rates 不满意, naming what went wrong: a rectification opens in the same append.
    const before = Date.now();
    const rated = await call(eva, 'POST', `/evaluation/cases/${caseId}/ratings`, applicantToken, {
      channel: 'website',
      level: 'dissatisfied',
      indicators: { efficiency: 2, attitude: 4 },
      comment: '邮寄等待时间较长',
    });
    expect(rated.status, rated.text).toBe(201);
    const ratingId = rated.json().ratingId as string;
    expect(ratingId).toEqual(expect.any(String));

    await waitFor(() => ofCase('evaluation.rectification-opened.v1').length === 1, 'evaluation.rectification-opened.v1 on Kafka', 60_000);
    const opened = ofCase('evaluation.rectification-opened.v1')[0]!.data as { ratingId: string; department: string; openedAt: string; dueDate: string; dueAt: string; reopened: boolean };
    expect(Date.parse(opened.openedAt)).toBeGreaterThanOrEqual(before - 1_000);
    expect(Date.parse(opened.openedAt)).toBeLessThanOrEqual(Date.now());
    expect(opened).toMatchObject({ ratingId, department: DEPARTMENT, reopened: false, ...rectificationDueOf(opened.openedAt) });
    expect(ofCase('evaluation.rating-submitted.v1')).toHaveLength(1);

    // The department's inbox holds it open.
    const staff = await eva.auth.token(['reviewer'], { subject: 'staff-0042', department: DEPARTMENT });
    const inbox = await call(eva, 'GET', '/evaluation/rectifications?status=open', staff);
    expect(inbox.status, inbox.text).toBe(200);
    expect((inbox.json().items as { ratingId: string }[]).map((i) => i.ratingId)).toContain(ratingId);

    // Verify, call the named rater back, feed back.
    const base = `/evaluation/cases/${caseId}/ratings/${ratingId}`;
    const verified = await call(eva, 'POST', `${base}/verification`, staff, { finding: 'substantiated', note: '邮寄交接环节延误属实' });
    expect(verified.status, verified.text).toBe(201);
    const calledBack = await call(eva, 'POST', `${base}/callbacks`, staff, { reached: true, summary: '已电话回访申请人，说明延误原因' });
    expect(calledBack.status, calledBack.text).toBe(201);
    const fed = await call(eva, 'POST', `${base}/feedback`, staff, { outcome: 'rectified', measures: '当日制证当日交寄', feedback: '已优化证照邮寄交接流程' });
    expect(fed.status, fed.text).toBe(201);

    await waitFor(() => ofCase('evaluation.rectification-completed.v1').length === 1, 'evaluation.rectification-completed.v1 on Kafka', 60_000);
    expect(ofCase('evaluation.rectification-completed.v1')[0]!.data).toMatchObject({ ratingId, outcome: 'rectified', feedback: '已优化证照邮寄交接流程', withinLimit: true });
    expect(published.filter((e) => e.subject === caseId && e.type.startsWith('evaluation.')).map((e) => e.type)).toEqual([
      'evaluation.rating-invited.v1',
      'evaluation.rating-submitted.v1',
      'evaluation.rectification-opened.v1',
      'evaluation.rectification-completed.v1',
    ]);
    const done = await call(eva, 'GET', '/evaluation/rectifications?status=completed', staff);
    expect((done.json().items as { ratingId: string }[]).map((i) => i.ratingId)).toContain(ratingId);
  });
});
