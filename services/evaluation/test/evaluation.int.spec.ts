/**
 * Evaluation on the real Kafka and PostgreSQL: intake's and delivery's
 * contracts arrive as CloudEvents on their topics, the rating flow runs over
 * HTTP, evaluation's contracts come out of the relay, and the statistics
 * rebuilt from the store equal the live ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIntegrationEvent, type DecodedIntegrationEvent } from '@govsvc/contracts/envelope';
import { examples } from '@govsvc/contracts/examples';
import type { DataOf, IntegrationEvent } from '@govsvc/contracts/registry';
import { topicOf } from '@govsvc/contracts/topics';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import type { BusSubscription, MessageBus } from '@govsvc/messaging/bus';
import { createTestKafkaBus } from '@govsvc/messaging/kafka-test-bus';
import { collect } from '@govsvc/messaging/test-support';
import { waitFor } from '@govsvc/messaging/wait-for';
import { uniqueGroupId } from '@govsvc/testkit/kafka';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { uniqueName } from '@govsvc/testkit/unique';
import { EvaluationProjection } from '../src/app/projection.ts';
import { evaluationStream } from '../src/app/streams.ts';
import { ratingStatistics } from '../src/domain/statistics.ts';
import { APPLICANT_REF, DEPARTMENT, evaluationHarness, type Harness } from '../src/test-harness.ts';

const CASE = `BJ-INT-${Date.now()}`;
const prefix = `test.${uniqueName('evaluation')}.`;
const topicFor = (topic: string) => `${prefix}${topic}`;

let schema: IsolatedSchema;
let store: EventStore;
let bus: MessageBus;
let h: Harness;
let published: { events: DecodedIntegrationEvent[]; subscription: BusSubscription };

async function send(event: IntegrationEvent, id: string): Promise<void> {
  const record = encodeIntegrationEvent(event, { id, time: new Date(), correlationId: `corr-${CASE}` });
  await bus.publish(topicFor(record.topic), [{ key: record.key, value: record.value, headers: record.headers }]);
}

beforeAll(async () => {
  schema = await createIsolatedSchema('evaluation_int');
  store = await createPostgresEventStore({ connectionString: schema.connectionString, pollIntervalMs: 50 });
  bus = await createTestKafkaBus('evaluation-int');
  h = await evaluationHarness(store, { bus, topicFor, consumerGroup: uniqueGroupId('evaluation'), now: '2026-03-10T02:00:00.000Z' });
  await h.module.start();
  published = await collect(bus, topicFor(topicOf('evaluation')), uniqueGroupId('evaluation-out'));
});

afterAll(async () => {
  await published?.subscription.stop();
  await h?.module.stop();
  await h?.close();
  await bus?.close();
  await store?.close();
  await schema?.drop();
});

const call = async (method: 'GET' | 'POST', url: string, roles: Parameters<Harness['token']>[0], who: Parameters<Harness['token']>[1], body?: object) =>
  h.app.inject({ method, url: `/evaluation${url}`, headers: { authorization: `Bearer ${await h.token(roles, who)}` }, ...(body && { payload: body }) });

describe('evaluation on Kafka and PostgreSQL', () => {
  it('R-EVAL-2: intake’s submission and acceptance, then delivery.result-delivered, become a rating invitation; a redelivery changes nothing', async () => {
    const submitted: DataOf<'intake.application-submitted.v1'> = {
      ...examples['intake.application-submitted.v1'],
      caseId: CASE,
      serviceCentre: 'BJ-CENTRE-01',
      applicant: { ...examples['intake.application-submitted.v1'].applicant, ref: APPLICANT_REF },
    };
    const acceptedExample = examples['intake.case-accepted.v2'];
    if (acceptedExample.basis !== 'decision') throw new Error('the example is a clerk’s decision');
    const accepted: DataOf<'intake.case-accepted.v2'> = { ...acceptedExample, caseId: CASE, acceptedBy: { staffId: 'S-1', department: DEPARTMENT } };
    const delivered: DataOf<'delivery.result-delivered.v1'> = { caseId: CASE, licenceId: null, method: 'electronic', electronicLicenceId: 'EL-1', deliveredAt: '2026-03-09T02:00:00.000Z' };

    await send({ type: 'intake.application-submitted.v1', data: submitted }, `${CASE}-submitted`);
    await send({ type: 'intake.case-accepted.v2', data: accepted }, `${CASE}-accepted`);
    await send({ type: 'delivery.result-delivered.v1', data: delivered }, `${CASE}-delivered`);

    // Intake's and delivery's topics are consumed independently: either fact may land first.
    await waitFor(
      async () => {
        const { state } = await h.module.service.readCase(CASE);
        return Object.keys(state.invitations).length === 1 && state.facts?.department === DEPARTMENT;
      },
      'rating invitation and responsible department',
      20_000,
    );
    const { state, revision } = await h.module.service.readCase(CASE);
    expect(state.facts).toEqual({ itemCode: submitted.itemCode, applicantRef: APPLICANT_REF, serviceCentre: 'BJ-CENTRE-01', department: DEPARTMENT });
    expect(Object.values(state.invitations)).toEqual([expect.objectContaining({ occasion: { kind: 'online', occasionId: CASE } })]);

    // The same CloudEvent again (a relay republishing after a crash): the store recognises its event ids.
    await send({ type: 'delivery.result-delivered.v1', data: delivered }, `${CASE}-delivered`);
    await send({ type: 'intake.case-accepted.v2', data: accepted }, `${CASE}-accepted-again`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await store.readStream(evaluationStream(CASE))).at(-1)?.revision).toBe(revision);
  });

  it('R-EVAL-3: a bad rating publishes its 7-day due date; verification, callback and feedback publish rectification-completed', async () => {
    const rated = await call('POST', `/cases/${CASE}/ratings`, ['applicant'], { subject: APPLICANT_REF }, { channel: 'mobile', level: 'dissatisfied', indicators: { efficiency: 2, result: 4 }, named: true });
    expect(rated.statusCode, rated.body).toBe(201);
    const ratingId = rated.json().ratingId as string;
    const staff = { subject: 'S-0042', department: DEPARTMENT };
    const base = `/cases/${CASE}/ratings/${ratingId}`;
    h.clock.set('2026-03-11T02:00:00.000Z');
    expect((await call('POST', `${base}/verification`, ['reviewer'], staff, { finding: 'substantiated', note: '审批超时属实' })).statusCode).toBe(201);
    expect((await call('POST', `${base}/callbacks`, ['clerk'], staff, { reached: true, summary: '电话回访，申请人认可' })).statusCode).toBe(201);
    h.clock.set('2026-03-12T02:00:00.000Z');
    expect((await call('POST', `${base}/feedback`, ['reviewer'], staff, { outcome: 'rectified', measures: '增派审批人员', feedback: '已增加审批力量，同类事项提速' })).statusCode).toBe(201);

    await waitFor(() => published.events.some((e) => e.type === 'evaluation.rectification-completed.v1'), 'rectification-completed on Kafka', 20_000);
    const ours = published.events.filter((e) => e.subject === CASE);
    expect(ours.map((e) => e.type)).toEqual([
      'evaluation.rating-invited.v1',
      'evaluation.rating-submitted.v1',
      'evaluation.rectification-opened.v1',
      'evaluation.rectification-completed.v1',
    ]);
    expect(ours[0]?.data).toMatchObject({ caseId: CASE, occasion: { kind: 'online', occasionId: CASE }, channels: expect.arrayContaining(['website', 'sms']) });
    expect(ours[1]?.data).toMatchObject({ caseId: CASE, ratingId, level: 'dissatisfied', rectificationDue: '2026-03-17', named: true, hasComment: false });
    // The due instant supervision tracks: the end of the 7th day in Beijing.
    expect(ours[2]?.data).toEqual({
      caseId: CASE,
      ratingId,
      department: DEPARTMENT,
      openedAt: '2026-03-10T02:00:00.000Z',
      dueDate: '2026-03-17',
      dueAt: '2026-03-17T23:59:59.999+08:00',
      reopened: false,
    });
    expect(ours[3]?.data).toEqual({
      caseId: CASE,
      ratingId,
      outcome: 'rectified',
      feedback: '已增加审批力量，同类事项提速',
      completedAt: '2026-03-12T02:00:00.000Z',
      withinLimit: true,
      feedbackPublishedAt: '2026-03-12T02:00:00.000Z',
    });
    // Personal data stays home: no comment text, no rater reference on the wire.
    expect(JSON.stringify(ours)).not.toContain(APPLICANT_REF);
  });

  it('R-EVAL-1: a complaint publishes its handling limit for supervision and its answer', async () => {
    const res = await call('POST', '/complaints', ['integration'], { subject: '12345-platform' }, { channel: '12345-hotline', caseId: CASE, department: DEPARTMENT, summary: '办事窗口推诿', limitWorkingDays: 3 });
    expect(res.statusCode, res.body).toBe(201);
    const complaintId = res.json().complaint.complaintId as string;
    expect((await call('POST', `/complaints/${complaintId}/answer`, ['clerk'], { subject: 'S-0042', department: DEPARTMENT }, { answer: '已致歉', handling: '约谈窗口人员' })).statusCode).toBe(201);
    await waitFor(() => published.events.some((e) => e.type === 'evaluation.complaint-answered.v1'), 'complaint-answered on Kafka', 20_000);
    const received = published.events.find((e) => e.type === 'evaluation.complaint-received.v1');
    expect(received?.data).toMatchObject({ caseId: CASE, complaintId, channel: '12345-hotline', department: DEPARTMENT, limitWorkingDays: 3 });
  });

  it('R-EVAL-4: statistics rebuilt from the store alone equal the live ones, through the API too', async () => {
    const query = { groupBy: 'department' as const, from: '2026-03-01', to: '2026-03-31', asOf: h.clock.now().toISOString() };
    await h.module.projection.catchUp();
    const live = ratingStatistics(h.module.projection.statistics, query);
    expect(live.total).toMatchObject({ ratings: 1, bad: 1, rectificationsDue: 1, rectifiedOnTime: 1, rectificationOnTimeRate: 1 });

    // A second store client on the same database: nothing shared with the live module but the rows.
    const other = await createPostgresEventStore({ connectionString: schema.connectionString, skipSchema: true });
    try {
      const rebuilt = new EvaluationProjection(other, { pageSize: 2 });
      await rebuilt.catchUp();
      expect(ratingStatistics(rebuilt.statistics, query)).toEqual(live);
      expect(rebuilt.inbox()).toEqual(h.module.projection.inbox());
    } finally {
      await other.close();
    }
    const api = await call('GET', '/statistics?groupBy=department&from=2026-03-01&to=2026-03-31', ['supervisor'], { subject: 'SUP-1' });
    expect(api.json()).toEqual(JSON.parse(JSON.stringify(live)));
  });
});
