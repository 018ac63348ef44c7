import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { FIXTURES_DIR } from '@govsvc/catalog/app/fixture-catalog';
import { createHarness, type Harness } from '@govsvc/catalog/test-harness';
import { run } from '../main.ts';
import { testContext } from '../../test/support.ts';

const FOOD = join(FIXTURES_DIR, 'guides', 'food-business-licence.yaml');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'govsvc-guide-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function govsvc(argv: string[]) {
  const t = testContext({ baseDir: dir });
  const code = await run(argv, { io: t.ctx.io, now: t.ctx.now, config: t.ctx.config });
  return { code, out: t.out(), err: t.err() };
}

/** The food licence fixture with `change` applied, written as YAML into the temp folder. */
async function variant(name: string, change: (guide: Record<string, unknown>) => void): Promise<string> {
  const { parse } = await import('yaml');
  const guide = parse(await readFile(FOOD, 'utf8')) as Record<string, unknown>;
  change(guide);
  await writeFile(join(dir, name), stringify(guide), 'utf8');
  return name;
}

describe('govsvc guide lint', () => {
  it('0 and "ready to publish" for a clean guide', async () => {
    const r = await govsvc(['guide', 'lint', FOOD]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('no findings, ready to publish (食品经营许可（新办）)');
  });

  it('1 with every finding, each with its rule id and path, in both languages', async () => {
    const file = await variant('broken.yaml', (g) => {
      g.hours = '';
      const materials = g.materials as Record<string, unknown>[];
      materials[1]!.name = '布局图等其他材料';
      materials[1]!.legalBasis = [];
    });
    const r = await govsvc(['guide', 'lint', file]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('broken.yaml: 4 findings, 4 blocking publishing');
    for (const line of ['error   R-CAT-3   /hours', 'error   R-CAT-6   /materials/1/name', 'error   R-CAT-6   /materials/1/legalBasis']) expect(r.out).toContain(line);
    expect(r.out).toContain('办事指南缺少“办理时间”要素');
    expect(r.out).toContain('the guide lacks the element "hours"');
  });

  it('--json gives the findings as data', async () => {
    const file = await variant('unsafe-sample.yaml', (g) => {
      (g.result as { sample: { text: string } }).sample.text = '经营者：王小明 电话：13912345678';
    });
    const r = await govsvc(['guide', 'lint', file, '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ file, blocking: true });
    expect(report.findings.map((f: { rule: string; path: string }) => `${f.rule} ${f.path}`)).toEqual(['R-CAT-12 /result/sample/text', 'R-CAT-12 /result/sample/text']);
  });

  it('0 when the only findings are warnings', async () => {
    const file = await variant('slow-steps.yaml', (g) => {
      (g.process as { id: string; timeLimit: { workingDays: number } }[]).find((s) => s.id === 'review')!.timeLimit.workingDays = 3;
    });
    const r = await govsvc(['guide', 'lint', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('1 finding, 0 blocking publishing');
    expect(r.out).toContain('warning R-CAT-11');
  });

  it('1 for a file that is not a well-formed guide, every schema problem with its path', async () => {
    await writeFile(join(dir, 'malformed.yaml'), 'itemName: 坏\nimplementationCode: "123"\nmaterials: [{ id: a, copies: 两份 }]\n', 'utf8');
    const r = await govsvc(['guide', 'lint', 'malformed.yaml']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('malformed.yaml#/implementationCode');
    expect(r.err).toContain('malformed.yaml#/materials/0/copies');
  });

  it('1 for YAML that does not parse, and for a missing file', async () => {
    await writeFile(join(dir, 'bad-syntax.yaml'), 'itemName: [unclosed\n', 'utf8');
    expect((await govsvc(['guide', 'lint', 'bad-syntax.yaml'])).code).toBe(1);
    const missing = await govsvc(['guide', 'lint', 'no-such-file.yaml', '--json']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.out).error.issues[0].path).toBe('no-such-file.yaml#');
  });

  it('2 on usage errors', async () => {
    expect((await govsvc(['guide', 'lint'])).code).toBe(2);
    expect((await govsvc(['guide', 'lint', FOOD, '--loud'])).code).toBe(2);
  });
});

describe('govsvc guide publish (over HTTP, to a running catalog)', () => {
  let h: Harness;
  let url: string;

  beforeAll(async () => {
    h = await createHarness();
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await h.close();
  });

  const publish = async (file: string, ...extra: string[]) =>
    govsvc(['guide', 'publish', file, '--url', url, '--token', (await h.bearer('admin')).authorization.slice('Bearer '.length), ...extra]);

  it('publishes, then reports an unchanged document as already in force', async () => {
    const first = await publish(FOOD);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/published 01120040000111010100000011110101MB855928X301001 version 1\n/u);
    expect(h.module.guides.inForce('01120040000111010100000011110101MB855928X301001')?.version).toBe(1);
    const again = await publish(FOOD, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ version: 1, published: false });
  });

  it('R-CAT-14: a changed guide needs a reason; with one it becomes the next version', async () => {
    const file = await variant('longer-hours.yaml', (g) => {
      g.hours = '法定工作日 8:30-17:30（午间不间断服务）';
    });
    const refused = await publish(file);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('[R-CAT-14]');
    const accepted = await publish(file, '--reason', '延长办理时间');
    expect(accepted.code).toBe(0);
    expect(accepted.out).toContain('version 2 (supersedes version 1)');
  });

  it('R-CAT-14: a new legal basis is published with the legal change behind it', async () => {
    const file = await variant('new-basis.yaml', (g) => {
      g.hours = '法定工作日 8:30-17:30（午间不间断服务）';
      (g.legalBasis as unknown[]).push({ instrument: '《北京市食品安全条例》', kind: 'local-regulation' });
    });
    const noLaw = await publish(file, '--reason', '增加地方性法规依据');
    expect(noLaw.code).toBe(1);
    expect(noLaw.out).toContain('R-CAT-14  /legalBasis');
    const withLaw = await publish(file, '--reason', '增加地方性法规依据', '--legal-change', '《北京市食品安全条例》', '--legal-change-kind', 'amended', '--effective-on', '2025-04-01');
    expect(withLaw.code).toBe(0);
    expect(h.module.guides.inForce('01120040000111010100000011110101MB855928X301001')?.change?.legalChange?.instrument).toBe('《北京市食品安全条例》');
  });

  it('1 with every finding when the service refuses the guide; nothing is published', async () => {
    const file = await variant('no-complaint.yaml', (g) => {
      g.implementationCode = '01120040000111010100000011110101MB855928X302001';
      g.handlingItem = '变更';
      g.complaint = [];
    });
    const r = await publish(file, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).problem.errors).toEqual([expect.objectContaining({ rule: 'R-CAT-3', path: '/complaint' })]);
    expect(h.module.guides.history('01120040000111010100000011110101MB855928X302001')).toEqual([]);
  });

  it('1 when the token is not an admin’s', async () => {
    const token = (await h.bearer('clerk')).authorization.slice('Bearer '.length);
    const r = await govsvc(['guide', 'publish', FOOD, '--url', url, '--token', token]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('refused (403');
  });

  it('1 when the service is unreachable', async () => {
    const r = await govsvc(['guide', 'publish', FOOD, '--url', 'http://127.0.0.1:9', '--token', 'x']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('unreachable');
  });

  it('2 without a token or a database URL, or with a legal change but no reason', async () => {
    expect((await govsvc(['guide', 'publish', FOOD, '--url', url])).code).toBe(2);
    expect((await govsvc(['guide', 'publish', FOOD, '--url', url, '--token', 't', '--legal-change', '《某法》'])).code).toBe(2);
    expect((await govsvc(['guide', 'publish', FOOD, '--url', url, '--token', 't', '--legal-change-kind', 'rewritten'])).code).toBe(2);
  });
});
