import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, fixtureGuide, type Harness } from '../test-harness.ts';
import { publishFixtureCatalog } from '../app/fixture-catalog.ts';
import type { GuideContent } from '../domain/guide/content.ts';

const FOOD = 'food-business-licence.yaml';
const SYSTEM = { actor: { id: 'test-loader', role: 'system' }, correlationId: 'test-fixtures' };

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

async function publish(content: unknown, change?: unknown) {
  return h.app.inject({
    method: 'POST',
    url: '/catalog/admin/guides/publish',
    headers: await h.bearer('admin'),
    payload: { content, ...(change !== undefined && { change }) },
  });
}

describe('catalog HTTP API', () => {
  describe('who may write', () => {
    it('401 without a token, with a WWW-Authenticate challenge', async () => {
      const response = await h.app.inject({ method: 'POST', url: '/catalog/admin/guides/publish', payload: { content: fixtureGuide(h, FOOD) } });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toContain('Bearer');
    });

    it.each(['clerk', 'supervisor', 'applicant'] as const)('403 for a %s: only admin writes the catalog', async (role) => {
      const response = await h.app.inject({
        method: 'POST',
        url: '/catalog/admin/guides/publish',
        headers: await h.bearer(role),
        payload: { content: fixtureGuide(h, FOOD) },
      });
      expect(response.statusCode).toBe(403);
      expect(await h.store.headPosition()).toBe(0n);
    });

    it('reads are public: every channel reads without a token', async () => {
      const response = await h.app.inject({ method: 'GET', url: '/catalog/guides' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ total: 0, limit: 50, offset: 0, guides: [] });
    });
  });

  describe('invalid guides are refused whole, with every problem at once, and nothing is stored', () => {
    it('a body that breaks the schema: 400 naming every field', async () => {
      const content = fixtureGuide(h, FOOD) as Record<string, unknown>;
      content.itemType = '02';
      content.statutoryTimeLimit = { workingDays: 'ten' };
      content.handlingForm = 'fax';
      (content.materials as Record<string, unknown>[])[1]!.copies = 0;
      const response = await publish(content);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      const paths = (response.json().errors as { path: string }[]).map((e) => e.path).sort();
      expect(paths).toEqual(['/content/handlingForm', '/content/itemType', '/content/materials/1/copies', '/content/statutoryTimeLimit/workingDays']);
      expect(await h.store.headPosition()).toBe(0n);
    });

    it('R-CAT-3 … R-CAT-12: a well-formed guide that fails lints: 400 with each finding’s rule and path, nothing stored', async () => {
      const content = fixtureGuide(h, FOOD);
      const broken: GuideContent = {
        ...content,
        hours: '',
        promisedTimeLimit: { workingDays: 12 },
        materials: content.materials?.map((m) => (m.id === 'layout' ? { ...m, name: '布局图等其他材料', legalBasis: [] } : m)),
      };
      const response = await publish(broken);
      expect(response.statusCode).toBe(400);
      const errors = response.json().errors as { path: string; rule: string; reason: string }[];
      expect(errors.map((e) => `${e.rule} ${e.path}`)).toEqual([
        'R-CAT-3 /hours',
        'R-CAT-3 /promisedTimeLimit/workingDays',
        'R-CAT-6 /materials/1/name',
        'R-CAT-6 /materials/1/name',
        'R-CAT-6 /materials/1/legalBasis',
      ]);
      expect(errors[0]?.reason).toContain('办理时间');
      expect(await h.store.headPosition()).toBe(0n);
    });

    it('lint endpoint reports findings without storing anything', async () => {
      const content = { ...fixtureGuide(h, FOOD), complaint: [] };
      const response = await h.app.inject({ method: 'POST', url: '/catalog/admin/guides/lint', headers: await h.bearer('admin'), payload: { content } });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ blocking: true, findings: [{ rule: 'R-CAT-3', path: '/complaint', severity: 'error' }] });
      expect(await h.store.headPosition()).toBe(0n);
    });
  });

  describe('published guides: list, search, get, ETag', () => {
    beforeEach(async () => {
      await publishFixtureCatalog(h.module.commands, h.fixtures, SYSTEM);
      await h.module.caughtUp();
    });

    it('lists every published fixture', async () => {
      const response = await h.app.inject({ method: 'GET', url: '/catalog/guides?limit=200' });
      expect(response.json().total).toBe(h.fixtures.guides.length);
    });

    it.each([
      ['name=食品', ['食品安全违法行为举报奖励', '食品经营备案（仅销售预包装食品）', '食品经营许可（新办）']],
      ['type=05', ['城乡居民基本养老保险待遇申领', '城乡居民基本养老保险待遇申领']],
      ['department=朝阳', ['个体工商户设立登记', '建设工程规划许可证核发']],
      ['code=011400100001', ['建设工程规划许可证核发', '建设工程规划许可证核发']],
      ['code=0114-0010-0001&level=city', ['建设工程规划许可证核发']],
    ])('searches: %s', async (query, names) => {
      const response = await h.app.inject({ method: 'GET', url: `/catalog/guides?${encodeURI(query)}` });
      expect(response.statusCode).toBe(200);
      expect((response.json().guides as { itemName: string }[]).map((g) => g.itemName).sort()).toEqual([...names].sort());
    });

    it('gets a guide by its implementation code, hyphens allowed, and answers 304 to a matching If-None-Match', async () => {
      const code = fixtureGuide(h, FOOD).implementationCode;
      const first = await h.app.inject({ method: 'GET', url: `/catalog/guides/${code}` });
      expect(first.statusCode).toBe(200);
      expect(first.json()).toMatchObject({ implementationCode: code, version: 1, guideVersion: '1', status: 'in-force', content: { itemName: '食品经营许可（新办）' } });
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/u);

      const hyphenated = `${code.slice(0, 12)}-${code.slice(12, 24)}-${code.slice(24, 42)}-${code.slice(42)}`;
      const again = await h.app.inject({ method: 'GET', url: `/catalog/guides/${hyphenated}`, headers: { 'if-none-match': etag } });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');

      const stale = await h.app.inject({ method: 'GET', url: `/catalog/guides/${code}`, headers: { 'if-none-match': '"something-else"' } });
      expect(stale.statusCode).toBe(200);
    });

    it('R-CAT-13: web, mobile, kiosk and QR read the same version, byte for byte; the channel only shows in the metrics', async () => {
      const code = fixtureGuide(h, FOOD).implementationCode;
      const bodies = new Set<string>();
      const etags = new Set<string>();
      for (const channel of ['web', 'mobile', 'kiosk', 'qr', 'web']) {
        const response = await h.app.inject({ method: 'GET', url: `/catalog/guides/${code}?channel=${channel}` });
        bodies.add(response.body);
        etags.add(response.headers.etag as string);
      }
      expect(bodies.size).toBe(1);
      expect(etags.size).toBe(1);
      const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toContain('catalog_guide_reads_total{channel="web",route="get",service="catalog"} 2');
      expect(metrics).toContain('catalog_guide_reads_total{channel="kiosk",route="get",service="catalog"} 1');
      expect(metrics).toContain('catalog_guide_reads_total{channel="qr",route="get",service="catalog"} 1');
    });

    it('refuses an unknown channel rather than guessing', async () => {
      const code = fixtureGuide(h, FOOD).implementationCode;
      expect((await h.app.inject({ method: 'GET', url: `/catalog/guides/${code}?channel=fax` })).statusCode).toBe(400);
    });

    it('the list has an ETag too, and it changes when a guide is published', async () => {
      const before = await h.app.inject({ method: 'GET', url: '/catalog/guides' });
      const etag = before.headers.etag as string;
      expect((await h.app.inject({ method: 'GET', url: '/catalog/guides', headers: { 'if-none-match': `W/${etag}` } })).statusCode).toBe(304);
      const moved = { ...fixtureGuide(h, FOOD), hours: '法定工作日 8:30-17:30（午间不间断服务）' };
      h.clock.advance(60_000);
      expect((await publish(moved, { reason: '延长办理时间' })).statusCode).toBe(200);
      expect((await h.app.inject({ method: 'GET', url: '/catalog/guides', headers: { 'if-none-match': etag } })).statusCode).toBe(200);
    });

    it('404 for a guide nobody published', async () => {
      const response = await h.app.inject({ method: 'GET', url: '/catalog/guides/01120040000111010100000011110101MB855928X302001' });
      expect(response.statusCode).toBe(404);
    });

    it('renders the flow chart of the guide in force (R-CAT-11)', async () => {
      const code = fixtureGuide(h, FOOD).implementationCode;
      const response = await h.app.inject({ method: 'GET', url: `/catalog/guides/${code}/flow-chart` });
      expect(response.statusCode).toBe(200);
      expect(response.json().mermaid).toContain('s_accept --> s_review');
    });

    it('lists the retained-proofs catalog', async () => {
      const response = await h.app.inject({ method: 'GET', url: '/catalog/proofs' });
      expect((response.json().proofs as { code: string; status: string }[]).map((p) => [p.code, p.status])).toContainEqual(['BJZM-0107', 'retained']);
    });
  });

  describe('R-CAT-14: versions', () => {
    it('a changed guide becomes version 2; version 1 stays readable as superseded, and "valid at" finds each', async () => {
      const v1 = fixtureGuide(h, FOOD);
      const code = v1.implementationCode;
      expect((await publish(v1)).json()).toMatchObject({ version: 1, published: true, supersedes: null });
      const t1 = h.clock.now().toISOString();

      h.clock.set('2025-06-01T10:00:00+08:00');
      const v2 = { ...v1, promisedTimeLimit: { workingDays: 4 }, process: v1.process?.map((s) => (s.id === 'review' ? { ...s, timeLimit: { workingDays: 1 } } : s)) };
      const refused = await publish(v2);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().rule).toBe('R-CAT-14');
      const second = await publish(v2, { reason: '压缩承诺时限' });
      expect(second.json()).toMatchObject({ version: 2, published: true, supersedes: 1 });

      const latest = (await h.app.inject({ method: 'GET', url: `/catalog/guides/${code}` })).json();
      expect(latest).toMatchObject({ version: 2, status: 'in-force', change: { reason: '压缩承诺时限' } });
      const old = (await h.app.inject({ method: 'GET', url: `/catalog/guides/${code}?version=1` })).json();
      expect(old).toMatchObject({ version: 1, status: 'superseded', supersededBy: 2, endedAt: '2025-06-01T02:00:00.000Z' });
      expect((await h.app.inject({ method: 'GET', url: `/catalog/guides/${code}?at=${encodeURIComponent(t1)}` })).json().version).toBe(1);
      expect((await h.app.inject({ method: 'GET', url: `/catalog/guides/${code}?at=2025-05-31` })).json().version).toBe(1);
      expect((await h.app.inject({ method: 'GET', url: `/catalog/guides/${code}?at=2025-06-01` })).json().version).toBe(2);
      expect((await h.app.inject({ method: 'GET', url: `/catalog/guides/${code}?at=2025-01-01` })).statusCode).toBe(404);

      const history = (await h.app.inject({ method: 'GET', url: `/catalog/guides/${code}/versions` })).json();
      expect(history.versions.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([
        [1, 'superseded'],
        [2, 'in-force'],
      ]);
    });

    it('publishing the same document again changes nothing', async () => {
      const v1 = fixtureGuide(h, FOOD);
      await publish(v1);
      const head = await h.store.headPosition();
      expect((await publish(v1)).json()).toMatchObject({ version: 1, published: false });
      expect(await h.store.headPosition()).toBe(head);
    });

    it('draft, revise and publish step by step; a published version cannot be revised', async () => {
      const headers = await h.bearer('admin');
      const content = fixtureGuide(h, FOOD);
      const code = content.implementationCode;
      expect((await h.app.inject({ method: 'POST', url: '/catalog/admin/guides', headers, payload: { content: { ...content, hours: '' } } })).statusCode).toBe(201);

      const state = (await h.app.inject({ method: 'GET', url: `/catalog/admin/guides/${code}`, headers })).json();
      expect(state).toMatchObject({ openDraft: 1, inForce: null, draftFindings: [{ rule: 'R-CAT-3', path: '/hours' }] });
      expect((await h.app.inject({ method: 'GET', url: `/catalog/guides/${code}` })).statusCode).toBe(404);

      expect((await h.app.inject({ method: 'POST', url: `/catalog/admin/guides/${code}/versions/1/publish`, headers })).statusCode).toBe(400);
      expect((await h.app.inject({ method: 'PUT', url: `/catalog/admin/guides/${code}/drafts/1`, headers, payload: { content, note: '补全办理时间' } })).statusCode).toBe(200);
      const published = await h.app.inject({ method: 'POST', url: `/catalog/admin/guides/${code}/versions/1/publish`, headers });
      expect(published.json()).toEqual({ implementationCode: code, version: 1, supersedes: null });
      expect((await h.app.inject({ method: 'GET', url: `/catalog/guides/${code}` })).statusCode).toBe(200);

      const revise = await h.app.inject({ method: 'PUT', url: `/catalog/admin/guides/${code}/drafts/1`, headers, payload: { content } });
      expect(revise.statusCode).toBe(409);
      expect(revise.json().rule).toBe('R-CAT-14');
    });

    it('R-CAT-1: a withdrawn guide is no longer in force, but its history still answers for the past', async () => {
      const content = fixtureGuide(h, FOOD);
      const code = content.implementationCode;
      await publish(content);
      h.clock.set('2025-07-01T09:00:00+08:00');
      const withdrawn = await h.app.inject({
        method: 'POST',
        url: `/catalog/admin/guides/${code}/withdrawal`,
        headers: await h.bearer('admin'),
        payload: { reason: '事项取消', legalChange: { instrument: '《某某决定》', kind: 'enacted', effectiveOn: '2025-07-01' } },
      });
      expect(withdrawn.statusCode).toBe(200);
      expect((await h.app.inject({ method: 'GET', url: `/catalog/guides/${code}` })).statusCode).toBe(404);
      expect((await h.app.inject({ method: 'GET', url: `/catalog/guides/${code}?at=2025-06-30` })).json()).toMatchObject({ version: 1, status: 'withdrawn' });
      expect((await h.app.inject({ method: 'GET', url: '/catalog/guides' })).json().total).toBe(0);
    });
  });

  describe('R-CAT-4: consistency report', () => {
    beforeEach(async () => {
      await publishFixtureCatalog(h.module.commands, h.fixtures, SYSTEM);
    });

    it('supervisors see every multi-level item and whether it agrees', async () => {
      const response = await h.app.inject({ method: 'GET', url: '/catalog/consistency', headers: await h.bearer('supervisor') });
      expect(response.statusCode).toBe(200);
      expect(response.json().items).toEqual([
        { basicCode: '011400100001', itemName: '建设工程规划许可证核发', implementations: 2, consistent: true, divergentFields: 0 },
        { basicCode: '051500200001', itemName: '城乡居民基本养老保险待遇申领', implementations: 2, consistent: true, divergentFields: 0 },
      ]);
    });

    it('a district publishing a divergent version shows up field by field', async () => {
      const district = h.fixtures.guides.find((g) => g.file === 'guides/resident-pension-claim-haidian.yaml')?.content;
      if (!district) throw new Error('fixture missing');
      const drifted = { ...district, promisedTimeLimit: { workingDays: 8 }, process: district.process?.map((s) => (s.id === 'review' ? { ...s, timeLimit: { workingDays: 3 } } : s)) };
      expect((await publish(drifted, { reason: '区级压缩时限' })).statusCode).toBe(200);
      const report = (await h.app.inject({ method: 'GET', url: '/catalog/consistency/051500200001', headers: await h.bearer('supervisor') })).json();
      expect(report.consistent).toBe(false);
      expect(report.divergences.map((d: { field: string }) => d.field)).toEqual(['process[审核].timeLimit.workingDays', 'promisedTimeLimit.workingDays']);
    });

    it('is not for applicants', async () => {
      expect((await h.app.inject({ method: 'GET', url: '/catalog/consistency', headers: await h.bearer('applicant') })).statusCode).toBe(403);
      expect((await h.app.inject({ method: 'GET', url: '/catalog/consistency' })).statusCode).toBe(401);
    });
  });

  describe('R-CAT-7: a new proof, filed with the guide that demands it', () => {
    it('refuses to publish while the proof awaits filing, then files and publishes together', async () => {
      const headers = await h.bearer('admin');
      const content = fixtureGuide(h, 'food-business-licence.yaml');
      const code = content.implementationCode;
      const withProof: GuideContent = {
        ...content,
        materials: [
          ...(content.materials ?? []),
          {
            ...(content.materials?.[1] ?? { id: 'x' }),
            id: 'cold-chain-proof',
            name: '冷链食品追溯证明',
            category: 'proof',
            proofCode: 'BJZM-0901',
            source: { channel: 'government', issuer: '市场监督管理部门' },
          },
        ],
      };
      const required = await h.app.inject({
        method: 'POST',
        url: '/catalog/admin/proofs/required',
        headers,
        payload: {
          code: 'BJZM-0901',
          name: '冷链食品追溯证明',
          issuer: '市场监督管理部门',
          legalBasis: [{ instrument: '《某某冷链食品管理规定》', article: '第十条' }],
          department: '北京市东城区市场监督管理局',
          requiredBy: [code],
          legalChange: { instrument: '《某某冷链食品管理规定》', kind: 'enacted', effectiveOn: '2025-03-03' },
          requiredOn: '2025-03-03',
        },
      });
      expect(required.statusCode).toBe(201);
      // 15 working days after Monday 3 March 2025 (no holiday in between): Monday 24 March.
      expect(required.json()).toEqual({ code: 'BJZM-0901', filingDue: '2025-03-24', provisional: false });

      expect((await h.app.inject({ method: 'POST', url: '/catalog/admin/guides', headers, payload: { content: withProof } })).statusCode).toBe(201);
      const early = await h.app.inject({ method: 'POST', url: `/catalog/admin/guides/${code}/versions/1/publish`, headers });
      expect(early.statusCode).toBe(400);
      expect(early.json().errors).toContainEqual(expect.objectContaining({ rule: 'R-CAT-7', path: '/materials/5/proofCode' }));

      const filed = await h.app.inject({
        method: 'POST',
        url: '/catalog/admin/proofs/BJZM-0901/filing',
        headers,
        payload: { filedOn: '2025-03-20', filingReference: 'BA-2025-0901', updatedGuides: [code] },
      });
      expect(filed.statusCode).toBe(200);
      expect(filed.json()).toEqual({ code: 'BJZM-0901', late: false, published: [{ implementationCode: code, version: 1 }] });
      expect((await h.app.inject({ method: 'GET', url: `/catalog/guides/${code}` })).json().content.materials).toHaveLength(6);
    });
  });

  it('serves its OpenAPI document with the guide schema and the admin role', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/catalog/guides', '/catalog/guides/{code}', '/catalog/admin/guides/publish', '/catalog/consistency/{basicCode}']));
    expect(doc.paths['/catalog/admin/guides/publish'].post['x-roles']).toEqual(['admin']);
  });

  it('is ready once its read models are caught up', async () => {
    const response = await h.app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(200);
  });
});
