import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../test-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness(); // Monday 3 March 2025, 09:00 in Beijing
});
afterEach(async () => {
  await h.close();
});

const policy = { policyId: 'bj-2025-7', title: '关于进一步优化政务服务的若干措施', issuer: '北京市政务服务管理局', madeOn: '2025-03-03' };
const publication = { publishedOn: '2025-03-20', channels: ['government-website', 'government-gazette'], url: 'https://www.beijing.gov.cn/zhengce/bj-2025-7', interpretations: ['questions-and-answers', 'graphics'] };

async function post(url: string, payload: unknown, role: 'admin' | 'supervisor' = 'admin') {
  return h.app.inject({ method: 'POST', url: `/catalog${url}`, headers: await h.bearer(role), payload: payload as object });
}
async function get(url: string, role?: 'supervisor' | 'operator' | 'applicant') {
  return h.app.inject({ method: 'GET', url: `/catalog${url}`, headers: role ? await h.bearer(role) : {} });
}

describe('policy publication over HTTP (R-PUB-1, Art. 36)', () => {
  it('R-PUB-1: a policy made today falls due 15 working days later; supervisors see it awaiting, then overdue, then published late; the public sees it once published', async () => {
    const recorded = await post('/admin/policies', policy);
    expect(recorded.statusCode, recorded.body).toBe(201);
    expect(recorded.json()).toMatchObject({ policyId: 'bj-2025-7', publicationDue: { date: '2025-03-24', provisional: false }, status: 'awaiting', publication: null });
    expect((await get('/policies?status=awaiting', 'supervisor')).json().policies).toHaveLength(1);
    expect((await get('/public/policies')).json().policies).toEqual([]);

    h.clock.set('2025-03-25T09:00:00+08:00');
    expect((await get('/policies?status=overdue', 'operator')).json().policies.map((p: { policyId: string }) => p.policyId)).toEqual(['bj-2025-7']);

    const published = await post('/admin/policies/bj-2025-7/publication', { ...publication, publishedOn: '2025-03-25' });
    expect(published.statusCode, published.body).toBe(200);
    expect(published.json()).toMatchObject({ status: 'published-late', publication: { onTime: false, channels: ['government-website', 'government-gazette'] } });
    expect((await get('/policies/bj-2025-7', 'supervisor')).json().status).toBe('published-late');
    expect((await get('/public/policies')).json().policies).toEqual([
      { policyId: 'bj-2025-7', title: policy.title, issuer: policy.issuer, madeOn: '2025-03-03', publishedOn: '2025-03-25', channels: publication.channels, url: publication.url, interpretations: publication.interpretations },
    ]);
  });

  it('R-PUB-1: published within the limit is on time; a retried request stores nothing twice', async () => {
    await post('/admin/policies', policy);
    h.clock.set('2025-03-20T10:00:00+08:00');
    const first = await post('/admin/policies/bj-2025-7/publication', publication);
    expect(first.json()).toMatchObject({ status: 'published', publication: { onTime: true } });
    const head = await h.store.headPosition();
    expect((await post('/admin/policies', policy)).statusCode).toBe(201);
    expect((await post('/admin/policies/bj-2025-7/publication', publication)).statusCode).toBe(200);
    expect(await h.store.headPosition()).toBe(head);
  });

  it('R-PUB-1: bad input is 400 naming the field, a rule is 409 naming R-PUB-1, a wrong role 403, and nothing is stored', async () => {
    const head = await h.store.headPosition();
    expect((await post('/admin/policies', { ...policy, madeOn: '2025-03-04' })).json()).toMatchObject({ status: 400, errors: [expect.objectContaining({ path: '/madeOn', rule: 'R-PUB-1' })] });
    expect((await post('/admin/policies', { ...policy, publishedOn: '2025-03-03' })).statusCode).toBe(400);
    expect((await post('/admin/policies/bj-2025-7/publication', publication)).json()).toMatchObject({ status: 409, rule: 'R-PUB-1' });
    expect((await post('/admin/policies', policy, 'supervisor')).statusCode).toBe(403);
    expect((await get('/policies', 'applicant')).statusCode).toBe(403);
    expect((await get('/policies/nope', 'supervisor')).statusCode).toBe(404);
    expect(await h.store.headPosition()).toBe(head);
    await post('/admin/policies', policy);
    expect((await post('/admin/policies/bj-2025-7/publication', { ...publication, channels: [] })).statusCode).toBe(400);
    expect((await post('/admin/policies/bj-2025-7/publication', { ...publication, publishedOn: '2025-03-02' })).json()).toMatchObject({ status: 400, errors: [expect.objectContaining({ path: '/publishedOn' })] });
  });
});
