import { describe, expect, it } from 'vitest';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import type { EventStore, ReadAllOptions } from '@govsvc/eventstore/port';
import { newEvent, testMetadata } from '@govsvc/eventstore/test-fixtures';
import { caseEvents, createMemoryCaseTimeline, rebuildCaseTimeline } from './case-timeline.ts';

describe('a case read through the timeline', () => {
  it('comes back in global order with reads in flight together, whatever order they answer in', async () => {
    const inner = createInMemoryEventStore();
    // Two cases interleaved across three streams, as services write them.
    for (let n = 0; n < 12; n++) {
      const caseId = n % 2 === 0 ? 'BJ-T1' : 'BJ-T2';
      const stream = `${['application', 'review', 'deadline'][n % 3]}-${caseId}`;
      await inner.appendToStream(stream, [newEvent('Something', { n }, { metadata: testMetadata({ caseId }) })], { expectedRevision: 'any' });
    }
    let inFlight = 0;
    let most = 0;
    // Later reads answer first: a reader that assumed answers in order would scramble the case.
    const slowFirst: EventStore = {
      ...inner,
      async readAll(options?: ReadAllOptions) {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, Number(100n - (options?.after ?? 0n) * 5n)));
        inFlight -= 1;
        return inner.readAll(options);
      },
    };
    const timeline = createMemoryCaseTimeline();
    await rebuildCaseTimeline(inner, timeline);

    const events = await caseEvents(slowFirst, timeline, 'BJ-T1');
    expect(events.map((e) => (e.data as { n: number }).n)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(events.every((e) => e.metadata.caseId === 'BJ-T1')).toBe(true);
    expect(most).toBeGreaterThan(1);
  });
});
