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
        'catalog.guide-published.v1',
        'catalog.guide-published.v1',
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
      await expect.poll(() => received).toEqual([{ key: content.implementationCode, type: 'catalog.guide-published.v1' }]);
    } finally {
      await h.close();
      await bus.close();
    }
  });
});
