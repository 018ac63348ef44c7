import { describe, expect, it } from 'vitest';
import { ConcurrencyError, ValidationError } from '@govsvc/errors/errors';
import { computeEventHash } from '../audit/hash-chain.ts';
import { EventIdConflictError } from '../errors.ts';
import type { StoredEvent } from '../port.ts';
import { newEvent, newEvents, testMetadata } from '../test-fixtures.ts';
import { createInMemoryEventStore } from './memory-event-store.ts';

describe('in-memory event store', () => {
  it('appends, reads back in order with gapless revisions and the store clock', async () => {
    const at = new Date('2026-03-02T08:30:00Z');
    const store = createInMemoryEventStore({ now: () => at });
    const result = await store.appendToStream('application-1', newEvents(3), { expectedRevision: 'no_stream' });
    expect(result).toEqual({ nextExpectedRevision: 2n, lastGlobalPosition: 3n, alreadyAppended: false });
    const events = await store.readStream('application-1');
    expect(events.map((e) => [e.revision, e.globalPosition, e.data])).toEqual([
      [0n, 1n, { n: 0 }],
      [1n, 2n, { n: 1 }],
      [2n, 3n, { n: 2 }],
    ]);
    expect(events.every((e) => e.recordedAt.getTime() === at.getTime())).toBe(true);
  });

  it('chains each event to the previous one by hash', async () => {
    const store = createInMemoryEventStore();
    await store.appendToStream('application-1', newEvents(2), { expectedRevision: 'no_stream' });
    await store.appendToStream('application-1', newEvents(1), { expectedRevision: 1n });
    const [a, b, c] = (await store.readStream('application-1')) as [StoredEvent, StoredEvent, StoredEvent];
    expect(a.metadata.prevHash).toBeNull();
    expect(b.metadata.prevHash).toBe(a.metadata.hash);
    expect(c.metadata.prevHash).toBe(b.metadata.hash);
    for (const e of [a, b, c]) expect(e.metadata.hash).toBe(computeEventHash(e, e.metadata.prevHash));
  });

  it('refuses a stale expected revision with ConcurrencyError and writes nothing', async () => {
    const store = createInMemoryEventStore();
    await store.appendToStream('application-1', newEvents(1), { expectedRevision: 'no_stream' });
    const error = await store.appendToStream('application-1', newEvents(1), { expectedRevision: 'no_stream' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ stream: 'application-1', expected: 'no_stream', actual: '0' });
    expect(await store.streamRevision('application-1')).toBe(0n);
  });

  it('treats a retry with the same ids at the same position as a no-op', async () => {
    const store = createInMemoryEventStore();
    const batch = newEvents(2);
    const first = await store.appendToStream('application-1', batch, { expectedRevision: 'no_stream' });
    const retry = await store.appendToStream('application-1', batch, { expectedRevision: 'no_stream' });
    expect(retry).toEqual({ ...first, alreadyAppended: true });
    expect(await store.readAll()).toHaveLength(2);
  });

  it('refuses an id reused with different content', async () => {
    const store = createInMemoryEventStore();
    const event = newEvent('CaseAccepted', { by: 'a' });
    await store.appendToStream('application-1', [event], { expectedRevision: 'no_stream' });
    await expect(
      store.appendToStream('application-1', [{ ...event, data: { by: 'b' } }], { expectedRevision: 'no_stream' }),
    ).rejects.toBeInstanceOf(EventIdConflictError);
  });

  it('refuses bad input with every issue listed and stores nothing', async () => {
    const store = createInMemoryEventStore();
    const error = await store
      .appendToStream('application-1', [newEvent('A', { when: 1n }), { ...newEvent(), id: 'not-a-uuid', metadata: testMetadata({ correlationId: '' }) }], {
        expectedRevision: 'any',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual(['/events/0/data/when', '/events/1/id', '/events/1/metadata/correlationId']);
    expect(await store.headPosition()).toBe(0n);
  });

  it('hands out frozen events, so a test cannot rewrite history by mutating a read', async () => {
    const store = createInMemoryEventStore();
    await store.appendToStream('application-1', [newEvent('A', { list: [1] })], { expectedRevision: 'no_stream' });
    const [event] = await store.readStream('application-1');
    expect(() => ((event!.data as { list: number[] }).list[0] = 2)).toThrow(TypeError);
  });

  it('delivers history then live events to a subscription and resumes from its checkpoint', async () => {
    const store = createInMemoryEventStore({ pollIntervalMs: 5_000 });
    await store.appendToStream('application-1', newEvents(3), { expectedRevision: 'no_stream' });
    const seen: bigint[] = [];
    const subscription = store.subscribeToAll({ subscriptionId: 'projector', batchSize: 2 }, async (events) => {
      seen.push(...events.map((e) => e.globalPosition));
    });
    await subscription.caughtUp();
    await store.appendToStream('review-1', newEvents(1), { expectedRevision: 'no_stream' });
    await subscription.caughtUp(); // woken by the append, not by the 5 s poll
    await subscription.stop();
    expect(seen).toEqual([1n, 2n, 3n, 4n]);
    expect(await store.checkpoints.read('projector')).toBe(4n);

    await store.appendToStream('review-1', newEvents(1), { expectedRevision: 0n });
    const resumed: bigint[] = [];
    const again = store.subscribeToAll({ subscriptionId: 'projector' }, async (events) => {
      resumed.push(...events.map((e) => e.globalPosition));
    });
    await again.caughtUp();
    await again.stop();
    expect(resumed).toEqual([5n]);
  });

  it('ends a subscription whose handler throws, keeping the last good checkpoint', async () => {
    const store = createInMemoryEventStore();
    await store.appendToStream('application-1', newEvents(2), { expectedRevision: 'no_stream' });
    const subscription = store.subscribeToAll({ subscriptionId: 'fragile', batchSize: 1 }, async (events) => {
      if (events[0]!.revision === 1n) throw new Error('projection broke');
    });
    await expect(subscription.finished).rejects.toThrow('projection broke');
    await expect(subscription.caughtUp()).rejects.toThrow('projection broke');
    expect(await store.checkpoints.read('fragile')).toBe(1n);
  });
});
