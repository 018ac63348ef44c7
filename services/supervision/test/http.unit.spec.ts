/**
 * The HTTP surface on a real service-kit app: roles, explanations, the breach
 * list and metrics, console sessions, and a calendar publication that
 * recomputes a provisional deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadlineIdOf } from '../src/domain/kinds.ts';
import { startApp, startHarness, type Harness } from './harness.ts';

const itemCode = '11000000000000000A-0001-01';
let h: Harness;
let http: Awaited<ReturnType<typeof startApp>>;
let operator: string;

beforeAll(async () => {
  h = await startHarness({ start: '2025-01-20T09:00:00+08:00' });
  http = await startApp(h.module);
  operator = await http.token(['operator']);
  await h.publish('catalog.guide-published.v1', { itemCode, guideVersion: '2025.2', itemType: '01', implementingBody: '北京市市场监督管理局' });
  await h.publish('intake.application-submitted.v1', { caseId: 'BJ-W1', itemCode, guideVersion: '2025.2', serviceCentre: 'centre-chaoyang', submittedAt: '2025-01-24T16:00:00+08:00' });
  await h.publish('intake.application-submitted.v1', { caseId: 'BJ-W2', itemCode, guideVersion: '2025.2', serviceCentre: 'centre-haidian', submittedAt: '2025-01-27T10:00:00+08:00' });
  await h.tick('2025-01-27T09:00:00+08:00'); // BJ-W1's acceptance was due on the adjusted Sunday 01-26: yellow
});
afterAll(async () => {
  await http?.app.close();
  await h?.stop();
});

const call = async (method: 'GET' | 'POST', url: string, token?: string, extra: { cookie?: string; payload?: unknown } = {}) => {
  const response = await http.app.inject({
    method,
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(extra.cookie ? { cookie: extra.cookie } : {}) },
    ...(extra.payload !== undefined ? { payload: extra.payload as Record<string, unknown> } : {}),
  });
  return response;
};

describe('supervision HTTP', () => {
  it('explains a due date: counted and skipped days, the 调休 Sunday, the calendar version and the legal source', async () => {
    const id = deadlineIdOf('BJ-W2', 'deemed-acceptance', 'submission');
    const response = await call('GET', `/supervision/deadlines/${encodeURIComponent(id)}/explain`, operator);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ due: '2025-02-10', calendarVersion: '2025@1', requirement: 'R-ACC-2', unit: 'working-days', limit: { base: 5, total: 5 } });
    expect(body.legalSource).toContain('第三十二条');
    // From Monday 01-27: 春节 01-28…02-04 skipped, 02-05 … 02-07 counted, the adjusted Saturday 02-08 counted, Monday 02-10 fifth.
    expect(body.explanation.counted.map((d: { date: string }) => d.date)).toEqual(['2025-02-05', '2025-02-06', '2025-02-07', '2025-02-08', '2025-02-10']);
    expect(body.explanation.counted[3]).toMatchObject({ kind: 'adjusted-workday', festival: '春节' });
    expect(body.explanation.skipped.filter((d: { reason: { kind: string } }) => d.reason.kind === 'holiday')).toHaveLength(8);
    expect(body.history.map((e: { type: string }) => e.type)).toEqual(['DeadlineOpened']);
  });

  it('lists breaches as JSON, filtered, for operators only', async () => {
    expect((await call('GET', '/supervision/breaches')).statusCode).toBe(401);
    expect((await call('GET', '/supervision/breaches', await http.token(['applicant']))).statusCode).toBe(403);
    const all = (await call('GET', '/supervision/breaches', operator)).json();
    expect(all.counts).toEqual({ warning: 0, yellow: 1, red: 0 });
    expect(all.entries[0]).toMatchObject({ caseId: 'BJ-W1', kind: 'acceptance', card: 'yellow', department: '北京市市场监督管理局', centre: 'centre-chaoyang', itemName: '食品经营许可' });
    expect((await call('GET', '/supervision/breaches?centre=centre-haidian', operator)).json().entries).toEqual([]);
    const breached = (await call('GET', '/supervision/deadlines?breached=true', operator)).json();
    expect(breached.deadlines.map((d: { caseId: string }) => d.caseId)).toEqual(['BJ-W1']);
  });

  it('exposes open deadlines and cards by colour and department as Prometheus metrics', async () => {
    const text = (await call('GET', '/metrics')).body;
    // BJ-W1 and BJ-W2: acceptance and deemed acceptance each.
    expect(text).toContain('supervision_open_deadlines{service="supervision"} 4');
    expect(text).toContain('supervision_cards{colour="yellow",department="北京市市场监督管理局",service="supervision"} 1');
  });

  it('console: the page asks for a token; a bearer token is exchanged for an HttpOnly cookie; a forged cookie is refused', async () => {
    const shell = await call('GET', '/supervision/console');
    expect(shell.statusCode).toBe(200);
    expect(shell.body).toContain('data-authed="false"');
    expect(shell.body).not.toContain('BJ-W1');
    expect((await call('GET', '/supervision/console/events')).statusCode).toBe(401);
    expect((await call('POST', '/supervision/console/session', await http.token(['applicant']))).statusCode).toBe(403);

    const session = await call('POST', '/supervision/console/session', operator);
    expect(session.statusCode).toBe(200);
    const setCookie = String(session.headers['set-cookie']);
    expect(setCookie).toMatch(/^govsvc_console=[^;]+; Path=\/supervision; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const cookie = setCookie.split(';')[0]!;

    const page = await call('GET', '/supervision/console', undefined, { cookie });
    expect(page.body).toContain('data-authed="true"');
    expect(page.body).toContain('BJ-W1');
    expect(page.body).toContain('黄牌');
    const filtered = await call('GET', '/supervision/console?card=red', undefined, { cookie });
    expect(filtered.body).not.toContain('data-id="BJ-W1');

    const [name, value] = cookie.split('=') as [string, string];
    const forged = `${name}=${Buffer.from(JSON.stringify({ subject: 'x', roles: ['operator'], expiresAt: 9_999_999_999 })).toString('base64url')}.${value.split('.')[1]}`;
    expect((await call('GET', '/supervision/console', undefined, { cookie: forged })).body).toContain('data-authed="false"');
    expect((await call('GET', '/supervision/console/events', undefined, { cookie: forged })).statusCode).toBe(401);
  });

  it('publishing a calendar year recomputes the provisional deadlines that run into it, and the explanation keeps the history', async () => {
    await h.publish('review.step-started.v1', { caseId: 'BJ-P1', stepId: 'review', limitWorkingDays: 10, startedAt: '2027-02-01T09:00:00+08:00' });
    const id = deadlineIdOf('BJ-P1', 'step', 'review');
    const before = (await call('GET', `/supervision/deadlines/${encodeURIComponent(id)}/explain`, operator)).json();
    // 2027 is not published: its statutory 春节 (02-05 除夕 … 02-08) is assumed, the rest are plain weekends.
    expect(before).toMatchObject({ due: '2027-02-17', provisional: true, calendarVersion: '2027@provisional' });

    const schedule = {
      year: 2027,
      version: 1,
      source: { title: '国务院办公厅关于2027年部分节假日安排的通知' },
      holidays: [{ date: '2027-01-01', name: '元旦' }, ...['05', '06', '07', '08', '09', '10', '11'].map((d) => ({ date: `2027-02-${d}`, name: '春节' }))],
      workdays: [{ date: '2027-02-20', name: '春节' }],
    };
    expect((await call('POST', '/supervision/calendar/years', operator, { payload: { schedule } })).statusCode).toBe(403);
    const published = await call('POST', '/supervision/calendar/years', await http.token(['admin']), { payload: { schedule } });
    expect(published.statusCode).toBe(201);
    expect(published.json().recomputed).toContainEqual({ deadlineId: id, oldDue: '2027-02-17', newDue: '2027-02-20' });

    const after = (await call('GET', `/supervision/deadlines/${encodeURIComponent(id)}/explain`, operator)).json();
    expect(after).toMatchObject({ due: '2027-02-20', provisional: false, calendarVersion: '2027@1' });
    expect(after.recomputations).toHaveLength(1);
    expect(after.recomputations[0].why).toContain('2027-02-09 由工作日改为春节假日');
    // Publishing the same again is a no-op.
    const again = await call('POST', '/supervision/calendar/years', await http.token(['admin']), { payload: { schedule } });
    expect(again.json()).toMatchObject({ published: false, recomputed: [] });

    // A revision published by another process (here: appended straight to the store) is consumed too.
    const revised = { ...schedule, version: 2, holidays: [...schedule.holidays, { date: '2027-02-12', name: '春节' }] };
    await h.store.appendToStream('calendar-2027', [
      {
        id: crypto.randomUUID(),
        type: 'CalendarYearPublished',
        schemaVersion: 1,
        data: { schedule: revised, publishedAt: '2026-12-02T10:00:00+08:00', publishedBy: 'another-instance' },
        metadata: { correlationId: 'calendar:2027', actor: { id: 'another-instance', role: 'admin' } },
      },
    ], { expectedRevision: 0n });
    await h.module.caughtUp();
    const revisedExplain = (await call('GET', `/supervision/deadlines/${encodeURIComponent(id)}/explain`, operator)).json();
    expect(revisedExplain).toMatchObject({ due: '2027-02-22', calendarVersion: '2027@2' });
    expect(revisedExplain.recomputations.map((r: { oldDue: string; due: string }) => `${r.oldDue}→${r.due}`)).toEqual(['2027-02-17→2027-02-20', '2027-02-20→2027-02-22']);
  });
});
