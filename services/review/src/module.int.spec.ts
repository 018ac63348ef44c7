/**
 * Review against the real PostgreSQL event store and the real Kafka broker:
 * intake's contracts arrive on Kafka, the review opens in PostgreSQL, the
 * decision and licence contracts leave on Kafka. Topics carry a per-run prefix
 * and the schema is per file, so the suite shares the broker and database
 * with everything else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicOf } from '@govsvc/contracts/topics';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import type { SqlEventStore } from '@govsvc/eventstore/sql/sql-event-store';
import type { MessageBus } from '@govsvc/messaging/bus';
import { createTestKafkaBus } from '@govsvc/messaging/kafka-test-bus';
import { waitFor } from '@govsvc/messaging/wait-for';
import { uniqueGroupId } from '@govsvc/testkit/kafka';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { uniqueName } from '@govsvc/testkit/unique';
import { reviewStream } from './domain/review-decider.ts';
import { collectContracts, intakeContracts, publishContract, reviewHarness, type Harness } from './test-harness.ts';

const ITEM = '11110000000021467Q4110105000';
let schema: IsolatedSchema;
let store: SqlEventStore;
let bus: MessageBus;
let h: Harness;
let prefix: string;
const topicFor = (topic: string) => `${prefix}${topic}`;

beforeAll(async () => {
  schema = await createIsolatedSchema('review');
  store = await createPostgresEventStore({ connectionString: schema.connectionString, pollIntervalMs: 50 });
  bus = await createTestKafkaBus(uniqueName('review-int'));
  prefix = `${uniqueName('rv')}.`;
  h = await reviewHarness(store, { bus, topicFor, consumerGroup: uniqueGroupId('review') });
  await h.module.start();
});

afterAll(async () => {
  await h?.module.stop();
  await h?.close();
  await bus?.close();
  await store?.close();
  await schema?.drop();
});

const staff = async (roles: ('reviewer' | 'chief')[], subject: string) => ({
  authorization: `Bearer ${await h.token(roles, { subject, department: 'market-regulation' })}`,
  'content-type': 'application/json',
});

describe('review on real Kafka and PostgreSQL', () => {
  it('consumes intake.case-accepted from Kafka, decides in PostgreSQL, publishes decision and licence contracts to Kafka', async () => {
    const caseId = uniqueName('BJ').replace(/_/g, '-');
    for (const [i, event] of intakeContracts(caseId, ITEM).entries()) await publishContract(bus, event, `${caseId}-${i}`, topicFor);
    await waitFor(async () => (await h.module.service.readCase(caseId)).state.status === 'open', 'review opened from Kafka', 30_000, 50);

    const first = await h.app.inject({ method: 'POST', url: `/review/cases/${caseId}/signatures`, headers: await staff(['reviewer'], 'staff-h1'), payload: JSON.stringify({ role: 'handler', draft: { outcome: 'approve' } }) });
    expect(first.statusCode).toBe(201);
    const second = await h.app.inject({ method: 'POST', url: `/review/cases/${caseId}/signatures`, headers: await staff(['chief'], 'staff-c1'), payload: JSON.stringify({ role: 'chief-representative' }) });
    expect(second.statusCode).toBe(201);

    const out = await collectContracts(bus, topicFor(topicOf('review')), uniqueGroupId('reader'));
    try {
      await waitFor(() => out.events.some((e) => e.type === 'review.licence-issued.v1' && e.subject === caseId), 'licence contract on Kafka', 30_000, 50);
    } finally {
      await out.stop();
    }
    const mine = out.events.filter((e) => e.subject === caseId && e.type !== 'review.applicant-notice-due.v1');
    expect(mine.map((e) => e.type)).toEqual(['review.decision-made.v1', 'review.licence-issued.v1']);
    expect(mine[1]!.data).toMatchObject({ caseId, licenceId: `LIC-${caseId}`, forms: ['paper'] });
    // The CloudEvents id is the stored event id: a relay replay is recognisably the same event.
    const stored = await store.readStream(reviewStream(caseId));
    expect(stored.find((e) => e.type === 'DecisionMade')?.id).toBe(mine[0]!.id);
  });

  it('two signatures racing on one case in PostgreSQL: one wins, the other gets 412, and the stream stays gapless', async () => {
    // Story: three handlers load the case at the same revision and all sign; each reads
    // revision 2 and appends expecting 2; PostgreSQL lets exactly one through.
    const caseId = uniqueName('BJ').replace(/_/g, '-');
    for (const [i, event] of intakeContracts(caseId, ITEM).entries()) await publishContract(bus, event, `${caseId}-${i}`, topicFor);
    await waitFor(async () => (await h.module.service.readCase(caseId)).state.status === 'open', 'review opened', 30_000, 50);
    const results = await Promise.all(
      ['staff-h1', 'staff-h2', 'staff-h3'].map(async (who) =>
        h.app.inject({ method: 'POST', url: `/review/cases/${caseId}/signatures`, headers: await staff(['reviewer'], who), payload: JSON.stringify({ role: 'handler', draft: { outcome: 'approve' } }) }),
      ),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    // The losers either lost the append (412) or, reading after the winner, met the rule that a second signature is the chief's (409).
    expect(codes.every((c) => c === 201 || c === 412 || c === 409)).toBe(true);
    const revisions = (await store.readStream(reviewStream(caseId))).map((e) => e.revision);
    expect(revisions).toEqual([0n, 1n, 2n, 3n]);
  });
});
