import { describe, expect, it } from 'vitest';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { foodGuide } from '../../test/fixtures.ts';
import { guidePublished } from '../../test/harness.ts';
import { GuideCatalog } from './guides.ts';

describe('guide projection (R-CAT-13, R-CAT-14)', () => {
  it('R-CAT-14: an instance that did not consume the contract still binds to the version another instance learned', async () => {
    const store = createInMemoryEventStore();
    const a = new GuideCatalog(store);
    const b = new GuideCatalog(store);
    await a.learnPublished(guidePublished(foodGuide), 'corr-1');
    expect(b.inForce(foodGuide.itemCode, new Date('2026-11-26T00:00:00Z'))).toBeNull();
    expect((await b.inForceNow(foodGuide.itemCode, new Date('2026-11-26T00:00:00Z')))?.guideVersion).toBe('2026.2');
  });

  it('R-CAT-14: a redelivered contract is learned once; a version is in force only from its effective instant', async () => {
    const store = createInMemoryEventStore();
    const catalog = new GuideCatalog(store);
    await catalog.learnPublished(guidePublished(foodGuide), 'corr-1');
    await catalog.learnPublished(guidePublished(foodGuide), 'corr-1');
    await catalog.learnPublished(guidePublished({ ...foodGuide, guideVersion: '2027.1' }, '2027-01-01T00:00:00+08:00'), 'corr-2');
    expect(await store.readStream(`intakeguide-${foodGuide.itemCode}`)).toHaveLength(2);
    expect(catalog.inForce(foodGuide.itemCode, new Date('2026-12-31T15:59:59Z'))?.guideVersion).toBe('2026.2');
    expect(catalog.inForce(foodGuide.itemCode, new Date('2026-12-31T16:00:00Z'))?.guideVersion).toBe('2027.1');
    const rebuilt = new GuideCatalog(store);
    await rebuilt.rebuild();
    expect(rebuilt.listInForce(new Date('2026-12-01T00:00:00Z')).map((g) => g.guideVersion)).toEqual(['2026.2']);
  });
});
