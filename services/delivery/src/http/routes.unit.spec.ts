/**
 * Delivery's HTTP API on the in-memory event store: access (own cases only,
 * 404 otherwise), bad input refused with a clear 4xx and nothing stored,
 * Idempotency-Key, pickups checked against the code and the identity.
 */
import { loadCalendar } from '@govsvc/calendar/data-files';
import { sealContact } from '@govsvc/contracts/sealed-contact';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { ControlledClock } from '@govsvc/runtime/clock';
import { buildApp, type App } from '@govsvc/service-kit/app';
import { createTestAuth, testAppDeps, type TestAuth } from '@govsvc/service-kit/testing';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { applicantRef, contact, contactKeys } from '../../test/support.ts';
import { createEd25519Signer } from '../adapters/document-signer.ts';
import { streamOf } from '../app/codec.ts';
import { DeliveryService, type Cause } from '../app/delivery-service.ts';
import { DEFAULT_RETRY } from '../domain/commands.ts';
import { deliveryRoutes } from './routes.ts';

const calendar = await loadCalendar();
let auth: TestAuth;
let app: App;
let service: DeliveryService;
let store: ReturnType<typeof createInMemoryEventStore>;
const caseId = 'case-http-1';
const cause = (seed: string): Cause => ({ seed, actor: { id: 'test', role: 'integration' }, correlationId: 'corr-test' });

async function given(choice: { method: 'window-pickup' | 'kiosk-pickup'; serviceCentre: string } | { method: 'electronic' } | { method: 'post' }, withPostal = true) {
  const { postalAddress, ...noPostal } = contact;
  await service.execute(
    caseId,
    {
      type: 'RecordPreferences',
      data: {
        caseNumber: '京110105-20250310-000001',
        itemCode: 'item-1',
        itemName: '食品经营许可',
        applicant: { kind: 'person', maskedId: '110105********002X', ref: applicantRef },
        channels: ['email'],
        choice,
        contact: sealContact(withPostal ? { ...noPostal, postalAddress } : noPostal, caseId, contactKeys),
        recordedAt: '2025-03-20T08:00:00.000Z',
      },
    },
    cause('prefs'),
  );
  await service.execute(caseId, { type: 'RecordDecision', data: { outcome: 'approve', decisionId: 'd-1', decidedAt: '2025-03-20T08:00:00.000Z', deliverBy: service.deliveryDeadline('2025-03-20T08:00:00.000Z') } }, cause('decision'));
  const licence = { licenceId: 'lic-1', resultName: '食品经营许可证', forms: ['paper' as const], electronicLicenceId: null, validUntil: null, issuedAt: '2025-03-21T08:00:00.000Z' };
  await service.execute(caseId, { type: 'RecordLicence', data: { ...licence, document: service.signedDocument(caseId, licence) } }, cause('licence'));
}

const revision = () => store.streamRevision(streamOf(caseId));
const as = async (roles: Parameters<TestAuth['token']>[0], subject = 'staff-1', centre?: string) => ({ authorization: `Bearer ${await auth.token(roles, { subject, ...(centre !== undefined && { centre }) })}` });

beforeEach(async () => {
  auth = await createTestAuth('delivery');
  store = createInMemoryEventStore();
  const clock = new ControlledClock('2025-03-21T09:00:00.000Z');
  service = new DeliveryService({ store, clock, calendar, signer: createEd25519Signer('k'), keyring: contactKeys, retry: DEFAULT_RETRY });
  app = await buildApp(testAppDeps(auth, 'delivery', 'warn'), { serviceName: 'delivery', version: 'test' });
  await app.register(async (scope) => deliveryRoutes(scope as never, { service, outbox: null, publicKeyPem: () => '', today: () => '2025-03-21' }), { prefix: '/delivery' });
});

