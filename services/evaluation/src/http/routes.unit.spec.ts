import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInMemoryEventStore, type InMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import type { Role } from '@govsvc/service-kit/principal';
import { APPLICANT_REF, DEPARTMENT, OTHER_APPLICANT_REF, OTHER_DEPARTMENT, deliveredCase, evaluationHarness, type Harness } from '../test-harness.ts';

const CASE = 'BJ-2026-000123';
let h: Harness;
let store: InMemoryEventStore;

beforeEach(async () => {
  store = createInMemoryEventStore();
  h = await evaluationHarness(store);
  await deliveredCase(h, CASE);
});
afterEach(async () => {
  await h.close();
});

async function call(method: 'GET' | 'POST', url: string, roles: Role[], who: { subject?: string; department?: string; centre?: string } = {}, body?: unknown, headers: Record<string, string> = {}) {
  const token = await h.token(roles, who);
  return h.app.inject({ method, url: `/evaluation${url}`, headers: { authorization: `Bearer ${token}`, ...headers }, ...(body !== undefined && { payload: body as object }) });
}
const applicant = { subject: APPLICANT_REF };
const staff = { subject: 'S-0042', department: DEPARTMENT };
const badRating = { channel: 'website', level: 'very-dissatisfied', indicators: { efficiency: 1 }, comment: '跑了三次', named: true };
const head = () => store.headPosition();

async function rateBadly(): Promise<string> {
  const res = await call('POST', `/cases/${CASE}/ratings`, ['applicant'], applicant, badRating);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().ratingId as string;
}

describe('ratings over HTTP (R-EVAL-2)', () => {
  it('R-EVAL-2: the applicant rates the delivered case once; a second rating of the matter is 409 naming the rule, and stores nothing', async () => {
    const first = await call('POST', `/cases/${CASE}/ratings`, ['applicant'], applicant, { channel: 'qr-code', level: 'satisfied', indicators: { attitude: 5 } });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ caseId: CASE, level: 'satisfied', levelLabel: '满意', occasion: { kind: 'online', occasionId: CASE }, rectification: null });
    const before = await head();
    const second = await call('POST', `/cases/${CASE}/ratings`, ['applicant'], applicant, { channel: 'website', level: 'very-dissatisfied', indicators: { efficiency: 1 } });
    expect(second.statusCode).toBe(409);
    expect(second.headers['content-type']).toContain('application/problem+json');
    expect(second.json()).toMatchObject({ rule: 'R-EVAL-2' });
    expect(await head()).toBe(before);
  });

  it('R-EVAL-2: another applicant’s case is 404, and nothing is stored', async () => {
    const before = await head();
    const res = await call('POST', `/cases/${CASE}/ratings`, ['applicant'], { subject: OTHER_APPLICANT_REF }, badRating);
    expect(res.statusCode).toBe(404);
    expect((await call('GET', `/cases/${CASE}/ratings`, ['applicant'], { subject: OTHER_APPLICANT_REF })).statusCode).toBe(404);
    expect((await call('GET', `/cases/NO-SUCH-CASE/ratings`, ['applicant'], applicant)).statusCode).toBe(404);
    expect(await head()).toBe(before);
  });

  it('R-EVAL-2: bad input is a 400 naming the field, and stores nothing', async () => {
    const before = await head();
    const unknownField = await call('POST', `/cases/${CASE}/ratings`, ['applicant'], applicant, { ...badRating, stars: 1 });
    expect(unknownField.statusCode).toBe(400);
    const badLevel = await call('POST', `/cases/${CASE}/ratings`, ['applicant'], applicant, { ...badRating, level: 'meh' });
    expect(badLevel.statusCode).toBe(400);
    expect(JSON.stringify(badLevel.json().errors)).toContain('level');
    const badScore = await call('POST', `/cases/${CASE}/ratings`, ['applicant'], applicant, { ...badRating, indicators: { efficiency: 9 } });
    expect(badScore.statusCode).toBe(400);
    const badKey = await call('POST', `/cases/${CASE}/ratings`, ['applicant'], applicant, badRating, { 'idempotency-key': 'x' });
    expect(badKey.statusCode).toBe(400);
    expect(await head()).toBe(before);
  });

  it('R-EVAL-2: a retried POST with the same Idempotency-Key returns the same rating and stores it once', async () => {
    const key = { 'idempotency-key': 'rate-0001-abc' };
    const a = await call('POST', `/cases/${CASE}/ratings`, ['applicant'], applicant, badRating, key);
    const afterFirst = await head();
    const b = await call('POST', `/cases/${CASE}/ratings`, ['applicant'], applicant, badRating, key);
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(200);
    expect(b.json().ratingId).toBe(a.json().ratingId);
    expect(await head()).toBe(afterFirst);
  });

  it('R-EVAL-2: only applicants rate; staff cannot rate for them', async () => {
    expect((await call('POST', `/cases/${CASE}/ratings`, ['clerk'], staff, badRating)).statusCode).toBe(403);
    expect((await call('POST', `/cases/${CASE}/ratings`, ['applicant'], applicant, { ...badRating, raterRef: OTHER_APPLICANT_REF })).statusCode).toBe(404);
  });

  it('R-EVAL-2: a window device rates an on-site occasion for the applicant it names; it cannot rate for someone else or use the applicant’s own channels', async () => {
    const device = { subject: 'device-BJ-CENTRE-01-W07' };
    const onSite = { kind: 'on-site', occasionId: 'TICKET-A0815' };
    const before = await head();
    expect((await call('POST', `/cases/${CASE}/ratings`, ['integration'], device, { channel: 'window-device', occasion: onSite, level: 'satisfied', raterRef: OTHER_APPLICANT_REF })).statusCode).toBe(404);
    expect((await call('POST', `/cases/${CASE}/ratings`, ['integration'], device, { channel: 'window-device', occasion: onSite, level: 'satisfied' })).statusCode).toBe(400);
    const web = await call('POST', `/cases/${CASE}/ratings`, ['integration'], device, { channel: 'website', level: 'satisfied', raterRef: APPLICANT_REF });
    expect(web.statusCode).toBe(409);
    expect(web.json().rule).toBe('R-EVAL-2');
    expect(await head()).toBe(before);
    const rated = await call('POST', `/cases/${CASE}/ratings`, ['integration'], device, { channel: 'window-device', occasion: onSite, level: 'very-satisfied', raterRef: APPLICANT_REF });
    expect(rated.statusCode, rated.body).toBe(201);
    expect(rated.json()).toMatchObject({ occasion: onSite, level: 'very-satisfied' });
    const again = await call('POST', `/cases/${CASE}/ratings`, ['applicant'], applicant, { channel: 'qr-code', occasion: onSite, level: 'satisfied' });
    expect(again.statusCode).toBe(409);
  });
});

