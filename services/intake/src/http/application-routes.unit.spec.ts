import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeIntegrationEvent } from '@govsvc/contracts/envelope';
import { topicOf } from '@govsvc/contracts/topics';
import type { IncomingMessage } from '@govsvc/messaging/bus';
import { waitFor } from '@govsvc/messaging/wait-for';
import { createHarness, type Harness } from '../../test/harness.ts';
import { openContact } from '@govsvc/contracts/sealed-contact';
import { contactKeys, ENTERPRISE_USCC, FOOD_ITEM, PERSON_ID, smsAndWindowPickup } from '../../test/fixtures.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => h.close());

const sharedLicence = { materialId: 'business-licence', recordId: 'samr-bl-91110108551385082Q', revision: 3 };
const upload = (materialId: string, form: 'paper' | 'electronic' = 'electronic') => ({ materialId, form, reference: `sha256:${materialId}` });
const allUploads = ['application-form', 'premises-proof', 'layout-plan', 'safety-rules'].map((id) => upload(id));
const application = (overrides: Record<string, unknown> = {}) => ({
  itemCode: FOOD_ITEM,
  applicant: { kind: 'enterprise', id: ENTERPRISE_USCC, name: '北京京味餐饮管理有限公司' },
  channel: 'online',
  materials: allUploads,
  sharedConfirmations: [sharedLicence],
  delivery: smsAndWindowPickup,
  ...overrides,
});

async function post(url: string, token: string, payload: unknown, headers: Record<string, string> = {}) {
  return h.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, ...headers }, payload: payload as object });
}
async function get(url: string, token?: string) {
  return h.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
}
async function submit(overrides: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return post('/intake/applications', await h.applicantToken(ENTERPRISE_USCC), application(overrides), headers);
}

describe('submitting (R-ACC-1, R-ID-1, R-CAT-1, R-CAT-2, R-CAT-10)', () => {
  it('R-ACC-1: an applicant applies online; the case gets a readable number and is bound to the guide version', async () => {
    const res = await submit();
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.caseNumber).toMatch(/^京1101052026112600001$/);
    expect(body.status).toBe('awaiting-decision');
    const view = await get(`/intake/applications/${body.caseId}`, await h.applicantToken(ENTERPRISE_USCC));
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({ guideVersion: '2026.2', applicant: { maskedId: '911101********082Q' }, acceptanceDue: { date: '2026-11-27' } });
    // Sent pre-serialized (issue 8): the same JSON and content type as a serialized object, and the same again.
    expect(view.headers['content-type']).toBe('application/json; charset=utf-8');
    expect((await get(`/intake/applications/${body.caseId}`, await h.applicantToken(ENTERPRISE_USCC))).body).toBe(view.body);
    const [first] = await h.store.readStream(`application-${body.caseId}`);
    expect(first!.metadata).toMatchObject({ caseId: body.caseId, guideVersion: '2026.2', actor: { role: 'applicant' } });
  });

  it('R-ID-1: an identifier failing its check character is a 400 naming the rule; nothing is stored', async () => {
    const before = await h.store.headPosition();
    const res = await submit({ applicant: { kind: 'enterprise', id: '91110108551385082A', name: '某公司' } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(JSON.stringify(res.json())).toContain('R-ID-1');
    expect(await h.store.headPosition()).toBe(before);
  });

  it('R-CAT-1: an item not in the catalog is refused with a clear 400', async () => {
    const res = await submit({ itemCode: 'NO-SUCH-ITEM-0001' });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain('R-CAT-1');
  });

  it('R-CAT-2: a material outside the guide is a 400 and no case number is spent', async () => {
    const res = await submit({ materials: [...allUploads, upload('bank-statement')] });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain('R-CAT-2');
    expect((await submit()).json().caseNumber).toBe('京1101052026112600001');
  });

  it('R-CAT-10: a shared record must be confirmed, and at its current revision', async () => {
    const unconfirmed = await submit({ sharedConfirmations: [] });
    expect(unconfirmed.statusCode).toBe(409);
    expect(unconfirmed.json().rule ?? JSON.stringify(unconfirmed.json())).toContain('R-CAT-10');
    const lookup = await post('/intake/data-sharing/lookups', await h.applicantToken(ENTERPRISE_USCC), { itemCode: FOOD_ITEM, applicant: { kind: 'enterprise', id: ENTERPRISE_USCC } });
    expect(lookup.json().records).toEqual([expect.objectContaining({ materialId: 'business-licence', dataset: 'business-licence', revision: 3, provider: '北京市电子证照库' })]);
    h.dataSharing.change('business-licence', ENTERPRISE_USCC, { 注册资本: '200万元' }, '2026-11-26T09:00:00+08:00');
    const stale = await submit();
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('@4');
    expect((await submit({ sharedConfirmations: [{ ...sharedLicence, revision: 4 }] })).statusCode).toBe(201);
  });

  it('R-ID-1: online, an applicant cannot apply under someone else’s identifier', async () => {
    const res = await post('/intake/applications', await h.applicantToken(PERSON_ID), application());
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('R-ID-1');
  });

  it('a retry with the same Idempotency-Key returns the first result and stores nothing more', async () => {
    const first = await submit({}, { 'idempotency-key': 'submit-0001' });
    const head = await h.store.headPosition();
    const again = await submit({}, { 'idempotency-key': 'submit-0001' });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ caseId: first.json().caseId, caseNumber: first.json().caseNumber, alreadySubmitted: true });
    expect(await h.store.headPosition()).toBe(head);
    // Still the first result after the case moved on.
    await post(`/intake/applications/${first.json().caseId}/accept`, await h.clerkToken(), {});
    expect((await submit({}, { 'idempotency-key': 'submit-0001' })).json()).toMatchObject({ status: 'awaiting-decision', events: ['ApplicationSubmitted'] });
  });
});

