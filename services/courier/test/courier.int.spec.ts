/**
 * The courier service on the real PostgreSQL event store and Kafka, with the
 * local carrier pushing signed webhooks over real HTTP to the listening app
 * (R-COURIER-1). The carrier's journey runs on a controlled clock: the test
 * advances time instead of waiting a day for a parcel.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { decodeIntegrationEvent, encodeIntegrationEvent, type DecodedIntegrationEvent } from '@govsvc/contracts/envelope';
import { examples } from '@govsvc/contracts/examples';
import type { IntegrationEvent } from '@govsvc/contracts/registry';
import { parseContactKeyring, sealContact } from '@govsvc/contracts/sealed-contact';
import { topicOf } from '@govsvc/contracts/topics';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import type { BusSubscription, MessageBus } from '@govsvc/messaging/bus';
import { createTestKafkaBus } from '@govsvc/messaging/kafka-test-bus';
import { waitFor } from '@govsvc/messaging/wait-for';
import { ControlledClock } from '@govsvc/runtime/clock';
import { randomIds } from '@govsvc/runtime/ids';
import { buildApp, type App } from '@govsvc/service-kit/app';
import { createTestAuth, testAppDeps, type TestAuth } from '@govsvc/service-kit/testing';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { uniqueName } from '@govsvc/testkit/unique';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalCarrier, type LocalCarrier } from '../src/adapters/local-carrier.ts';
import { outboundWaybillId } from '../src/app/consumers.ts';
import { signBody, SIGNATURE_HEADER } from '../src/app/webhook-signature.ts';
import { createCourierModule, type CourierModule } from '../src/module.ts';

const prefix = uniqueName('cour');
const topicFor = (topic: string) => `${prefix}.${topic}`;
const secret = randomBytes(32).toString('hex');
const keys = parseContactKeyring(`k1:${randomBytes(32).toString('base64')}`);
const owner = '0f8fad5b-d9cb-469f-a165-70867728950e';
const clock = new ControlledClock('2025-03-21T01:00:00.000Z');
const HOUR = 3_600_000;
/** Kafka-dependent waits: the broker is shared with other suites and can be slow under load. */
const KAFKA_WAIT_MS = 45_000;

let schema: IsolatedSchema;
let store: EventStore;
let bus: MessageBus;
let module: CourierModule;
let app: App;
let auth: TestAuth;
let carrier: LocalCarrier;
/** A carrier whose pushes never arrive (its webhook URL answers 404): only pulling its tracking catches up. */
let quiet: LocalCarrier;
/** A carrier that scans the parcel before `createShipment` has even answered us: its scan beats our waybill. */
let eager: LocalCarrier;
const eagerScans: { status: number; body: unknown }[] = [];
let baseUrl: string;
let collector: BusSubscription;
const published: DecodedIntegrationEvent[] = [];