describe('rectification over HTTP (R-EVAL-3)', () => {
  it('R-EVAL-3: the department verifies, calls back, feeds back; another department sees nothing; the applicant reads the feedback', async () => {
    const ratingId = await rateBadly();
    const asStaff = await call('GET', `/cases/${CASE}/ratings`, ['clerk'], staff);
    expect(asStaff.json().ratings).toEqual([expect.objectContaining({ ratingId, comment: '跑了三次', indicators: { efficiency: 1 }, channel: 'website' })]);
    expect((await call('GET', `/cases/${CASE}/ratings`, ['clerk'], { subject: 'S-9', department: OTHER_DEPARTMENT })).statusCode).toBe(404);
    const inbox = await call('GET', '/rectifications?status=open', ['clerk'], staff);
    expect(inbox.json().items).toEqual([expect.objectContaining({ caseId: CASE, ratingId, department: DEPARTMENT, dueDate: '2026-03-17', status: 'open' })]);
    expect((await call('GET', '/rectifications', ['clerk'], { subject: 'S-9', department: OTHER_DEPARTMENT })).json().items).toEqual([]);

    const base = `/cases/${CASE}/ratings/${ratingId}`;
    expect((await call('POST', `${base}/verification`, ['clerk'], { subject: 'S-9', department: OTHER_DEPARTMENT }, { finding: 'substantiated', note: 'x' })).statusCode).toBe(404);
    expect((await call('POST', `${base}/verification`, ['applicant'], applicant, { finding: 'substantiated', note: 'x' })).statusCode).toBe(403);

    expect((await call('POST', `${base}/verification`, ['reviewer'], staff, { finding: 'substantiated', note: '审批超时属实' })).statusCode).toBe(201);
    const early = await call('POST', `${base}/feedback`, ['reviewer'], staff, { outcome: 'rectified', measures: '增派人员', feedback: '已整改' });
    expect(early.statusCode).toBe(409);
    expect(early.json().rule).toBe('R-EVAL-3');
    expect((await call('POST', `${base}/callbacks`, ['clerk'], staff, { reached: true, summary: '已回访申请人' })).statusCode).toBe(201);
    const empty = await call('POST', `${base}/feedback`, ['reviewer'], staff, { outcome: 'rectified', measures: '增派人员', feedback: '   ' });
    expect(empty.statusCode).toBe(409);
    expect(empty.json()).toMatchObject({ rule: 'R-EVAL-3' });

    h.clock.set('2026-03-12T02:00:00.000Z');
    const done = await call('POST', `${base}/feedback`, ['reviewer'], staff, { outcome: 'rectified', measures: '增派审批人员', feedback: '已增加窗口审批力量' });
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json().rectification).toMatchObject({ status: 'completed', feedback: { outcome: 'rectified', withinLimit: true }, callbacks: 1 });

    // Published online without a token, without the case or the rater (R-EVAL-4).
    const published = await h.app.inject({ method: 'GET', url: '/evaluation/public/rectifications' });
    expect(published.statusCode).toBe(200);
    expect(published.json().items).toEqual([
      { ratingId, department: DEPARTMENT, level: 'very-dissatisfied', outcome: 'rectified', feedback: '已增加窗口审批力量', feedbackAt: '2026-03-12T02:00:00.000Z', withinLimit: true },
    ]);
    expect(published.body).not.toContain(CASE);
    const publicStats = await h.app.inject({ method: 'GET', url: '/evaluation/public/statistics?groupBy=department' });
    expect(publicStats.json().rows).toEqual([expect.objectContaining({ key: DEPARTMENT, ratings: 1, bad: 1, rectifiedOnTime: 1 })]);
    expect((await h.app.inject({ method: 'GET', url: '/evaluation/public/statistics?groupBy=day' })).statusCode).toBe(400);

    const seen = await call('GET', `/cases/${CASE}/ratings`, ['applicant'], applicant);
    expect(seen.json().ratings[0].rectification).toMatchObject({ feedback: { feedback: '已增加窗口审批力量' } });
    expect(seen.json().ratings[0].rectification).not.toHaveProperty('callbacks');
  });

  it('R-EVAL-3: the rater appeals the feedback once; the supervisor finds it in the list and reopens the rectification', async () => {
    const ratingId = await rateBadly();
    const base = `/cases/${CASE}/ratings/${ratingId}`;
    await call('POST', `${base}/verification`, ['reviewer'], staff, { finding: 'substantiated', note: '属实' });
    await call('POST', `${base}/callbacks`, ['clerk'], staff, { reached: true, summary: '已回访' });
    expect((await call('POST', `${base}/feedback`, ['reviewer'], staff, { outcome: 'rectified', measures: '培训', feedback: '已整改' })).statusCode).toBe(201);
    expect((await call('POST', `${base}/appeal`, ['applicant'], applicant, { reason: '问题没有解决' })).statusCode).toBe(201);
    const second = await call('POST', `${base}/appeal`, ['applicant'], applicant, { reason: '还是没有解决' });
    expect(second.statusCode).toBe(409);
    expect(second.json().rule).toBe('R-EVAL-3');
    const pending = await call('GET', '/rectifications?appeal=pending', ['supervisor']);
    expect(pending.json().items).toEqual([expect.objectContaining({ ratingId, appeal: 'pending', status: 'completed' })]);
    h.clock.set('2026-03-14T02:00:00.000Z');
    const decided = await call('POST', `${base}/appeal-decision`, ['supervisor'], { subject: 'SUP-1' }, { outcome: 'reopened', reason: '整改不到位' });
    expect(decided.statusCode).toBe(201);
    expect(decided.json().rectification).toMatchObject({ status: 'reopened', dueDate: '2026-03-21', appeal: { status: 'reopened' } });
    expect((await call('GET', '/rectifications?status=reopened', ['clerk'], staff)).json().items).toEqual([expect.objectContaining({ ratingId, dueDate: '2026-03-21' })]);
  });

  it('R-EVAL-3: no appeal before the feedback; the department asks for review and the supervisor excludes the malicious rating, reason kept', async () => {
    const ratingId = await rateBadly();
    const base = `/cases/${CASE}/ratings/${ratingId}`;
    expect((await call('POST', `${base}/appeal`, ['applicant'], applicant, { reason: '未解决' })).statusCode).toBe(409);
    expect((await call('POST', `${base}/review-request`, ['chief'], { subject: 'S-9', department: OTHER_DEPARTMENT }, { reason: 'x' })).statusCode).toBe(404);
    expect((await call('POST', `${base}/review-request`, ['chief'], staff, { reason: '同一号码批量差评' })).statusCode).toBe(201);
    const asked = await call('GET', '/rectifications?reviewRequested=true', ['supervisor']);
    expect(asked.json().items).toEqual([expect.objectContaining({ ratingId, reviewRequested: true })]);
    expect((await call('GET', `/cases/${CASE}/ratings`, ['applicant'], applicant)).json().ratings[0].reviewRequest).toBeNull();
    const reviewed = await call('POST', `${base}/review`, ['supervisor'], { subject: 'SUP-1' }, { outcome: 'malicious', reason: '批量恶意差评' });
    expect(reviewed.statusCode, reviewed.body).toBe(201);
    expect(reviewed.json()).toMatchObject({ review: { outcome: 'malicious', reason: '批量恶意差评' }, rectification: { status: 'closed-by-exclusion' } });
    expect((await call('GET', '/rectifications?reviewRequested=true', ['supervisor'])).json().items).toEqual([]);
    expect((await call('POST', `${base}/review`, ['clerk'], staff, { outcome: 'stands', reason: 'x' })).statusCode).toBe(403);
    const stats = await call('GET', '/statistics?groupBy=department', ['supervisor']);
    expect(stats.json().total).toMatchObject({ ratings: 0, excluded: 1 });
  });
  it('reliability finding 6: a clerk with a centre but no department is refused 403 naming the missing department claim, not the roles, and nothing is stored', async () => {
    const ratingId = await rateBadly();
    const before = await head();
    const res = await call('POST', `/cases/${CASE}/ratings/${ratingId}/callbacks`, ['clerk'], { subject: 'clerk-zhao', centre: 'bj-city' }, { reached: true, summary: '已回访' });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json();
    expect(problem.detail).not.toMatch(/needs one of the roles/);
    expect(problem.detail).toMatch(/department/);
    expect(problem.errors).toEqual([{ in: 'token', path: '/department', reason: expect.stringMatching(/department/) }]);
    // The same for every department-scoped route, reads included.
    const inbox = await call('GET', '/rectifications', ['clerk'], { subject: 'clerk-zhao', centre: 'bj-city' });
    expect(inbox.statusCode).toBe(403);
    expect(inbox.json().errors).toEqual([expect.objectContaining({ in: 'token', path: '/department' })]);
    expect(await head()).toBe(before);
  });
});

