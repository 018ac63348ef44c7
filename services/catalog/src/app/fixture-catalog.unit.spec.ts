import { mkdtemp, writeFile, mkdir, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '@govsvc/errors/errors';
import { consistencyReport } from '../domain/consistency.ts';
import { ITEM_TYPES } from '../domain/guide/content.ts';
import type { LintContext } from '../domain/lint/context.ts';
import { lintGuide } from '../domain/lint/lint-guide.ts';
import { FIXTURES_DIR, lintContextOf, loadDivergentFixtures, loadFixtureCatalog, type FixtureCatalog, type GuideFile } from './fixture-catalog.ts';

let catalog: FixtureCatalog;
let divergent: GuideFile[];
let context: LintContext;

beforeAll(async () => {
  catalog = await loadFixtureCatalog();
  divergent = await loadDivergentFixtures();
  context = lintContextOf(catalog);
});

const byName = (name: string) => catalog.guides.filter((g) => g.content.itemName === name);

describe('fixture catalog', () => {
  it('holds at least 10 items across every item type of R-SCOPE-1', () => {
    const items = new Set(catalog.guides.map((g) => g.content.basicCode));
    expect(items.size).toBeGreaterThanOrEqual(10);
    expect(new Set(catalog.guides.map((g) => g.content.itemType))).toEqual(new Set(Object.keys(ITEM_TYPES)));
  });

  it('R-CAT-3 … R-CAT-12: every published fixture passes every lint, warnings included', () => {
    const findings = catalog.guides.flatMap(({ file, content }) => lintGuide(content, context).map((f) => `${file} ${f.rule} ${f.path} ${f.message.zh}`));
    expect(findings).toEqual([]);
  });

  it('the divergent fixture passes every lint too: only the cross-level report can see its divergence', () => {
    expect(divergent.flatMap(({ content }) => lintGuide(content, context))).toEqual([]);
  });

  it('exercises the rules it passes: forms, proofs, intermediaries, shared data, 容缺 and fees all occur', () => {
    const materials = catalog.guides.flatMap((g) => g.content.materials ?? []);
    expect(materials.some((m) => m.category === 'form')).toBe(true);
    expect(materials.some((m) => m.category === 'proof' && m.proofCode)).toBe(true);
    expect(materials.some((m) => m.source?.channel === 'intermediary')).toBe(true);
    expect(materials.some((m) => m.source?.channel === 'statutory-body')).toBe(true);
    expect(materials.some((m) => m.provision === 'shared-confirm')).toBe(true);
    expect(catalog.guides.some((g) => g.content.toleratedDeficiency?.allowed)).toBe(true);
    expect(catalog.guides.some((g) => g.content.fee?.charged)).toBe(true);
  });

  it('R-CAT-4: the city/district pair of 建设工程规划许可证核发 is consistent', () => {
    const pair = byName('建设工程规划许可证核发');
    expect(pair.map((g) => g.content.level).sort()).toEqual(['city', 'district']);
    const report = consistencyReport('011400100001', pair.map((g) => ({ implementationCode: g.content.implementationCode, version: 1, content: g.content })));
    expect(report.divergences).toEqual([]);
  });

  it('R-CAT-4: the district/township pair of 城乡居民基本养老保险待遇申领 is consistent', () => {
    const pair = byName('城乡居民基本养老保险待遇申领');
    expect(pair.map((g) => g.content.level).sort()).toEqual(['district', 'township']);
    const report = consistencyReport('051500200001', pair.map((g) => ({ implementationCode: g.content.implementationCode, version: 1, content: g.content })));
    expect(report.consistent).toBe(true);
  });

  it('R-CAT-4: the divergent township guide is reported field by field against the published pair', () => {
    const implementations = [...byName('城乡居民基本养老保险待遇申领'), ...divergent].map((g) => ({
      implementationCode: g.content.implementationCode,
      version: 1,
      content: g.content,
    }));
    const report = consistencyReport('051500200001', implementations);
    const odd = divergent[0]?.content.implementationCode ?? '';
    expect(report.consistent).toBe(false);
    expect(report.divergences.map((d) => d.field)).toEqual([
      'acceptanceConditions',
      'process[审核].timeLimit.workingDays',
      'process[审核].reviewStandard',
      'materials',
      'materials[城乡居民基本养老保险待遇领取申请表].copies',
      'promisedTimeLimit.workingDays',
    ]);
    const promised = report.divergences.find((d) => d.field === 'promisedTimeLimit.workingDays');
    expect(promised?.values.map((v) => [v.implementationCode === odd, v.value])).toEqual([
      [false, 10],
      [false, 10],
      [true, 15],
    ]);
  });

  it('reports every problem of every file at once, each path prefixed with its file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'catalog-fixtures-'));
    await cp(FIXTURES_DIR, dir, { recursive: true });
    await writeFile(join(dir, 'guides', 'broken.yaml'), 'itemName: 坏指南\nimplementationCode: "123"\nstatutoryTimeLimit: { workingDays: -2 }\n');
    await writeFile(join(dir, 'guides', 'not-yaml.yaml'), 'itemName: [unclosed\n');
    await mkdir(join(dir, 'guides', 'sub'), { recursive: true });
    let error: unknown;
    try {
      await loadFixtureCatalog(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).issues.map((i) => i.path);
    expect(paths).toEqual(['guides/broken.yaml#/implementationCode', 'guides/broken.yaml#/statutoryTimeLimit/workingDays', 'guides/not-yaml.yaml#']);
  });
});