beforeAll(async () => {
  [schema, auth] = await Promise.all([createIsolatedSchema('courier'), createTestAuth('courier')]);
  store = await createPostgresEventStore({ connectionString: schema.connectionString });
  bus = await createTestKafkaBus(prefix);
  const deps = testAppDeps(auth, 'courier', 'warn');
  carrier = createLocalCarrier({ clock, secret, webhookUrl: () => `${baseUrl}/courier/carriers/local/webhook`, duplicateEvents: true });
  quiet = createLocalCarrier({ name: 'quiet', clock, secret, webhookUrl: () => `${baseUrl}/courier/nowhere` });
  const eagerBase = createLocalCarrier({ name: 'eager', clock, secret, webhookUrl: () => `${baseUrl}/courier/nowhere` });
  eager = {
    ...eagerBase,
    async createShipment(request) {
      const created = await eagerBase.createShipment(request);
      // The carrier's own webhook, signed, over real HTTP, while our record of the waybill does not exist yet.
      const body = JSON.stringify({
        deliveryId: randomUUID(),
        sentAt: clock.now().toISOString(),
        events: [{ eventId: `early-${created.trackingNumber}`, trackingNumber: created.trackingNumber, status: 'picked-up', occurredAt: new Date(clock.now().getTime() - 1_000).toISOString(), sequence: 1, location: '北京朝阳营业部', note: '快递员已揽收' }],
      });
      const response = await fetch(`${baseUrl}/courier/carriers/eager/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(body, secret) }, body });
      eagerScans.push({ status: response.status, body: await response.json() });
      return created;
    },
  };
  module = createCourierModule({
    store,
    bus,
    clock,
    ids: randomIds,
    logger: deps.logger,
    carriers: [carrier, quiet, eager],
    defaultCarrier: 'local',
    carrierSecrets: new Map([
      ['local', secret],
      ['quiet', secret],
      ['eager', secret],
    ]),
    centreAddress: { name: '北京市政务服务中心', phone: '010-12345678', region: '110106', address: '北京市丰台区西三环南路1号' },
    centreId: 'bj-city',
    contactKeys: keys,
    instanceId: prefix,
    names: { consumerGroup: `${prefix}-courier`, relay: `${prefix}-relay` },
    topicFor,
  });
  app = await buildApp(deps, { serviceName: 'courier', version: 'test' });
  await app.register(module.routes, { prefix: '/courier' });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  await module.start();
  collector = await bus.subscribe({ groupId: `${prefix}-collector`, topics: [topicFor(topicOf('courier'))], fromBeginning: true, handler: async (m) => void published.push(decodeIntegrationEvent(m)) });
});

afterAll(async () => {
  await collector?.stop();
  await module?.stop();
  await app?.close();
  await bus?.close();
  await store?.close();
  await schema?.drop();
});

async function publish(event: IntegrationEvent): Promise<void> {
  const record = encodeIntegrationEvent(event, { id: randomUUID(), time: clock.now(), correlationId: 'corr-test', causationId: null });
  await bus.publish(topicFor(record.topic), [{ key: record.key, value: record.value, headers: record.headers }]);
}

const contact = { name: '张三', mobile: '13812345678', postalAddress: { recipient: '张三', phone: '13812345678', region: '110105', address: '北京市朝阳区建国路1号', postcode: '100022' } };
const bearer = async (roles: Parameters<TestAuth['token']>[0], subject = 'staff-1', extra: { department?: string; centre?: string } = {}) => ({ authorization: `Bearer ${await auth.token(roles, { subject, ...extra })}` });

/** Reads server-sent events from the real socket. */
function openEventStream(path: string, headers: Record<string, string>): { events: { status: string; history: unknown[] }[]; close(): void; status: Promise<number> } {
  const events: { status: string; history: unknown[] }[] = [];
  let buffer = '';
  let resolveStatus: (code: number) => void = () => undefined;
  const status = new Promise<number>((resolve) => (resolveStatus = resolve));
  const req = httpRequest(`${baseUrl}${path}`, { headers }, (res) => {
    resolveStatus(res.statusCode ?? 0);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data) events.push(JSON.parse(data.slice(6)) as { status: string; history: unknown[] });
      }
    });
  });
  req.on('error', () => undefined);
  req.end();
  return { events, close: () => req.destroy(), status };
}

describe('courier on Kafka and PostgreSQL with the local carrier', { timeout: 120_000 }, () => {
  it('R-COURIER-1: postal hand-over → waybill → signed webhooks (each sent twice) → delivered, live over SSE, status contracts published in order', async () => {
    const caseId = `case-${randomUUID()}`;
    const deliveryId = `dlv-${caseId}`;
    await publish({
      type: 'delivery.postal-delivery-requested.v1',
      data: { ...examples['delivery.postal-delivery-requested.v1'], caseId, deliveryId, applicant: { kind: 'person', maskedId: '110105********002X', ref: owner }, recipient: sealContact(contact, caseId, keys) },
    });
    const waybillId = outboundWaybillId(deliveryId);
    await waitFor(async () => (await module.service.state(waybillId)).status === 'created', 'waybill created', KAFKA_WAIT_MS);

    const stranger = await app.inject({ method: 'GET', url: `/courier/waybills/${waybillId}`, headers: await bearer(['applicant'], randomUUID()) });
    expect(stranger.statusCode).toBe(404);
    const view = await app.inject({ method: 'GET', url: `/courier/waybills/${waybillId}`, headers: await bearer(['applicant'], owner) });
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({ direction: 'outbound', status: 'created', to: { name: '张*', phone: '138****5678' } });
    expect(view.body).not.toContain('建国路1号');

    const stream = openEventStream(`/courier/waybills/${waybillId}/events`, await bearer(['applicant'], owner));
    expect(await stream.status).toBe(200);
    await waitFor(() => stream.events.length >= 1, 'first SSE view', KAFKA_WAIT_MS);

    for (const hours of [1, 3, 21, 23]) {
      clock.set(new Date(new Date('2025-03-21T01:00:00.000Z').getTime() + hours * HOUR));
      await carrier.settled();
    }
    await waitFor(async () => (await module.service.state(waybillId)).status === 'delivered', 'delivered', KAFKA_WAIT_MS);
    const state = await module.service.state(waybillId);
    // Every event arrived twice; each is in the history once.
    expect(state.history.map((h) => h.status)).toEqual(['picked-up', 'in-transit', 'out-for-delivery', 'delivered']);
    try {
      await waitFor(() => stream.events.some((e) => e.status === 'delivered'), 'SSE shows delivered', KAFKA_WAIT_MS);
      // Each pushed view is the state at that moment: in journey order, from created to delivered, with the full history at the end.
      const seen = stream.events.map((e) => e.status);
      const order = ['created', 'picked-up', 'in-transit', 'out-for-delivery', 'delivered'];
      expect(seen[0]).toBe('created');
      expect(seen.at(-1)).toBe('delivered');
      expect(seen.map((status) => order.indexOf(status))).toEqual([...seen.map((status) => order.indexOf(status))].sort((a, b) => a - b));
      expect(stream.events.at(-1)!.history).toHaveLength(4);
    } finally {
      stream.close();
    }

    const statusesOf = () => published.filter((e) => e.subject === caseId && e.type === 'courier.shipment-status-changed.v1').map((e) => (e.data as { status: string }).status);
    await waitFor(() => statusesOf().length === 5, 'five status contracts', KAFKA_WAIT_MS);
    expect(statusesOf()).toEqual(['created', 'picked-up', 'in-transit', 'out-for-delivery', 'delivered']);
    expect(published.find((e) => e.subject === caseId)!.data).toMatchObject({ direction: 'office-to-applicant', carrier: 'local', waybillId });
  });

  it('R-COURIER-1: the webhook refuses a bad signature, a stale timestamp and a replay; a late event is history only', async () => {
    const caseId = `case-${randomUUID()}`;
    const deliveryId = `dlv-${caseId}`;
    await publish({
      type: 'delivery.postal-delivery-requested.v1',
      data: { ...examples['delivery.postal-delivery-requested.v1'], caseId, deliveryId, applicant: { kind: 'person', maskedId: '110105********002X', ref: owner }, recipient: sealContact(contact, caseId, keys) },
    });
    const waybillId = outboundWaybillId(deliveryId);
    await waitFor(async () => (await module.service.state(waybillId)).status === 'created', 'waybill created', KAFKA_WAIT_MS);
    const { trackingNumber } = (await module.service.state(waybillId)).waybill!;
    const post = (body: string, signature = signBody(body, secret)) =>
      app.inject({ method: 'POST', url: '/courier/carriers/local/webhook', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature }, payload: body });
    const bodyOf = (events: object[], sentAt = clock.now().toISOString(), deliveryIdHeader = randomUUID()) => JSON.stringify({ deliveryId: deliveryIdHeader, sentAt, events, extra: 'carriers add fields' });
    const event = (eventId: string, status: string, occurredAt: string) => ({ eventId, trackingNumber, status, occurredAt, sequence: null });

    const forged = await post(bodyOf([event('x-1', 'delivered', clock.now().toISOString())]), signBody('{}', secret));
    expect(forged.statusCode).toBe(401);
    const wrongSecret = await post(bodyOf([event('x-1', 'delivered', clock.now().toISOString())]), signBody('whatever', 'not-the-secret'));
    expect(wrongSecret.statusCode).toBe(401);
    const stale = await post(bodyOf([event('x-1', 'delivered', clock.now().toISOString())], new Date(clock.now().getTime() - 10 * 60_000).toISOString()));
    expect(stale.statusCode).toBe(401);
    const invalid = await post(JSON.stringify({ deliveryId: randomUUID(), sentAt: clock.now().toISOString(), events: [{ ...event('x-2', 'teleported', clock.now().toISOString()) }] }));
    expect(invalid.statusCode).toBe(400);
    expect((await module.service.state(waybillId)).history).toEqual([]);

    // Carrier times after the waybill was created (earlier ones would all be history).
    const t = (seconds: number) => new Date(clock.now().getTime() + seconds * 1_000).toISOString();
    const once = bodyOf([event('e-1', 'picked-up', t(1)), event('e-3', 'out-for-delivery', t(30))]);
    expect((await post(once)).json()).toMatchObject({ accepted: 2 });
    expect((await post(once)).json()).toMatchObject({ accepted: 0, replay: true });
    // In transit at +10 s arrives after out-for-delivery at +30 s: kept, does not move the status back.
    expect((await post(bodyOf([event('e-2', 'in-transit', t(10))]))).statusCode).toBe(200);
    const state = await module.service.state(waybillId);
    expect(state.status).toBe('out-for-delivery');
    expect(state.history.map((h) => `${h.status}:${h.effect}`)).toEqual(['picked-up:applied', 'out-for-delivery:applied', 'in-transit:late']);
  });

  it('R-COURIER-1: inbound pickup of paper materials by the applicant, received at the centre → courier.materials-received published', async () => {
    const caseId = `case-${randomUUID()}`;
    await publish({ type: 'intake.delivery-preferences-recorded.v1', data: { ...examples['intake.delivery-preferences-recorded.v1'], caseId, applicant: { kind: 'person', maskedId: '110105********002X', ref: owner } } });
    await waitFor(async () => (await module.service.ownerOf(caseId)) === owner, 'owner known', KAFKA_WAIT_MS);
    const body = { caseId, pickupAddress: { name: '张三', phone: '13812345678', region: '110105', address: '北京市朝阳区建国路1号' }, materials: [{ materialId: 'm-floor-plan', name: '经营场所平面图', copies: 1 }] };
    const other = await app.inject({ method: 'POST', url: '/courier/waybills', headers: await bearer(['applicant'], randomUUID()), payload: body });
    expect(other.statusCode).toBe(404);
    const bad = await app.inject({ method: 'POST', url: '/courier/waybills', headers: await bearer(['applicant'], owner), payload: { ...body, materials: [] } });
    expect(bad.statusCode).toBe(400);
    const noSuchCarrier = await app.inject({ method: 'POST', url: '/courier/waybills', headers: await bearer(['applicant'], owner), payload: { ...body, carrier: 'pigeon' } });
    expect(noSuchCarrier.statusCode).toBe(400);
    expect(await module.service.waybillsOf(caseId)).toEqual([]);
    const headers = { ...(await bearer(['applicant'], owner)), 'idempotency-key': `pickup-${caseId}` };
    const created = await app.inject({ method: 'POST', url: '/courier/waybills', headers, payload: body });
    expect(created.statusCode).toBe(201);
    const again = await app.inject({ method: 'POST', url: '/courier/waybills', headers, payload: body });
    expect(again.json().waybillId).toBe(created.json().waybillId);
    const waybillId = created.json().waybillId as string;
    expect(created.json()).toMatchObject({ direction: 'inbound', to: { region: '110106' } });

    const clerk = await bearer(['clerk'], 'clerk-7', { department: '北京市政务服务中心', centre: 'bj-city' });
    // A clerk of a centre with no part in the case sees nothing of it.
    const haidian = await bearer(['clerk'], 'clerk-9', { department: '海淀区政务服务中心', centre: 'bj-haidian' });
    expect((await app.inject({ method: 'GET', url: `/courier/waybills/${waybillId}`, headers: haidian })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/courier/cases/${caseId}/waybills`, headers: haidian })).json()).toEqual({ waybills: [] });
    const early = await app.inject({ method: 'POST', url: `/courier/waybills/${waybillId}/materials-received`, headers: clerk, payload: { materials: [{ materialId: 'm-floor-plan', name: '经营场所平面图', copies: 1 }] } });
    expect(early.statusCode).toBe(409);
    clock.advance(23 * HOUR);
    await carrier.settled();
    await waitFor(async () => (await module.service.state(waybillId)).status === 'delivered', 'inbound delivered to the centre', KAFKA_WAIT_MS);
    const received = await app.inject({ method: 'POST', url: `/courier/waybills/${waybillId}/materials-received`, headers: clerk, payload: { materials: [{ materialId: 'm-floor-plan', name: '经营场所平面图', copies: 1 }] } });
    expect(received.statusCode).toBe(201);
    await waitFor(() => published.some((e) => e.subject === caseId && e.type === 'courier.materials-received.v1'), 'materials-received published', KAFKA_WAIT_MS);
    expect(published.find((e) => e.subject === caseId && e.type === 'courier.materials-received.v1')!.data).toMatchObject({
      waybillId,
      materials: [{ materialId: 'm-floor-plan', copies: 1, form: 'paper' }],
      receivedBy: { staffId: 'clerk-7', department: '北京市政务服务中心' },
    });
  });

  it('R-COURIER-1: a waybill is cancelled only before pickup; a lost webhook is caught up by pulling the carrier’s tracking', async () => {
    const caseId = `case-${randomUUID()}`;
    await publish({
      type: 'intake.application-submitted.v1',
      data: { ...examples['intake.application-submitted.v1'], caseId, channel: 'window', serviceCentre: 'bj-dongcheng', applicant: { kind: 'person', maskedId: '110105********002X', ref: owner } },
    });
    await waitFor(async () => (await module.service.caseOf(caseId)).centres.includes('bj-dongcheng'), 'owner and centre known', KAFKA_WAIT_MS);
    const applicant = await bearer(['applicant'], owner);
    const body = (carrierName: string) => ({ caseId, carrier: carrierName, pickupAddress: { name: '李四', phone: '13912345678', region: '110105', address: '北京市朝阳区光华路2号' }, materials: [{ materialId: 'm-1', name: '申请书', copies: 2 }] });

    const first = (await app.inject({ method: 'POST', url: '/courier/waybills', headers: applicant, payload: body('local') })).json() as { waybillId: string };
    // The clerks of the centre where it was handed in see it; those of another centre do not.
    expect((await app.inject({ method: 'GET', url: `/courier/waybills/${first.waybillId}`, headers: await bearer(['clerk'], 'c-1', { centre: 'bj-dongcheng' }) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/courier/waybills/${first.waybillId}`, headers: await bearer(['clerk'], 'c-2', { centre: 'bj-haidian' }) })).statusCode).toBe(404);
    const cancelled = await app.inject({ method: 'POST', url: `/courier/waybills/${first.waybillId}/cancel`, headers: applicant, payload: { reason: '改为窗口递交' } });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
    clock.advance(23 * HOUR);
    await carrier.settled();
    expect((await module.service.state(first.waybillId)).history).toEqual([]);
    await waitFor(() => published.some((e) => e.subject === caseId && (e.data as { status: string }).status === 'cancelled'), 'cancellation published', KAFKA_WAIT_MS);

    const second = (await app.inject({ method: 'POST', url: '/courier/waybills', headers: applicant, payload: body('quiet') })).json() as { waybillId: string };
    clock.advance(1 * HOUR);
    await quiet.settled();
    const late = await app.inject({ method: 'POST', url: `/courier/waybills/${second.waybillId}/cancel`, headers: applicant, payload: { reason: '太晚了' } });
    expect(late.statusCode).toBe(409);
    clock.advance(23 * HOUR);
    await quiet.settled();
    // The pushes went nowhere: the waybill still knows nothing the carrier knows.
    expect((await module.service.state(second.waybillId)).status).toBe('created');
    expect((await app.inject({ method: 'POST', url: `/courier/waybills/${second.waybillId}/refresh`, headers: applicant })).statusCode).toBe(403);
    const refreshed = await app.inject({ method: 'POST', url: `/courier/waybills/${second.waybillId}/refresh`, headers: await bearer(['operator']) });
    expect(refreshed.json()).toMatchObject({ status: 'delivered', carrier: 'quiet' });
    const again = await app.inject({ method: 'POST', url: `/courier/waybills/${second.waybillId}/refresh`, headers: await bearer(['operator']) });
    expect((again.json() as { history: unknown[] }).history).toHaveLength(4);
  });

  it('R-COURIER-1: a scan the carrier sends before our waybill exists is held (202), applied once the waybill is created, never twice; one no waybill claims expires after the retention', async () => {
    const caseId = `case-${randomUUID()}`;
    await publish({
      type: 'intake.application-submitted.v1',
      data: { ...examples['intake.application-submitted.v1'], caseId, channel: 'window', serviceCentre: 'bj-dongcheng', applicant: { kind: 'person', maskedId: '110105********002X', ref: owner } },
    });
    await waitFor(async () => (await module.service.caseOf(caseId)).owner === owner, 'owner known', KAFKA_WAIT_MS);
    const metric = async (outcome: string) => {
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      return Number(new RegExp(`courier_unmatched_scans_total\\{[^}]*carrier="eager"[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? 0);
    };
    const heldBefore = await metric('held');

    const created = await app.inject({
      method: 'POST',
      url: '/courier/waybills',
      headers: await bearer(['applicant'], owner),
      payload: { caseId, carrier: 'eager', pickupAddress: { name: '李四', phone: '13912345678', region: '110105', address: '北京市朝阳区光华路2号' }, materials: [{ materialId: 'm-1', name: '申请书', copies: 1 }] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { waybillId } = created.json() as { waybillId: string };
    // The carrier heard 202: kept, nothing for it to send again.
    expect(eagerScans.at(-1)).toMatchObject({ status: 202, body: { accepted: 0, held: 1, results: [{ waybillId: null, held: true }] } });
    const state = await module.service.state(waybillId);
    const trackingNumber = state.waybill!.trackingNumber;
    // Applied on creation, though the carrier scanned a second before we recorded the waybill.
    expect(state.status).toBe('picked-up');
    expect(state.history.map((h) => `${h.carrierEventId}:${h.status}:${h.effect}`)).toEqual([`early-${trackingNumber}:picked-up:applied`]);
    expect((await store.readStream(`unmatchedscan-eager:${trackingNumber}`)).map((e) => e.type)).toEqual(['ScanHeld', 'ScanApplied']);
    expect((await module.service.unmatched('eager', trackingNumber)).waiting).toEqual([]);
    expect(await metric('held')).toBe(heldBefore + 1);
    expect(await metric('applied')).toBeGreaterThanOrEqual(1);

    // The carrier sends the same scan again (a new delivery): recorded on the waybill already, so nothing changes.
    const post = (events: object[]) => {
      const body = JSON.stringify({ deliveryId: randomUUID(), sentAt: clock.now().toISOString(), events });
      return app.inject({ method: 'POST', url: '/courier/carriers/eager/webhook', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(body, secret) }, payload: body });
    };
    const resent = await post([{ eventId: `early-${trackingNumber}`, trackingNumber, status: 'picked-up', occurredAt: new Date(clock.now().getTime() - 1_000).toISOString(), sequence: 1 }]);
    expect(resent.statusCode).toBe(200);
    expect((await module.service.state(waybillId)).history).toHaveLength(1);
    expect(await store.readStream(`unmatchedscan-eager:${trackingNumber}`)).toHaveLength(2);
    // A retried creation (a crash after the append) applies nothing twice.
    await module.service.applyHeldScans('eager', trackingNumber, waybillId);
    expect((await module.service.state(waybillId)).history).toHaveLength(1);

    // A scan no waybill ever claims: held, sent twice, held once; expired after the retention, never applied.
    const stray = `SF-STRAY-${randomUUID().slice(0, 8)}`;
    const strayScan = { eventId: `stray-${stray}`, trackingNumber: stray, status: 'in-transit', occurredAt: clock.now().toISOString(), sequence: null };
    expect((await post([strayScan])).statusCode).toBe(202);
    expect((await post([strayScan])).statusCode).toBe(202);
    expect((await module.service.unmatched('eager', stray)).waiting).toHaveLength(1);
    const waitingNow = (await module.service.heldScans()).waiting;
    expect(waitingNow).toBeGreaterThanOrEqual(1);
    expect(await module.service.expireHeldScans(new Date(clock.now().getTime() + 6 * 24 * HOUR))).toBe(0);
    expect(await module.service.expireHeldScans(new Date(clock.now().getTime() + 7 * 24 * HOUR + 1))).toBeGreaterThanOrEqual(1);
    expect((await store.readStream(`unmatchedscan-eager:${stray}`)).map((e) => e.type)).toEqual(['ScanHeld', 'ScanExpired']);
    expect((await module.service.heldScans()).waiting).toBe(waitingNow - 1);
    expect(await metric('expired')).toBeGreaterThanOrEqual(1);
  });
});