describe('delivery HTTP API', () => {
  it('R-DELIV-1: the applicant sees their own case and its pickup code; another applicant and an unknown case are 404', async () => {
    await given({ method: 'window-pickup', serviceCentre: 'centre-cy' });
    const own = await app.inject({ method: 'GET', url: `/delivery/cases/${caseId}`, headers: await as(['applicant'], applicantRef) });
    expect(own.statusCode).toBe(200);
    expect(own.json().delivery.pickupCode).toMatch(/^\d{8}$/);
    const clerkView = await app.inject({ method: 'GET', url: `/delivery/cases/${caseId}`, headers: await as(['clerk'], 'clerk-1', 'centre-cy') });
    expect(clerkView.json().delivery.pickupCode).toBe('********');
    // A clerk of another centre (or with no centre) learns nothing: the same 404 as an unknown case.
    expect((await app.inject({ method: 'GET', url: `/delivery/cases/${caseId}`, headers: await as(['clerk'], 'clerk-9', 'centre-hd') })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/delivery/cases/${caseId}`, headers: await as(['clerk']) })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/delivery/cases/${caseId}`, headers: await as(['supervisor']) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/delivery/cases/${caseId}`, headers: await as(['applicant'], randomUUID()) })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/delivery/cases/nope', headers: await as(['clerk'], 'clerk-1', 'centre-cy') })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/delivery/cases/${caseId}` })).statusCode).toBe(401);
  });

  it('R-DELIV-1: a change of method is an event; bad input is a 4xx and stores nothing; the same Idempotency-Key changes nothing twice', async () => {
    await given({ method: 'electronic' }, false);
    const before = await revision();
    const headers = { ...(await as(['applicant'], applicantRef)), 'idempotency-key': 'change-0001' };
    const unknownField = await app.inject({ method: 'POST', url: `/delivery/cases/${caseId}/method-changes`, headers, payload: { method: 'electronic', note: 'x' } });
    expect(unknownField.statusCode).toBe(400);
    const noAddress = await app.inject({ method: 'POST', url: `/delivery/cases/${caseId}/method-changes`, headers, payload: { method: 'post' } });
    expect(noAddress.statusCode).toBe(400);
    expect(noAddress.json().errors ?? noAddress.json().issues).toBeDefined();
    expect(await revision()).toBe(before);
    const changed = await app.inject({ method: 'POST', url: `/delivery/cases/${caseId}/method-changes`, headers, payload: { method: 'window-pickup', serviceCentre: 'centre-cy' } });
    expect(changed.statusCode).toBe(201);
    expect(changed.json().delivery.choice).toEqual({ method: 'window-pickup', serviceCentre: 'centre-cy' });
    const afterChange = await revision();
    const repeated = await app.inject({ method: 'POST', url: `/delivery/cases/${caseId}/method-changes`, headers, payload: { method: 'window-pickup', serviceCentre: 'centre-cy' } });
    expect(repeated.statusCode).toBe(200);
    expect(await revision()).toBe(afterChange);
    const types = (await store.readStream(streamOf(caseId))).map((e) => e.type);
    expect(types).toContain('DeliveryMethodChanged');
    expect(types.filter((t) => t === 'PickupCodeIssued')).toHaveLength(1);
  });

  it('R-DELIV-1: window pickup checks the ID number, the code and the identity; nothing is stored for a refusal; the ID is never stored in full', async () => {
    await given({ method: 'window-pickup', serviceCentre: 'centre-cy' });
    const code = (await service.state(caseId)).pickupCode!.code;
    const clerk = await as(['clerk'], 'clerk-1', 'centre-cy');
    const before = await revision();
    const pickup = (over: object) =>
      app.inject({
        method: 'POST',
        url: `/delivery/cases/${caseId}/pickups`,
        headers: clerk,
        payload: { method: 'window-pickup', code, place: 'centre-cy', recipient: { kind: 'applicant', idNumber: '11010519491231002X' }, ...over },
      });
    expect((await pickup({ recipient: { kind: 'applicant', idNumber: '110105194912310021' } })).statusCode).toBe(400);
    expect((await pickup({ code: code === '00000000' ? '11111111' : '00000000' })).statusCode).toBe(409);
    expect((await pickup({ recipient: { kind: 'applicant', idNumber: '110105194912310038' } })).statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: `/delivery/cases/${caseId}/pickups`, headers: await as(['applicant'], applicantRef), payload: {} })).statusCode).toBe(403);
    // A clerk of another centre cannot hand it over, nor claim to stand at this one.
    const elsewhere = await as(['clerk'], 'clerk-9', 'centre-hd');
    expect((await app.inject({ method: 'POST', url: `/delivery/cases/${caseId}/pickups`, headers: elsewhere, payload: { method: 'window-pickup', code, place: 'centre-cy', recipient: { kind: 'applicant', idNumber: '11010519491231002X' } } })).statusCode).toBe(404);
    expect(await revision()).toBe(before);
    const ok = await pickup({});
    expect(ok.statusCode).toBe(201);
    expect(ok.json().delivery.delivered).toMatchObject({ method: 'window-pickup' });
    const stored = JSON.stringify((await store.readStream(streamOf(caseId))).map((e) => e.data));
    expect(stored).not.toContain('11010519491231002X');
    expect(stored).toContain('110105********002X');
  });

  it('R-DELIV-1: kiosk pickup: the kiosk (integration token) confirms with the code and the card read; a clerk token cannot use the window path for it', async () => {
    await given({ method: 'kiosk-pickup', serviceCentre: 'centre-cy' });
    const code = (await service.state(caseId)).pickupCode!.code;
    const payload = { method: 'kiosk-pickup', code, place: 'kiosk-cy-03', recipient: { kind: 'applicant', idNumber: '11010519491231002X' } };
    const asWindow = await app.inject({ method: 'POST', url: `/delivery/cases/${caseId}/pickups`, headers: await as(['clerk'], 'clerk-1', 'centre-cy'), payload: { ...payload, method: 'window-pickup', place: 'centre-cy' } });
    expect(asWindow.statusCode).toBe(409);
    const otherKiosk = await app.inject({ method: 'POST', url: `/delivery/cases/${caseId}/pickups`, headers: await as(['integration'], 'kiosk-hd-01'), payload });
    expect(otherKiosk.statusCode).toBe(409);
    const kiosk = await app.inject({ method: 'POST', url: `/delivery/cases/${caseId}/pickups`, headers: { ...(await as(['integration'], 'kiosk-cy-03')), 'idempotency-key': 'kiosk-0001' }, payload });
    expect(kiosk.statusCode).toBe(201);
    expect(kiosk.json().delivery.delivered).toMatchObject({ method: 'kiosk-pickup' });
    const stored = (await store.readStream(streamOf(caseId))).find((e) => e.type === 'ResultDelivered')!;
    expect(stored.data).toMatchObject({ method: 'kiosk-pickup', kioskId: 'kiosk-cy-03', recipient: { maskedId: '110105********002X' } });
  });

  it('R-DELIV-1: clerks act for their centre: where the application was handed in, or where the result is held', async () => {
    await given({ method: 'electronic' });
    const chaoyang = await as(['clerk'], 'clerk-1', 'centre-cy');
    expect((await app.inject({ method: 'GET', url: `/delivery/cases/${caseId}`, headers: chaoyang })).statusCode).toBe(404);
    const change = { method: 'window-pickup', serviceCentre: 'centre-cy' };
    const refused = await app.inject({ method: 'POST', url: `/delivery/cases/${caseId}/method-changes`, headers: chaoyang, payload: change });
    expect(refused.statusCode).toBe(404);
    await service.execute(caseId, { type: 'RecordSubmission', data: { serviceCentre: 'centre-cy', submittedAt: '2025-03-10T02:00:00.000Z' } }, cause('submitted'));
    expect((await app.inject({ method: 'GET', url: `/delivery/cases/${caseId}`, headers: chaoyang })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/delivery/cases/${caseId}/method-changes`, headers: chaoyang, payload: change })).statusCode).toBe(201);
    // Haidian handed nothing in and holds nothing.
    expect((await app.inject({ method: 'GET', url: `/delivery/cases/${caseId}`, headers: await as(['clerk'], 'clerk-9', 'centre-hd') })).statusCode).toBe(404);
  });

  it('R-NOTIFY-1: only operators and supervisors read the failed notifications', async () => {
    expect((await app.inject({ method: 'GET', url: '/delivery/notifications/failed', headers: await as(['operator']) })).json()).toEqual({ failed: [] });
    expect((await app.inject({ method: 'GET', url: '/delivery/notifications/failed', headers: await as(['clerk']) })).statusCode).toBe(403);
  });
});