describe('access (applicants see their own, clerks their centre)', () => {
  it('lists an applicant’s own cases, and the centre’s worklist for its clerks only', async () => {
    const mine = (await submit()).json();
    const theirs = await post('/intake/applications', await h.applicantToken(PERSON_ID), application({ applicant: { kind: 'person', id: PERSON_ID, name: '王小明' }, sharedConfirmations: [] }));
    expect(theirs.statusCode, theirs.body).toBe(201);
    const listed = (await get('/intake/applications', await h.applicantToken(ENTERPRISE_USCC))).json().cases;
    expect(listed).toEqual([expect.objectContaining({ caseId: mine.caseId, caseNumber: mine.caseNumber, status: 'awaiting-decision', itemName: '食品经营许可（新办）' })]);
    const worklist = (await get('/intake/applications?status=awaiting-decision', await h.clerkToken())).json().cases;
    expect(worklist.map((c: { caseId: string }) => c.caseId).sort()).toEqual([mine.caseId, theirs.json().caseId].sort());
    expect((await get('/intake/applications', await h.clerkToken('clerk-sun', 'bj-haidian'))).json().cases).toEqual([]);
  });

  it('answers 404, not 403, for somebody else’s case, and 404 to a clerk of another centre', async () => {
    const { caseId } = (await submit()).json();
    expect((await get(`/intake/applications/${caseId}`, await h.applicantToken(PERSON_ID))).statusCode).toBe(404);
    expect((await get(`/intake/applications/${caseId}`, await h.clerkToken('clerk-sun', 'bj-haidian'))).statusCode).toBe(404);
    expect((await get(`/intake/applications/${caseId}`, await h.clerkToken())).statusCode).toBe(200);
    expect((await get(`/intake/applications/${caseId}`)).statusCode).toBe(401);
  });

  it('the case state carries its revision as ETag: If-None-Match gets a 304, a change a new ETag, a stranger still a 404', async () => {
    const { caseId } = (await submit()).json();
    const mine = await h.applicantToken(ENTERPRISE_USCC);
    const read = (token: string, etag?: string) =>
      h.app.inject({ method: 'GET', url: `/intake/applications/${caseId}`, headers: { authorization: `Bearer ${token}`, ...(etag ? { 'if-none-match': etag } : {}) } });
    const first = await read(mine);
    expect(first.statusCode).toBe(200);
    expect(first.headers.etag).toBe('"0"');
    expect(first.headers['cache-control']).toBe('private, no-cache');
    const unchanged = await read(mine, '"0"');
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.body).toBe('');
    expect((await read(mine, 'W/"0"')).statusCode).toBe(304);
    expect((await read(await h.applicantToken(PERSON_ID), '"0"')).statusCode).toBe(404);
    expect((await post(`/intake/applications/${caseId}/accept`, await h.clerkToken(), {})).statusCode).toBe(200);
    const changed = await read(mine, '"0"');
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).toBe('"1"');
    expect(changed.json()).toMatchObject({ status: 'accepted', revision: '1' });
  });

  it('refuses a clerk’s decision to an applicant (403 by role) and to a clerk of another centre (404)', async () => {
    const { caseId } = (await submit()).json();
    expect((await post(`/intake/applications/${caseId}/accept`, await h.applicantToken(ENTERPRISE_USCC), {})).statusCode).toBe(403);
    expect((await post(`/intake/applications/${caseId}/accept`, await h.clerkToken('clerk-sun', 'bj-haidian'), {})).statusCode).toBe(404);
  });
});

