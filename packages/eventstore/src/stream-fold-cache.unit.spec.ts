import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConcurrencyError, RuleViolation } from '@govsvc/errors/errors';
import { handleCommand } from './command-handler.ts';
import type { Decider } from './decider.ts';
import { zodEventCodec } from './event-codec.ts';
import { deterministicEventIds } from './event-ids.ts';
import { createInMemoryEventStore } from './memory/memory-event-store.ts';
import type { EventStore, ReadStreamOptions } from './port.ts';
import { sharedFoldCache, StreamFoldCache } from './stream-fold-cache.ts';
import { testMetadata } from './test-fixtures.ts';
import { signingCodec, signingDecider, type SigningCommand, type SigningEvent, type SigningState } from './test-signing-decider.ts';

type Event = SigningEvent;
type State = SigningState;
type Command = SigningCommand;
const decider = signingDecider;
const codec = signingCodec;
const metadata = testMetadata({ caseId: 'case-1' });
const sign = (signer: string): Command => ({ type: 'SignDecision', signer });

/** The memory store, with every readStream call's options recorded. */
function recordingStore(): { store: EventStore; reads: { stream: string; options: ReadStreamOptions | undefined }[] } {
  const inner = createInMemoryEventStore();
  const reads: { stream: string; options: ReadStreamOptions | undefined }[] = [];
  const store = new Proxy(inner, {
    get(target, key, receiver) {
      if (key === 'readStream') {
        return (stream: string, options?: ReadStreamOptions) => {
          reads.push({ stream, options });
          return target.readStream(stream, options);
        };
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { store, reads };
}

describe('StreamFoldCache with handleCommand', () => {
  it('reads only what was appended since the kept state', async () => {
    const { store, reads } = recordingStore();
    const cache = new StreamFoldCache(decider, codec);
    await handleCommand(store, 'review-1', decider, sign('a'), { metadata, cache });
    const second = await handleCommand(store, 'review-1', decider, sign('b'), { metadata, cache });
    expect(second.state).toEqual({ signers: ['a', 'b'] });
    // The first read was the whole stream; the second asked only for revisions after 0, the one the first append made.
    expect(reads.map((r) => r.options?.fromRevision)).toEqual([undefined, 1n]);
    expect(cache.stats()).toMatchObject({ fullReads: 1, tailReads: 1, eventsFolded: 0, streams: 1 });
  });

  it('R-REV-5: decides on what another writer appended meanwhile, not on the kept state', async () => {
    const { store } = recordingStore();
    const cache = new StreamFoldCache(decider, codec);
    await handleCommand(store, 'review-1', decider, sign('a'), { metadata, cache });
    // Another instance (no cache) signs: the kept state says one signature, the store holds two.
    await handleCommand(store, 'review-1', decider, sign('b'), { metadata });
    await expect(handleCommand(store, 'review-1', decider, sign('c'), { metadata, cache })).rejects.toThrow(RuleViolation);
    expect(cache.stats().eventsFolded).toBe(1);
    expect((await store.readStream('review-1')).map((e) => e.data)).toEqual([{ signer: 'a' }, { signer: 'b' }]);
  });

  it('answers a repeated command with its stored events, read by revision', async () => {
    const { store, reads } = recordingStore();
    const cache = new StreamFoldCache(decider, codec);
    const ids = deterministicEventIds('cmd-1');
    await handleCommand(store, 'review-1', decider, sign('a'), { metadata, cache });
    const first = await handleCommand(store, 'review-1', decider, sign('b'), { metadata, cache, eventIds: ids });
    reads.length = 0;
    const repeat = await handleCommand(store, 'review-1', decider, sign('b'), { metadata, cache, eventIds: ids });
    expect(repeat).toMatchObject({ alreadyAppended: true, events: first.events, nextExpectedRevision: 1n, state: { signers: ['a', 'b'] } });
    expect(reads.map((r) => r.options)).toEqual([{ fromRevision: 2n }, { fromRevision: 1n, maxCount: 1 }]);
    expect(await store.readStream('review-1')).toHaveLength(2);
  });

  it("checks the caller's expected revision against the store, not against the kept state", async () => {
    const { store } = recordingStore();
    const cache = new StreamFoldCache(decider, codec);
    await handleCommand(store, 'review-1', decider, sign('a'), { metadata, cache });
    await handleCommand(store, 'review-1', decider, sign('b'), { metadata }); // revision 1, unseen by the cache
    await expect(handleCommand(store, 'review-1', decider, sign('c'), { metadata, cache, expectedRevision: 0n })).rejects.toMatchObject({ expected: '0', actual: '1' });
    const fine = await handleCommand(store, 'review-1', decider, sign('b'), { metadata, cache, expectedRevision: 1n });
    expect(fine).toMatchObject({ events: [], nextExpectedRevision: 1n });
  });

  it('two commands racing through one cache: one wins, the other gets ConcurrencyError, and the cache recovers', async () => {
    const { store } = recordingStore();
    const cache = new StreamFoldCache(decider, codec);
    await handleCommand(store, 'review-1', decider, sign('a'), { metadata, cache });
    const outcomes = await Promise.allSettled([
      handleCommand(store, 'review-1', decider, sign('b'), { metadata, cache }),
      handleCommand(store, 'review-1', decider, sign('c'), { metadata, cache }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
    const winner = (outcomes.find((o) => o.status === 'fulfilled') as PromiseFulfilledResult<{ events: readonly Event[] }>).value.events[0]!.data.signer;
    const next = await handleCommand(store, 'review-1', decider, sign(winner), { metadata, cache });
    expect(next).toMatchObject({ events: [], state: { signers: ['a', winner] } });
  });

  it('keeps at most maxStreams streams, dropping the least recently used', async () => {
    const { store } = recordingStore();
    const cache = new StreamFoldCache(decider, codec, { maxStreams: 2 });
    for (const stream of ['review-1', 'review-2']) await handleCommand(store, stream, decider, sign('a'), { metadata, cache });
    await cache.load(store, 'review-1'); // review-1 is now the most recent
    await handleCommand(store, 'review-3', decider, sign('a'), { metadata, cache }); // drops review-2
    const before = cache.stats();
    await cache.load(store, 'review-1');
    await cache.load(store, 'review-2');
    expect(cache.stats()).toMatchObject({ tailReads: before.tailReads + 1, fullReads: before.fullReads + 1, streams: 2 });
  });

  it('refuses a cache made for another decider or codec', async () => {
    const { store } = recordingStore();
    const cache = new StreamFoldCache({ ...decider }, codec);
    await expect(handleCommand(store, 'review-1', decider, sign('a'), { metadata, cache })).rejects.toThrow(/another decider/);
    const other = zodEventCodec<Event>({ DecisionSigned: { schemaVersion: 1, schema: z.object({ signer: z.string() }) } });
    await expect(handleCommand(store, 'review-1', decider, sign('a'), { metadata, cache: new StreamFoldCache(decider, codec), codec: other })).rejects.toThrow(/another codec/);
    expect(await store.readStream('review-1')).toEqual([]);
  });

  it('freezes kept states, so a decider that mutates its state fails loudly', async () => {
    const { store } = recordingStore();
    const mutating: Decider<State, Command, Event> = {
      ...decider,
      evolve: (state, event) => {
        state.signers.push(event.data.signer); // the bug the freeze exists to catch
        return state;
      },
    };
    const cache = new StreamFoldCache(mutating, codec);
    await handleCommand(store, 'review-1', mutating, sign('a'), { metadata });
    await cache.load(store, 'review-1');
    await handleCommand(store, 'review-1', mutating, sign('b'), { metadata });
    await expect(cache.load(store, 'review-1')).rejects.toThrow(TypeError);
  });

  it('property: cached and uncached writers interleaved, every cached load equals a full fold of the stream', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ cached: fc.boolean(), stream: fc.constantFrom('review-1', 'review-2', 'review-3'), signer: fc.constantFrom('a', 'b', 'c', 'd') }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 3 }),
        async (steps, maxStreams) => {
          const store = createInMemoryEventStore();
          const cache = new StreamFoldCache(decider, codec, { maxStreams });
          for (const step of steps) {
            const outcome = await handleCommand(store, step.stream, decider, sign(step.signer), { metadata, ...(step.cached ? { cache } : {}) }).catch((error: unknown) => error);
            if (!(outcome instanceof RuleViolation) && outcome instanceof Error) throw outcome;
            const stored = await store.readStream(step.stream);
            const loaded = await cache.load(store, step.stream);
            expect(loaded.state).toEqual({ signers: stored.map((e) => (e.data as { signer: string }).signer) });
            expect(loaded.ids).toEqual(stored.map((e) => e.id));
            expect(loaded.revision).toBe(stored.length === 0 ? null : BigInt(stored.length - 1));
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('sharedFoldCache', () => {
  it('gives one cache per store and decider, never one across stores', async () => {
    const a = createInMemoryEventStore();
    const b = createInMemoryEventStore();
    expect(sharedFoldCache(a, decider, codec)).toBe(sharedFoldCache(a, decider, codec));
    expect(sharedFoldCache(a, decider, codec)).not.toBe(sharedFoldCache(b, decider, codec));
    await handleCommand(a, 'review-1', decider, sign('a'), { metadata, cache: sharedFoldCache(a, decider, codec) });
    await handleCommand(a, 'review-1', decider, sign('b'), { metadata, cache: sharedFoldCache(a, decider, codec) });
    // Same stream name in another store: its own state, not store a's.
    const inB = await handleCommand(b, 'review-1', decider, sign('c'), { metadata, cache: sharedFoldCache(b, decider, codec) });
    expect(inB.state).toEqual({ signers: ['c'] });
    const other = zodEventCodec<Event>({ DecisionSigned: { schemaVersion: 1, schema: z.object({ signer: z.string() }) } });
    expect(() => sharedFoldCache(a, decider, other)).toThrow(/another codec/);
  });
});

describe('StreamFoldCache and event ids', () => {
  it('recognises a repeat whose ids the caller gave in capitals (stores keep them lowercased)', async () => {
    const { store } = recordingStore();
    const cache = new StreamFoldCache(decider, codec);
    const ids = (i: number) => deterministicEventIds('cmd-upper')(i).toUpperCase();
    const first = await handleCommand(store, 'review-1', decider, sign('a'), { metadata, cache, eventIds: ids });
    const repeat = await handleCommand(store, 'review-1', decider, sign('a'), { metadata, cache, eventIds: ids });
    expect(repeat).toMatchObject({ alreadyAppended: true, events: first.events });
    expect(await store.readStream('review-1')).toHaveLength(1);
  });
});
