import { describe, expect, it } from 'vitest';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { CaseIndex } from './case-index.ts';

const caseId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Stores n submitted cases (only what the index reads of ApplicationSubmitted) and returns them as stored. */
async function submitted(store: ReturnType<typeof createInMemoryEventStore>, from: number, to: number) {
  for (let n = from; n <= to; n++) {
    await store.appendToStream(
      `application-${caseId(n)}`,
      [
        {
          id: caseId(500_000 + n),
          type: 'ApplicationSubmitted',
          schemaVersion: 1,
          data: {
            caseId: caseId(n),
            caseNumber: `京11010520261126${String(n).padStart(5, '0')}`,
            guide: { itemCode: 'ITEM', itemName: '食品经营许可（新办）' },
            applicant: { ref: n % 2 === 0 ? 'even' : 'odd' },
            centre: { centreId: 'bj-chaoyang' },
            submittedAt: `2026-11-26T10:00:${String(n).padStart(2, '0')}+08:00`,
          },
          metadata: { caseId: caseId(n), correlationId: `c-${n}`, actor: { id: 'x', role: 'applicant' } },
        },
      ],
      { expectedRevision: 'no_stream' },
    );
  }
  return store.readAll({ filter: { categories: ['application'] } });
}

describe('case index (the lists, a projection of submitted cases)', () => {
  it('lists each case once, newest first, for its applicant and its centre, without being started', async () => {
    const store = createInMemoryEventStore();
    await submitted(store, 1, 5);
    const index = new CaseIndex(store);
    expect((await index.list({ centre: 'bj-chaoyang' })).map((e) => e.caseNumber)).toEqual([5, 4, 3, 2, 1].map((n) => `京11010520261126${String(n).padStart(5, '0')}`));
    expect((await index.list({ applicant: 'even' })).map((e) => e.caseId)).toEqual([caseId(4), caseId(2)]);
    // Listing again (nothing new) indexes nothing twice.
    expect(await index.list({ centre: 'bj-chaoyang' })).toHaveLength(5);
    expect(await store.readStream('intakeindex-centre_bj-chaoyang')).toHaveLength(5);
  });

  it('a redelivered batch, and a larger one overlapping it (a crash before the checkpoint), store each entry once', async () => {
    const store = createInMemoryEventStore();
    const first = await submitted(store, 1, 3);
    const index = new CaseIndex(store);
    await index.index(first);
    await index.index(first);
    const all = await submitted(store, 4, 6);
    await index.index(all);
    const centre = await store.readStream('intakeindex-centre_bj-chaoyang');
    expect(centre.map((e) => (e.data as { caseId: string }).caseId)).toEqual([1, 2, 3, 4, 5, 6].map(caseId));
    expect((await store.readStream('intakeindex-applicant_odd')).map((e) => (e.metadata as { causationId?: string }).causationId)).toEqual([1, 3, 5].map((n) => caseId(500_000 + n)));
  });

  it('started, it follows new submissions; listing waits for it to catch up', async () => {
    const store = createInMemoryEventStore();
    const index = new CaseIndex(store);
    index.start({ error: () => undefined });
    try {
      await submitted(store, 1, 2);
      expect(await index.list({ centre: 'bj-chaoyang' })).toHaveLength(2);
      await submitted(store, 3, 3);
      expect((await index.list({ applicant: 'odd' })).map((e) => e.caseId)).toEqual([caseId(3), caseId(1)]);
    } finally {
      await index.stop();
    }
  });
});
