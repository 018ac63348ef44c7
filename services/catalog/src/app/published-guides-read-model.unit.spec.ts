import { describe, expect, it } from 'vitest';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { sampleContext, sampleGuide, SAMPLE_CODE } from '../../test/support/sample-guide.ts';
import { guideDecider } from '../domain/guide/decider.ts';
import { guideStream, type GuideEvent } from '../domain/guide/events.ts';
import { guideCodec } from './codecs.ts';
import { PublishedGuidesReadModel } from './published-guides-read-model.ts';

const META = { correlationId: 'c', actor: { id: 'a', role: 'admin' } };

async function storeWith(events: GuideEvent[]) {
  const store = createInMemoryEventStore();
  await store.appendToStream(
    guideStream(SAMPLE_CODE),
    events.map((e, i) => ({ id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`, ...guideCodec.encode(e), metadata: META })),
    { expectedRevision: 'no_stream' },
  );
  return store;
}

function decide(history: GuideEvent[], command: Parameters<typeof guideDecider.decide>[0]): GuideEvent[] {
  return guideDecider.decide(command, history.reduce(guideDecider.evolve, guideDecider.initialState()));
}

describe('published guides read model', () => {
  const doc = (at: string, hours?: string) =>
    ({ type: 'PublishGuideDocument', data: { content: { ...sampleGuide(), ...(hours && { hours }) }, publishedAt: at, context: sampleContext(), ...(hours && { change: { reason: '调整' } }) } }) as const;

  async function twoVersions() {
    const first = decide([], doc('2025-03-03T09:00:00+08:00'));
    const second = decide(first, doc('2025-06-01T09:00:00+08:00', '全天'));
    return storeWith([...first, ...second]);
  }

  it('R-CAT-14: each version is in force from its publication until the next one, exclusive', async () => {
    const model = new PublishedGuidesReadModel();
    model.apply(await (await twoVersions()).readAll());
    expect(model.validAt(SAMPLE_CODE, new Date('2025-03-03T00:59:59.999Z'))).toBeUndefined();
    expect(model.validAt(SAMPLE_CODE, new Date('2025-03-03T01:00:00.000Z'))?.version).toBe(1);
    expect(model.validAt(SAMPLE_CODE, new Date('2025-06-01T00:59:59.999Z'))?.version).toBe(1);
    expect(model.validAt(SAMPLE_CODE, new Date('2025-06-01T01:00:00.000Z'))?.version).toBe(2);
    expect(model.inForce(SAMPLE_CODE)?.version).toBe(2);
    expect(model.history(SAMPLE_CODE).map((v) => v.status)).toEqual(['superseded', 'in-force']);
  });

  it('a redelivered batch (at-least-once subscriptions) changes nothing', async () => {
    const events = await (await twoVersions()).readAll();
    const once = new PublishedGuidesReadModel();
    once.apply(events);
    const twice = new PublishedGuidesReadModel();
    twice.apply(events.slice(0, 3));
    twice.apply(events);
    expect(twice.history(SAMPLE_CODE)).toEqual(once.history(SAMPLE_CODE));
    expect(twice.position).toBe(once.position);
  });

  it('drafts are not published', async () => {
    const model = new PublishedGuidesReadModel();
    model.apply(await (await storeWith(decide([], { type: 'DraftGuide', data: { content: sampleGuide(), draftedAt: '2025-03-03T09:00:00+08:00' } }))).readAll());
    expect(model.list()).toEqual([]);
    expect(model.history(SAMPLE_CODE)).toEqual([]);
  });

  it('R-CAT-4: implementations of a basic code are found whatever the case or hyphens of the query', async () => {
    const model = new PublishedGuidesReadModel();
    model.apply(await (await twoVersions()).readAll());
    expect(model.implementationsOf('0114-0027-0001').map((i) => i.version)).toEqual([2]);
  });
});