describe('acceptance over HTTP (R-ACC-2, R-ACC-3)', () => {
  it('R-ACC-2: supplement notice → supplement → acceptance; each document sealed and verifiable', async () => {
    const { caseId } = (await submit({ materials: allUploads.filter((m) => m.materialId !== 'premises-proof') })).json();
    const clerk = await h.clerkToken();
    const notice = await post(`/intake/applications/${caseId}/supplement-notices`, clerk, { items: [{ materialId: 'premises-proof', problem: 'missing', detail: '请补交房屋租赁合同' }] });
    expect(notice.statusCode, notice.body).toBe(201);
    expect(notice.json().document).toMatchObject({ kind: 'supplement-notice', title: '补齐补正通知书' });

    h.clock.set('2026-11-30T14:00:00+08:00');
    const supplement = await post(`/intake/applications/${caseId}/supplements`, await h.applicantToken(ENTERPRISE_USCC), { channel: 'online', materials: [upload('premises-proof')] });
    expect(supplement.statusCode, supplement.body).toBe(201);
    expect(supplement.json().status).toBe('awaiting-decision');
    const [received] = (await h.store.readStream(`application-${caseId}`)).filter((e) => e.type === 'SupplementReceived');
    // The supplement period as a typed suspension: the day after the notice to the day it was answered.
    expect((received!.data as { suspension: unknown }).suspension).toEqual({ from: '2026-11-27', to: '2026-11-30', reason: 'supplement' });

    const accepted = await post(`/intake/applications/${caseId}/accept`, clerk, {});
    expect(accepted.statusCode, accepted.body).toBe(200);
    const { documentId } = accepted.json().document;
    const verify = await get(`/intake/documents/${documentId}/verify`);
    expect(verify.statusCode).toBe(200);
    expect(verify.json()).toMatchObject({ valid: true, kind: 'acceptance-receipt', seal: { kind: 'approval-business' } });
    expect(verify.body).not.toContain(ENTERPRISE_USCC);
    const doc = (await get(`/intake/documents/${documentId}`, await h.applicantToken(ENTERPRISE_USCC))).json();
    expect(doc.content).toMatchObject({ acceptor: { name: '李华' }, itemName: '食品经营许可（新办）', dateReceived: '2026-11-26' });
    expect((await get(`/intake/documents/${documentId}`, await h.applicantToken(PERSON_ID))).statusCode).toBe(404);
    // Personal data stays out of the logs through the whole flow (PIPL).
    expect(h.logs.text.length).toBeGreaterThan(0);
    expect(h.logs.text).not.toContain(ENTERPRISE_USCC);
    expect(h.logs.text).not.toContain('13812345678');
  });

  it('R-CAT-2: a notice for a material outside the guide is a 400 and nothing is stored', async () => {
    const { caseId } = (await submit({ materials: allUploads.filter((m) => m.materialId !== 'premises-proof') })).json();
    const before = await h.store.headPosition();
    const res = await post(`/intake/applications/${caseId}/supplement-notices`, await h.clerkToken(), {
      items: [
        { materialId: 'premises-proof', problem: 'missing', detail: '请补交' },
        { materialId: 'fire-permit', problem: 'missing', detail: '请补交消防许可' },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('R-CAT-2');
    expect(await h.store.headPosition()).toBe(before);
  });

  it('R-ACC-2: a refusal without reasons is a 400; with reasons a sealed 不予受理决定书', async () => {
    const { caseId } = (await submit()).json();
    const clerk = await h.clerkToken();
    expect((await post(`/intake/applications/${caseId}/not-accept`, clerk, { reasons: [] })).statusCode).toBe(400);
    const refused = await post(`/intake/applications/${caseId}/not-accept`, clerk, { reasons: [{ text: '经营场所位于住宅楼内，不符合受理条件' }] });
    expect(refused.statusCode).toBe(200);
    expect(refused.json()).toMatchObject({ status: 'not-accepted', document: { kind: 'non-acceptance-decision' } });
  });

  it('two clerks deciding at once: one wins, the other gets 412 and nothing of it is stored', async () => {
    const { caseId } = (await submit()).json();
    // Story: both requests read the case (each reads twice: to seal its document, then to
    // decide) at the same revision; only then may either append. The first append wins,
    // the second meets a moved stream (expected revision) → 412.
    const store = h.store;
    const originalAppend = store.appendToStream.bind(store);
    const originalRead = store.readStream.bind(store);
    let reads = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    store.readStream = async (stream, options) => {
      const events = await originalRead(stream, options);
      if (stream === `application-${caseId}` && ++reads === 4) release();
      return events;
    };
    store.appendToStream = async (stream, events, options) => {
      if (stream === `application-${caseId}`) await bothRead;
      return originalAppend(stream, events, options);
    };
    const [a, b] = await Promise.all([
      post(`/intake/applications/${caseId}/accept`, await h.clerkToken(), {}),
      post(`/intake/applications/${caseId}/not-accept`, await h.clerkToken('clerk-wang'), { reasons: [{ text: '材料不真实' }] }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 412]);
    const decided = (await originalRead(`application-${caseId}`)).filter((e) => e.type === 'CaseAccepted' || e.type === 'CaseNotAccepted');
    expect(decided).toHaveLength(1);
  });

  it('a decision retried with the same Idempotency-Key returns the first result: one document, one event', async () => {
    const { caseId } = (await submit()).json();
    const clerk = await h.clerkToken();
    const first = await post(`/intake/applications/${caseId}/accept`, clerk, {}, { 'idempotency-key': 'accept-0001' });
    const again = await post(`/intake/applications/${caseId}/accept`, clerk, {}, { 'idempotency-key': 'accept-0001' });
    expect([first.statusCode, again.statusCode]).toEqual([200, 200]);
    expect(again.json()).toEqual(first.json());
    expect((await h.store.readStream(`application-${caseId}`)).filter((e) => e.type === 'CaseAccepted')).toHaveLength(1);
    // Without the key, a second acceptance is a second decision: refused by the rule.
    expect((await post(`/intake/applications/${caseId}/accept`, clerk, {})).statusCode).toBe(409);
  });

  it('If-Match with a stale revision is a 412', async () => {
    const { caseId } = (await submit()).json();
    const res = await post(`/intake/applications/${caseId}/accept`, await h.clerkToken(), {}, { 'if-match': '"7"' });
    expect(res.statusCode).toBe(412);
  });

  it('R-ETHICS-1: contacts are recorded at touchpoints; an unknown touchpoint is refused', async () => {
    const { caseId } = (await submit()).json();
    const clerk = await h.clerkToken();
    expect((await post(`/intake/applications/${caseId}/contacts`, clerk, { touchpoint: 'receipt', note: '窗口接件' })).statusCode).toBe(201);
    const bad = await post(`/intake/applications/${caseId}/contacts`, clerk, { touchpoint: 'private-meeting' });
    expect(bad.statusCode).toBe(409);
    expect(bad.body).toContain('R-ETHICS-1');
  });

  it('R-ETHICS-1: a window submission by a clerk records the receipt contact', async () => {
    const clerk = await h.clerkToken();
    const res = await post('/intake/applications', clerk, application({ channel: 'window' }));
    expect(res.statusCode, res.body).toBe(201);
    const events = await h.store.readStream(`application-${res.json().caseId}`);
    expect(events.map((e) => e.type)).toEqual(['ApplicationSubmitted', 'ContactRecorded']);
    expect(events[1]!.metadata.actor).toMatchObject({ id: 'clerk-li', role: 'clerk' });
  });
});

describe('tolerated deficiencies and deemed acceptance on a fixed clock (R-ACC-2)', () => {
  it('R-ACC-2: 容缺受理, deadline missed, LapseToleratedDeficiency → lapsed, refusal required', async () => {
    const { caseId } = (await submit({ materials: allUploads.filter((m) => m.materialId !== 'layout-plan') })).json();
    const clerk = await h.clerkToken();
    const accepted = await post(`/intake/applications/${caseId}/accept-with-tolerated-deficiencies`, clerk, {
      items: [{ materialId: 'layout-plan', problem: 'missing', detail: '布局图三个工作日内补交' }],
      deadlineWorkingDays: 3,
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().status).toBe('accepted-with-deficiencies');
    const integration = await h.token(['integration'], { subject: 'supervision' });
    h.clock.set('2026-12-01T23:00:00+08:00'); // deadline: 3 working days after 11-26 is 12-01
    expect((await post(`/intake/applications/${caseId}/lapse-tolerated-deficiency`, integration, { cause: 'not-supplemented' })).statusCode).toBe(409);
    h.clock.set('2026-12-02T00:00:01+08:00');
    const lapsed = await post(`/intake/applications/${caseId}/lapse-tolerated-deficiency`, integration, { cause: 'not-supplemented' });
    expect(lapsed.statusCode, lapsed.body).toBe(200);
    expect(lapsed.json()).toMatchObject({ status: 'tolerated-lapsed', events: ['ToleratedDeficiencyLapsed'] });
  });

  it('R-ACC-2: supervision’s deem-acceptance command on the bus records a deemed acceptance (Art. 32)', async () => {
    const { caseId } = (await submit({ materials: allUploads.filter((m) => m.materialId !== 'layout-plan') })).json();
    h.clock.set('2026-12-04T08:00:00+08:00');
    const { encodeIntegrationEvent } = await import('@govsvc/contracts/envelope');
    const command = encodeIntegrationEvent(
      {
        type: 'supervision.deem-acceptance-command.v1',
        data: { commandId: '5e2f7a1c-3b4d-4e6f-8a9b-0c1d2e3f4a5b', caseId, deadlineId: `acceptance-notice-${caseId.slice(0, 8)}`, requestedAt: '2026-12-04T00:00:05+08:00', receivedOn: '2026-11-26', noticeDue: '2026-12-03' },
      },
      { id: 'cmd-1', time: '2026-12-04T00:00:05+08:00', correlationId: 'supervision-1' },
    );
    await h.bus.publish(command.topic, [{ key: command.key, value: command.value, headers: command.headers }, { key: command.key, value: command.value, headers: command.headers }]);
    await waitFor(async () => (await h.store.readStream(`application-${caseId}`)).some((e) => e.type === 'CaseAccepted'), 'the deemed acceptance');
    await new Promise((r) => setTimeout(r, 50)); // the redelivered duplicate has had its chance
    const accepted = (await h.store.readStream(`application-${caseId}`)).filter((e) => e.type === 'CaseAccepted');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.data).toMatchObject({ basis: 'deemed', effectiveFrom: '2026-11-26', acceptor: null });
  });
});

describe('published contracts (relay)', () => {
  it('publishes intake contracts keyed by case id, without personal data', async () => {
    const received: IncomingMessage[] = [];
    await h.bus.subscribe({ groupId: 'test-observer', topics: [topicOf('intake')], fromBeginning: true, handler: async (m) => void received.push(m) });
    const { caseId } = (await submit()).json();
    await post(`/intake/applications/${caseId}/accept`, await h.clerkToken(), {});
    await waitFor(() => received.length >= 3, 'three intake contracts');
    const decoded = received.map((m) => decodeIntegrationEvent(m));
    expect(decoded.map((e) => e.type)).toEqual(['intake.application-submitted.v1', 'intake.delivery-preferences-recorded.v1', 'intake.case-accepted.v2']);
    expect(decoded.every((e) => e.subject === caseId && received[0]!.key?.toString() === caseId)).toBe(true);
    expect(received.map((m) => m.value?.toString()).join('')).not.toContain(ENTERPRISE_USCC);
    expect(received.map((m) => m.value?.toString()).join('')).not.toContain('13812345678');
    // R-NOTIFY-1: delivery opens the sealed contact with the shared keyring, for this case only.
    const preferences = decoded[1]!.data as { contact: Parameters<typeof openContact>[0]; resultDelivery: unknown };
    expect(openContact(preferences.contact, caseId, contactKeys)).toEqual({ name: '张经理', mobile: '13812345678' });
    expect(() => openContact(preferences.contact, '00000000-0000-4000-8000-000000000000', contactKeys)).toThrow();
    expect(preferences.resultDelivery).toEqual({ method: 'window-pickup', serviceCentre: 'bj-chaoyang' });
  });

  it('R-NOTIFY-1: SMS without a mobile number, or pickup at an unknown centre, is a 400 naming each problem', async () => {
    const res = await submit({ delivery: { notificationChannels: ['sms', 'email'], resultDelivery: { method: 'window-pickup', serviceCentre: 'bj-nowhere' }, contact: { name: '张经理' } } });
    expect(res.statusCode).toBe(400);
    const paths = (res.json().errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/delivery/contact/mobile', '/delivery/contact/email', '/delivery/resultDelivery/serviceCentre']));
  });
});
