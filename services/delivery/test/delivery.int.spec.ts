/**
 * The delivery service on the real PostgreSQL event store and the real Kafka
 * broker, sending e-mail through a real SMTP server process (R-NOTIFY-1,
 * R-DELIV-1). Topics carry a per-run prefix so runs never see each other's
 * messages.
 */
import { randomUUID } from 'node:crypto';
import { loadCalendar } from '@govsvc/calendar/data-files';
import { decodeIntegrationEvent, type DecodedIntegrationEvent } from '@govsvc/contracts/envelope';
import { topicOf } from '@govsvc/contracts/topics';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import type { BusSubscription, MessageBus } from '@govsvc/messaging/bus';
import { createTestKafkaBus } from '@govsvc/messaging/kafka-test-bus';
import { waitFor } from '@govsvc/messaging/wait-for';
import { systemClock } from '@govsvc/runtime/clock';
import { randomIds } from '@govsvc/runtime/ids';
import { buildApp, type App } from '@govsvc/service-kit/app';
import { createTestAuth, testAppDeps, type TestAuth } from '@govsvc/service-kit/testing';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { uniqueName } from '@govsvc/testkit/unique';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEd25519Signer } from '../src/adapters/document-signer.ts';
import { createLocalProvider, LocalOutbox } from '../src/adapters/local-provider.ts';
import { createSmtpEmailSender } from '../src/adapters/smtp-email.ts';
import { createDeliveryModule, type DeliveryModule } from '../src/module.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';
import { applicantRef, contactKeys, decisionEvent, licenceEvent, preferencesEvent, publish } from './support.ts';

const prefix = uniqueName('dlv');
/** Kafka-dependent waits: the broker is shared with other suites and can be slow under load. */
const KAFKA_WAIT_MS = 45_000;
const topicFor = (topic: string) => `${prefix}.${topic}`;

let schema: IsolatedSchema;
let store: EventStore;
let bus: MessageBus;
let sink: SmtpSink;
let module: DeliveryModule;
let app: App;
let auth: TestAuth;
let published: DecodedIntegrationEvent[];
let collector: BusSubscription;
const outbox = new LocalOutbox();
let logs: { text: string } | undefined;

beforeAll(async () => {
  [schema, sink, auth] = await Promise.all([createIsolatedSchema('delivery'), startSmtpSink(), createTestAuth('delivery')]);
  store = await createPostgresEventStore({ connectionString: schema.connectionString });
  bus = await createTestKafkaBus(prefix);
  const deps = testAppDeps(auth, 'delivery', 'warn');
  logs = deps.logs;
  module = createDeliveryModule({
    store,
    bus,
    clock: systemClock,
    ids: randomIds,
    logger: deps.logger,
    calendar: await loadCalendar(),
    senders: {
      email: createSmtpEmailSender({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true, from: '北京市政务服务中心 <noreply@zwfw.example>', timeoutMs: 5_000 }),
      sms: createLocalProvider('sms', outbox, systemClock),
      phone: createLocalProvider('phone', outbox, systemClock),
    },
    signer: createEd25519Signer('test-key'),
    contactKeys,
    outbox,
    retry: { maxAttempts: 3, delaysMs: [150, 300] },
    names: { consumerGroup: `${prefix}-delivery`, relay: `${prefix}-relay` },
    topicFor,
  });
  app = await buildApp(deps, { serviceName: 'delivery', version: 'test' });
  await app.register(module.routes, { prefix: '/delivery' });
  await module.start();
  published = [];
  collector = await bus.subscribe({
    groupId: `${prefix}-collector`,
    topics: [topicFor(topicOf('delivery'))],
    fromBeginning: true,
    handler: async (message) => void published.push(decodeIntegrationEvent(message)),
  });
});

afterAll(async () => {
  if (process.env.DELIVERY_TEST_LOGS) console.log(logs?.text);
  await collector?.stop();
  await module?.stop();
  await app?.close();
  await bus?.close();
  await store?.close();
  await sink?.stop();
  await schema?.drop();
});

const mailTo = (caseNumber: string) => sink.received.filter((m) => m.parsed.subject?.includes(caseNumber));
const token = (roles: Parameters<TestAuth['token']>[0], subject = 'staff-1') => auth.token(roles, { subject });