describe('statistics over HTTP (R-EVAL-4)', () => {
  it('R-EVAL-4: supervisors and operators read the same figures as JSON and as CSV (UTF-8 with BOM); applicants cannot', async () => {
    await rateBadly();
    const json = await call('GET', '/statistics?groupBy=department&from=2026-03-01&to=2026-03-31', ['operator']);
    expect(json.statusCode).toBe(200);
    expect(json.json().rows).toEqual([expect.objectContaining({ key: DEPARTMENT, ratings: 1, bad: 1, satisfactionRate: 0 })]);
    const csv = await call('GET', '/statistics.csv?groupBy=department&from=2026-03-01&to=2026-03-31', ['supervisor']);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toContain('attachment');
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.body).toContain(`${DEPARTMENT},1,0,0,0,0,1,0,1,0.00%`);
    expect((await call('GET', '/statistics', ['applicant'], applicant)).statusCode).toBe(403);
    expect((await call('GET', '/statistics?groupBy=weekday', ['supervisor'])).statusCode).toBe(400);
    expect((await call('GET', '/statistics?from=2026-04-01&to=2026-03-01', ['supervisor'])).statusCode).toBe(400);
  });
});

describe('complaints over HTTP (R-EVAL-1)', () => {
  it('R-EVAL-1: 12345 work orders come through the integration, with the published handling limit; the department answers', async () => {
    const res = await call('POST', '/complaints', ['integration'], { subject: '12345-platform' }, { channel: '12345-hotline', caseId: CASE, department: DEPARTMENT, summary: '窗口推诿', limitWorkingDays: 3 });
    expect(res.statusCode, res.body).toBe(201);
    // Tue 2026-03-10 + 3 working days = Fri 03-13.
    expect(res.json().complaint).toMatchObject({ caseId: CASE, limitWorkingDays: 3, dueDate: '2026-03-13', provisional: false });
    const id = res.json().complaint.complaintId as string;
    const open = await call('GET', '/complaints?answered=false', ['clerk'], staff);
    expect(open.json().items).toEqual([expect.objectContaining({ complaintId: id, caseId: CASE, dueDate: '2026-03-13', answeredAt: null })]);
    expect((await call('GET', '/complaints', ['clerk'], { subject: 'S-9', department: OTHER_DEPARTMENT })).json().items).toEqual([]);
    expect((await call('POST', `/complaints/${id}/answer`, ['clerk'], { subject: 'S-9', department: OTHER_DEPARTMENT }, { answer: 'a', handling: 'h' })).statusCode).toBe(404);
    const empty = await call('POST', `/complaints/${id}/answer`, ['clerk'], staff, { answer: '', handling: '培训' });
    expect(empty.statusCode).toBe(409);
    expect(empty.json().rule).toBe('R-EVAL-1');
    const answered = await call('POST', `/complaints/${id}/answer`, ['clerk'], staff, { answer: '已致歉并说明', handling: '约谈窗口人员' });
    expect(answered.statusCode).toBe(201);
    expect(answered.json().answered).toMatchObject({ withinLimit: true });
    expect((await call('GET', '/complaints?answered=false', ['supervisor'])).json().items).toEqual([]);
    const stats = await call('GET', '/statistics/complaints', ['supervisor']);
    expect(stats.json().rows).toEqual([{ department: DEPARTMENT, received: 1, answered: 1, answeredOnTime: 1 }]);
  });

  it('R-EVAL-1: applicants complain on the portal about their own case only; channels belong to their roles; window complaints name the centre', async () => {
    const own = await call('POST', '/complaints', ['applicant'], applicant, { channel: 'website', caseId: CASE, department: DEPARTMENT, summary: '等待太久' });
    expect(own.statusCode).toBe(201);
    expect(own.json().complaint).toMatchObject({ complainantRef: APPLICANT_REF, limitWorkingDays: 5 });
    expect((await call('GET', `/complaints/${own.json().complaint.complaintId}`, ['applicant'], { subject: OTHER_APPLICANT_REF })).statusCode).toBe(404);
    expect((await call('POST', '/complaints', ['applicant'], { subject: OTHER_APPLICANT_REF }, { channel: 'website', caseId: CASE, department: DEPARTMENT, summary: 'x' })).statusCode).toBe(404);
    expect((await call('POST', '/complaints', ['applicant'], applicant, { channel: '12345-hotline', caseId: null, department: DEPARTMENT, summary: 'x' })).statusCode).toBe(403);
    const atWindow = await call('POST', '/complaints', ['clerk'], { ...staff, centre: 'BJ-CENTRE-01' }, { channel: 'window', department: DEPARTMENT, summary: '态度差' });
    expect(atWindow.statusCode).toBe(201);
    expect(atWindow.json().complaint).toMatchObject({ serviceCentre: 'BJ-CENTRE-01', caseId: null });
    expect((await call('POST', '/complaints', ['clerk'], staff, { channel: 'window', department: DEPARTMENT, summary: '态度差' })).statusCode).toBe(409);
  });

  it('R-EVAL-1: a complaint posted again with the same Idempotency-Key is the same complaint, stored once', async () => {
    const key = { 'idempotency-key': 'work-order-2026-0001' };
    const body = { channel: '12345-hotline', caseId: null, department: DEPARTMENT, summary: '热线工单' };
    const first = await call('POST', '/complaints', ['integration'], { subject: '12345-platform' }, body, key);
    const afterFirst = await head();
    const again = await call('POST', '/complaints', ['integration'], { subject: '12345-platform' }, body, key);
    expect([first.statusCode, again.statusCode]).toEqual([201, 200]);
    expect(again.json().complaint.complaintId).toBe(first.json().complaint.complaintId);
    expect(await head()).toBe(afterFirst);
  });
});

