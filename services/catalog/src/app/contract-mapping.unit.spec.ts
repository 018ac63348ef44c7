import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { createInProcessBus } from '@govsvc/messaging/in-process-bus';
import { readIntegrationEvent } from '@govsvc/contracts/registry';
import { decodeIntegrationEvent } from '@govsvc/contracts/envelope';
import { topicOf } from '@govsvc/contracts/topics';
import { createHarness, fixtureGuide } from '../test-harness.ts';
import { catalogIntegrationEvents, describeLegalChange } from './contract-mapping.ts';
import { publishFixtureCatalog } from './fixture-catalog.ts';

const CTX = { actor: { id: 'admin-1', role: 'admin' }, correlationId: 'corr-1' };

describe('catalog contracts (relay mapping)', () => {
  it('R-CAT-13/14: publishing, superseding and withdrawing map to the published contracts, each valid against its schema', async () => {
    const h = await createHarness();
    try {
      const v1 = fixtureGuide(h, 'public-place-hygiene-licence.yaml');
      await publishFixtureCatalog(h.module.commands, { ...h.fixtures, guides: [] }, CTX);
      await h.module.commands.publishGuideDocument(v1, undefined, CTX);
      h.clock.set('2025-06-01T09:00:00+08:00');
      const legalChange = { instrument: '《公共场所卫生管理条例实施细则》', kind: 'amended' as const, effectiveOn: '2025-06-01' };
      await h.module.commands.publishGuideDocument({ ...v1, hours: '法定工作日 8:30-17:30' }, { reason: '细则修改', legalChange }, CTX);
      h.clock.set('2025-09-01T09:00:00+08:00');
      await h.module.commands.withdrawGuide(v1.implementationCode, '事项调整', undefined, CTX);

      const stored = (await h.store.readAll()).filter((e) => e.stream.startsWith('guide-'));
      const contracts = stored.flatMap(catalogIntegrationEvents);
      expect(contracts.map((c) => c.type)).toEqual([
        'catalog.guide-published.v2',
        'catalog.guide-published.v2',
        'catalog.guide-superseded.v1',
        'catalog.guide-superseded.v1',
      ]);
      const [first, second, superseded, withdrawn] = contracts;
      expect(first?.data).toMatchObject({
        itemCode: v1.implementationCode,
        basicCode: '011400270001',
        itemType: '01',
        guideVersion: '1',
        previousVersion: null,
        level: 'district',
        statutoryLimitWorkingDays: 20,
        promisedLimitWorkingDays: 10,
        feeCharged: false,
        effectiveFrom: '2025-03-03T01:00:00.000Z',
      });
      // R-CAT-2 / R-ACC-2 / R-CAT-10: intake learns each material, which may be tolerated and which is fetched.
      const materials = (first?.data as { materials: { materialId: string; toleratedDeficiencyAllowed: boolean; fromDataSharing: boolean }[] }).materials;
      expect(materials.filter((m) => m.toleratedDeficiencyAllowed).map((m) => m.materialId)).toEqual(['hygiene-test-report']);
      expect(materials.filter((m) => m.fromDataSharing).map((m) => m.materialId)).toEqual(['business-licence']);
      expect(second?.data).toMatchObject({ guideVersion: '2', previousVersion: '1' });
      expect(superseded?.data).toEqual({
        itemCode: v1.implementationCode,
        guideVersion: '1',
        supersededBy: '2',
        reason: 'law-changed',
        legalBasisChange: describeLegalChange(legalChange),
        supersededAt: '2025-06-01T01:00:00.000Z',
      });
      expect(withdrawn?.data).toMatchObject({ guideVersion: '2', supersededBy: null, reason: 'item-withdrawn', legalBasisChange: null });
      for (const c of contracts) expect(() => readIntegrationEvent(c.type, c.data)).not.toThrow();
    } finally {
      await h.close();
    }
  });

  it('every fixture guide, once published, maps to a valid guide-published contract', async () => {
    const h = await createHarness();
    try {
      await publishFixtureCatalog(h.module.commands, h.fixtures, CTX);
      const contracts = (await h.store.readAll()).flatMap(catalogIntegrationEvents);
      expect(contracts.map((c) => (c.data as { itemCode: string }).itemCode).sort()).toEqual(h.fixtures.guides.map((g) => g.content.implementationCode).sort());
    } finally {
      await h.close();
    }
  });

  it('R-REV-3/4/5, R-COLLAB-1: the facts review decides by travel with each fixture guide as stated', async () => {
    const h = await createHarness();
    try {
      await publishFixtureCatalog(h.module.commands, h.fixtures, CTX);
      const published = (await h.store.readAll()).flatMap(catalogIntegrationEvents).flatMap((c) => (c.type === 'catalog.guide-published.v2' ? [c.data] : []));
      const byCode = (file: string) => published.find((g) => g.itemCode === fixtureGuide(h, file).implementationCode)!;

      // 食品经营许可证: five years, renewal 15 working days before expiry (食品经营许可和备案管理办法, 2023).
      const food = byCode('food-business-licence.yaml');
      expect(food.licence).toEqual({ electronicAvailable: true, paperAbolished: false, validityMonths: 60, renewalLead: { days: 15, unit: 'working-days' } });
      expect(food.collectiveDecision).toEqual({ required: false, legalBasis: null });
      expect(food.collaboration).toBeNull();
      // No renewal stated: Licensing Law Art. 50's 30 days.
      expect(byCode('road-freight-licence.yaml').licence?.renewalLead).toEqual({ days: 30, unit: 'calendar-days' });
      // A licence without expiry; a payment states no licence facts at all.
      expect(byCode('sole-proprietorship-registration.yaml').licence).toMatchObject({ validityMonths: null });
      expect(byCode('resident-pension-claim-haidian.yaml').licence).toBeNull();
      const permit = byCode('construction-planning-permit-city.yaml');
      expect(permit.collectiveDecision).toEqual({ required: true, legalBasis: '《北京市城乡规划条例》' });
      expect(permit.collaboration).toEqual({
        leadDepartment: '北京市规划和自然资源委员会',
        assistingDepartments: [
          { department: '北京市人民防空办公室', matter: '结合建设项目配建的人民防空工程' },
          { department: '北京市园林绿化局', matter: '建设项目附属绿地' },
        ],
      });
    } finally {
      await h.close();
    }
  });

  it('a new version without a legal change is a correction', async () => {
    const h = await createHarness();
    try {
      const v1 = fixtureGuide(h, 'food-business-licence.yaml');
      await h.module.commands.publishGuideDocument(v1, undefined, CTX);
      await h.module.commands.publishGuideDocument({ ...v1, hours: '全天' }, { reason: '更正办理时间' }, CTX);
      const contracts = (await h.store.readAll()).flatMap(catalogIntegrationEvents);
      expect(contracts.at(-1)).toMatchObject({ type: 'catalog.guide-superseded.v1', data: { reason: 'correction', legalBasisChange: null } });
    } finally {
      await h.close();
    }
  });

  it('drafts, revisions and retained proofs publish nothing', async () => {
    const h = await createHarness();
    try {
      const content = fixtureGuide(h, 'food-business-licence.yaml');
      await h.module.commands.draftGuide(content, undefined, CTX);
      await h.module.commands.reviseGuide(content.implementationCode, 1, { ...content, hours: '全天' }, undefined, CTX);
      await publishFixtureCatalog(h.module.commands, { ...h.fixtures, guides: [] }, CTX);
      expect((await h.store.readAll()).flatMap(catalogIntegrationEvents)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('R-CAT-7: a new proof and its filing reach supervision once per guide concerned', async () => {
    const h = await createHarness();
    try {
      const codes = ['food-business-licence.yaml', 'prepackaged-food-filing.yaml'].map((f) => fixtureGuide(h, f).implementationCode);
      await h.module.commands.requireNewProof(
        {
          code: 'BJZM-0902',
          name: '某证明',
          issuer: '某机关',
          legalBasis: [{ instrument: '《某规定》' }],
          department: '北京市东城区市场监督管理局',
          requiredBy: codes,
          legalChange: { instrument: '《某规定》', kind: 'enacted' },
          requiredOn: '2025-03-03',
        },
        CTX,
      );
      const contracts = (await h.store.readAll()).flatMap(catalogIntegrationEvents);
      expect(contracts.map((c) => [c.type, (c.data as { itemCode: string }).itemCode])).toEqual([
        ['catalog.proof-filing-required.v1', codes[0]],
        ['catalog.proof-filing-required.v1', codes[1]],
      ]);
    } finally {
      await h.close();
    }
  });

  it('the module relays them onto the catalog topic, keyed by item code', async () => {
    const bus = createInProcessBus();
    const h = await createHarness({ store: createInMemoryEventStore(), bus });
    try {
      const received: { key: string | null; type: string | undefined }[] = [];
      await bus.subscribe({
        groupId: 'test-catalog-consumer',
        topics: [topicOf('catalog')],
        fromBeginning: true,
        handler: async (message) => {
          const decoded = decodeIntegrationEvent(message);
          received.push({ key: message.key?.toString() ?? null, type: decoded.type });
        },
      });
      const content = fixtureGuide(h, 'food-business-licence.yaml');
      await h.module.commands.publishGuideDocument(content, undefined, CTX);
      await h.module.relayCaughtUp();
      await expect.poll(() => received).toEqual([{ key: content.implementationCode, type: 'catalog.guide-published.v2' }]);
    } finally {
      await h.close();
      await bus.close();
    }
  });

  /**
   * The records review's tests publish (packages/contracts
   * `__fixtures__/catalog.guide-published.v2/`) are what this relay puts on the
   * bus for the fixture guides: producer and consumer are pinned to one file.
   * `UPDATE_CONTRACT_FIXTURES=1` rewrites them after a deliberate change.
   */
  it('R-REV-3/4/5, R-COLLAB-1: the fixture guides’ records on the bus are the ones review is tested with', async () => {
    const dir = new URL('../../../../packages/contracts/src/__fixtures__/catalog.guide-published.v2/', import.meta.url);
    const files = ['food-business-licence', 'construction-planning-permit-city', 'mortgage-first-registration'];
    const bus = createInProcessBus();
    const h = await createHarness({ store: createInMemoryEventStore(), bus });
    try {
      const received: { key: string; headers: Record<string, string>; value: string }[] = [];
      await bus.subscribe({
        groupId: 'test-catalog-records',
        topics: [topicOf('catalog')],
        fromBeginning: true,
        handler: async (m) => {
          const headers = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, String(v)]));
          received.push({ key: m.key?.toString() ?? '', headers, value: m.value?.toString() ?? '' });
        },
      });
      for (const file of files) await h.module.commands.publishGuideDocument(fixtureGuide(h, `${file}.yaml`), undefined, CTX);
      await h.module.relayCaughtUp();
      await expect.poll(() => received.length).toBe(files.length);
      for (const [i, file] of files.entries()) {
        const record = received[i]!;
        const data = decodeIntegrationEvent(record).data;
        const url = new URL(`${file}.json`, dir);
        if (process.env['UPDATE_CONTRACT_FIXTURES'] === '1') {
          await mkdir(dir, { recursive: true });
          await writeFile(url, JSON.stringify({ description: `catalog fixture guides/${file}.yaml, first version, as the catalog's relay publishes it`, record }, null, 2) + '\n');
        }
        const pinned = JSON.parse(await readFile(url, 'utf8')) as { record: typeof record };
        expect(record.headers['ce_type']).toBe('catalog.guide-published.v2');
        expect(data).toEqual(decodeIntegrationEvent(pinned.record).data);
      }
    } finally {
      await h.close();
      await bus.close();
    }
  });
});