describe('delivery on Kafka, PostgreSQL and SMTP', { timeout: 120_000 }, () => {
  it('R-NOTIFY-1 / R-DELIV-1: a decision and a licence consumed from Kafka → e-mails received by the SMTP server, SMS in the outbox; post hands over with the Art. 44 deadline; courier’s delivered → result-delivered published', async () => {
    const caseId = `case-${randomUUID()}`;
    const prefs = preferencesEvent(caseId);
    const caseNumber = (prefs.data as { caseNumber: string }).caseNumber;
    // The decision arrives before the applicant's preferences: different topics, no order between them.
    await publish(bus, topicFor, decisionEvent(caseId));
    await publish(bus, topicFor, prefs);
    await waitFor(() => mailTo(caseNumber).length >= 1, 'decision e-mail received', KAFKA_WAIT_MS);
    const decided = mailTo(caseNumber)[0]!;
    expect(decided.to).toEqual(['zhangsan@example.cn']);
    expect(decided.parsed.subject).toBe(`【北京政务服务】办件${caseNumber}准予许可`);
    expect(decided.parsed.text).toContain('张三您好');
    expect(decided.parsed.text).toContain('“食品经营许可”');
    expect(decided.parsed.text).not.toMatch(/\d{17}[\dX]/);
    await waitFor(() => outbox.list().some((e) => e.kind === 'sms' && e.text.includes(caseNumber) && e.to === '138****5678'), 'SMS in the local provider’s outbox, number masked', KAFKA_WAIT_MS);

    const licenceMessageId = await publish(bus, topicFor, licenceEvent(caseId));
    // Redelivered (same CloudEvents id): nothing is sent twice.
    await publish(bus, topicFor, licenceEvent(caseId), licenceMessageId);
    await waitFor(() => mailTo(caseNumber).length >= 2, 'licence e-mail received', KAFKA_WAIT_MS);
    expect(mailTo(caseNumber)[1]!.parsed.text).toContain('快递寄送');
    expect(mailTo(caseNumber)[1]!.parsed.text).toContain('法定送达期限：2025年4月3日前');

    await waitFor(() => published.some((e) => e.subject === caseId && e.type === 'delivery.postal-delivery-requested.v1'), 'postal hand-over published', KAFKA_WAIT_MS);
    const scheduled = published.find((e) => e.subject === caseId && e.type === 'delivery.result-delivery-scheduled.v1')!;
    // 2025-03-20 + 10 working days (Qingming 4 April is a holiday, not counted here).
    expect(scheduled.data).toMatchObject({ method: 'post', deliverBy: { date: '2025-04-03', provisional: false } });
    const postal = published.find((e) => e.subject === caseId && e.type === 'delivery.postal-delivery-requested.v1')!;
    expect(JSON.stringify(postal.data)).not.toContain('建国路');
    expect(JSON.stringify(postal.data)).not.toContain('13812345678');

    await publish(bus, topicFor, {
      type: 'courier.shipment-status-changed.v1',
      data: { caseId, waybillId: 'wb-1', carrier: 'local', direction: 'office-to-applicant', status: 'delivered', previousStatus: 'out-for-delivery', carrierEventId: 'ev-9', occurredAt: '2025-03-22T15:00:00+08:00' },
    });
    await waitFor(() => published.some((e) => e.subject === caseId && e.type === 'delivery.result-delivered.v1'), 'result-delivered published', KAFKA_WAIT_MS);
    expect(published.find((e) => e.subject === caseId && e.type === 'delivery.result-delivered.v1')!.data).toMatchObject({ method: 'post', waybillId: 'wb-1', licenceId: `lic-${caseId}` });
    await waitFor(() => mailTo(caseNumber).length >= 3, 'delivered e-mail', KAFKA_WAIT_MS);
    // Three notices × two channels, each sent exactly once.
    const sentOf = () => published.filter((e) => e.subject === caseId && e.type === 'delivery.notification-sent.v1');
    await waitFor(() => sentOf().length >= 6, 'six notification-sent events', KAFKA_WAIT_MS);
    await module.dispatcher.idle();
    await module.relay.caughtUp();
    const sent = sentOf();
    expect(sent.map((e) => `${(e.data as { stage: string }).stage}/${(e.data as { channel: string }).channel}`).sort()).toEqual(
      ['decided/email', 'decided/sms', 'licence-issued/email', 'licence-issued/sms', 'result-delivered/email', 'result-delivered/sms'].sort(),
    );
    expect(mailTo(caseNumber)).toHaveLength(3);

    // The applicant sees their own case; another applicant gets 404.
    const own = await app.inject({ method: 'GET', url: `/delivery/cases/${caseId}`, headers: { authorization: `Bearer ${await token(['applicant'], applicantRef)}` } });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ caseNumber, delivery: { delivered: { method: 'post' } } });
    expect(own.body).not.toContain('zhangsan@example.cn');
    const other = await app.inject({ method: 'GET', url: `/delivery/cases/${caseId}`, headers: { authorization: `Bearer ${await token(['applicant'], randomUUID())}` } });
    expect(other.statusCode).toBe(404);
  });

  it('R-NOTIFY-1: a temporary SMTP failure is retried with backoff; a refused address ends in the operator’s failed list and can be sent again', async () => {
    const caseId = `case-${randomUUID()}`;
    // Only this case's address fails, so no other test's mail can use up the failure.
    const address = `retry-${caseId.slice(-12)}@example.cn`;
    sink.tempFail(1, address);
    await publish(bus, topicFor, preferencesEvent(caseId, { email: address }, { method: 'electronic' }, ['email']));
    await publish(bus, topicFor, decisionEvent(caseId));
    const caseNumber = `京110105-20250310-${caseId.slice(-6)}`;
    await waitFor(() => mailTo(caseNumber).length === 1, 'e-mail received after a retry', KAFKA_WAIT_MS);
    // The mail server has it; the outcome is recorded right after.
    const emailStatus = async () => [...(await module.service.state(caseId)).notices.values()][0]?.channels.email;
    await waitFor(async () => (await emailStatus())?.status === 'sent', 'sent recorded', KAFKA_WAIT_MS);
    expect(await emailStatus()).toMatchObject({ status: 'sent', attempts: 2 });

    const refusedCase = `case-${randomUUID()}`;
    await publish(bus, topicFor, preferencesEvent(refusedCase, { email: 'nobody@refused.example' }, { method: 'electronic' }, ['email']));
    await publish(bus, topicFor, decisionEvent(refusedCase));
    const operator = { authorization: `Bearer ${await token(['operator'])}` };
    let failed: { caseId: string; channel: string; noticeId: string; error: string }[] = [];
    await waitFor(async () => {
      failed = (await app.inject({ method: 'GET', url: '/delivery/notifications/failed', headers: operator })).json().failed;
      return failed.some((f) => f.caseId === refusedCase);
    }, 'failure visible to the operator', KAFKA_WAIT_MS);
    const entry = failed.find((f) => f.caseId === refusedCase)!;
    expect(entry).toMatchObject({ channel: 'email', attempts: 1 });
    expect(entry.error).toMatch(/smtp/);
    const applicantCannot = await app.inject({ method: 'GET', url: '/delivery/notifications/failed', headers: { authorization: `Bearer ${await token(['applicant'], applicantRef)}` } });
    expect(applicantCannot.statusCode).toBe(403);
    const requeue = await app.inject({
      method: 'POST',
      url: `/delivery/cases/${refusedCase}/notifications/${entry.noticeId}/channels/email/requeue`,
      headers: { ...operator, 'idempotency-key': 'requeue-0001' },
    });
    expect(requeue.statusCode).toBe(202);
    // Still refused: it fails again and is listed again, never dropped.
    await waitFor(async () => {
      const again = (await app.inject({ method: 'GET', url: '/delivery/notifications/failed', headers: operator })).json().failed as typeof failed;
      return again.some((f) => f.caseId === refusedCase);
    }, 'failed again after the requeue', KAFKA_WAIT_MS);
    const state2 = await module.service.state(refusedCase);
    expect([...state2.notices.values()][0]!.channels.email).toMatchObject({ status: 'failed' });
  });

  it('R-DELIV-1: electronic delivery: the signed document, downloadable by its applicant only, completes the delivery on first download', async () => {
    const caseId = `case-${randomUUID()}`;
    await publish(bus, topicFor, preferencesEvent(caseId, {}, { method: 'electronic' }, ['sms']));
    await publish(bus, topicFor, decisionEvent(caseId));
    await publish(bus, topicFor, licenceEvent(caseId));
    // Preferences (intake's topic) and the licence (review's) arrive in either order: wait for both.
    await waitFor(async () => {
      const state = await module.service.state(caseId);
      return state.licence !== null && state.preferences !== null;
    }, 'licence and preferences recorded', KAFKA_WAIT_MS);
    const stranger = await app.inject({ method: 'GET', url: `/delivery/cases/${caseId}/result-document`, headers: { authorization: `Bearer ${await token(['applicant'], randomUUID())}` } });
    expect(stranger.statusCode).toBe(404);
    const download = await app.inject({ method: 'GET', url: `/delivery/cases/${caseId}/result-document`, headers: { authorization: `Bearer ${await token(['applicant'], applicantRef)}` } });
    expect(download.statusCode).toBe(200);
    const body = download.json() as { contentText: string; signature: string };
    const key = (await app.inject({ method: 'GET', url: '/delivery/signing-key', headers: { authorization: `Bearer ${await token(['applicant'], applicantRef)}` } })).json() as { publicKeyPem: string };
    const { createPublicKey, verify } = await import('node:crypto');
    expect(verify(null, Buffer.from(body.contentText), createPublicKey(key.publicKeyPem), Buffer.from(body.signature, 'base64'))).toBe(true);
    await waitFor(() => published.some((e) => e.subject === caseId && e.type === 'delivery.result-delivered.v1'), 'electronic delivery published', KAFKA_WAIT_MS);
    expect(published.find((e) => e.subject === caseId && e.type === 'delivery.result-delivered.v1')!.data).toMatchObject({ method: 'electronic' });
  });
});