describe('consultations over HTTP (R-CONS-1)', () => {
  it('R-CONS-1: a letter is recorded with its first responder and answered once, completely', async () => {
    const rec = await call('POST', '/consultations', ['clerk'], staff, { channel: 'letter', questions: ['需要哪些材料？', '多久办结？'], promisedBy: '2026-03-20' });
    expect(rec.statusCode, rec.body).toBe(201);
    expect(rec.json().consultation).toMatchObject({ firstResponder: { staffId: 'S-0042', department: DEPARTMENT } });
    const id = rec.json().consultation.consultationId as string;
    const partial = await call('POST', `/consultations/${id}/answer`, ['clerk'], staff, { answers: ['身份证'] });
    expect(partial.statusCode).toBe(409);
    expect(partial.json().rule).toBe('R-CONS-1');
    expect((await call('POST', `/consultations/${id}/answer`, ['clerk'], staff, { answers: ['身份证', '20个工作日'] })).statusCode).toBe(201);
    expect((await call('POST', `/consultations/${id}/answer`, ['clerk'], staff, { answers: ['补充', '补充'] })).statusCode).toBe(409);
    // A second letter nobody answers: overdue once its promised day has passed.
    await call('POST', '/consultations', ['clerk'], staff, { channel: 'letter', questions: ['能否邮寄？'], promisedBy: '2026-03-12' });
    await call('POST', '/consultations', ['clerk'], { ...staff, centre: 'BJ-CENTRE-01' }, { channel: 'window', questions: ['几点下班？'] });
    h.clock.set('2026-03-13T00:00:00.000Z');
    const stats = await call('GET', '/statistics/consultations', ['supervisor']);
    expect(stats.json().rows).toEqual([
      { department: DEPARTMENT, byChannel: { window: 1, phone: 0, online: 0, letter: 2 }, letters: 2, lettersAnswered: 1, lettersAnsweredInTime: 1, lettersOverdue: 1 },
    ]);
  });

  it('R-CONS-1: the telephony system logs calls; the per-centre first-call answer rate is flagged unless above 90%', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await call('POST', '/phone-calls', ['integration'], { subject: 'telephony' }, { callId: `CALL-${i}`, serviceCentre: 'BJ-CENTRE-01', receivedAt: '2026-03-10T01:00:00.000Z', answeredOnFirstAttempt: i < 8 });
      expect(res.statusCode).toBe(201);
    }
    expect((await call('POST', '/phone-calls', ['integration'], { subject: 'telephony' }, { callId: 'CALL-0', serviceCentre: 'BJ-CENTRE-01', receivedAt: '2026-03-10T01:00:00.000Z', answeredOnFirstAttempt: true })).statusCode).toBe(200);
    const rates = await call('GET', '/statistics/phone-answer-rates', ['operator']);
    expect(rates.json().rows).toEqual([{ centre: 'BJ-CENTRE-01', calls: 10, answeredOnFirstAttempt: 8, rate: 0.8, belowTarget: true }]);
    expect((await call('POST', '/phone-calls', ['clerk'], staff, { callId: 'X', serviceCentre: 'C', receivedAt: '2026-03-10T01:00:00.000Z', answeredOnFirstAttempt: true })).statusCode).toBe(403);
  });
});

describe('documentation', () => {
  it('every evaluation route is in the OpenAPI document, protected ones with their roles', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const paths = res.json().paths as Record<string, Record<string, { 'x-roles'?: string[] }>>;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/evaluation/cases/{caseId}/ratings',
        '/evaluation/cases/{caseId}/ratings/{ratingId}/feedback',
        '/evaluation/complaints',
        '/evaluation/consultations',
        '/evaluation/statistics.csv',
        '/evaluation/public/rectifications',
      ]),
    );
    expect(paths['/evaluation/cases/{caseId}/ratings/{ratingId}/review']?.post?.['x-roles']).toEqual(['supervisor']);
  });
});
