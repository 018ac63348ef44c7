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
  it('decides on the kept state without a read when the append confirms it; reads only the tail when it cannot', async () => {
    const { store, reads } = recordingStore();
    const cache = new StreamFoldCache(decider, codec);
    await handleCommand(store, 'review-1', decider, sign('a'), { metadata, cache });
    const second = await handleCommand(store, 'review-1', decider, sign('b'), { metadata, cache });
    expect(second).toMatchObject({ state: { signers: ['a', 'b'] }, nextExpectedRevision: 1n });
    // The second command was decided on the kept state and appended expecting revision 0: no read.
    expect(reads.map((r) => r.options?.fromRevision)).toEqual([undefined]);
    // Signing again decides nothing, which confirms nothing: the tail after the kept revision is read.
    const again = await handleCommand(store, 'review-1', decider, sign('b'), { metadata, cache });
    expect(again).toMatchObject({ events: [], nextExpectedRevision: 1n });
    expect(reads.map((r) => r.options?.fromRevision)).toEqual([undefined, 2n]);
    expect(cache.stats()).toMatchObject({ fullReads: 1, tailReads: 1, eventsFolded: 0, streams: 1 });
  });

  it('R-REV-5: decides on what another writer appended meanwhile, not on the kept state', async () => {
    const { store } = recordingStore();
    const cache = new StreamFoldCache(decider, codec);
    await handleCommand(store, 'review-1', decider, sign('a'), { metadata, cache });
    // Another instance (no cache) signs: the kept state says one signature, the store holds two.
    await handleCommand(store, 'review-1', decider, sign('b'), { metadata });
    // Decided on the kept state, the append expects revision 0 and is refused; the fresh read sees both signatures.
    await expect(handleCommand(store, 'review-1', decider, sign('c'), { metadata, cache })).rejects.toThrow(RuleViolation);
    expect(cache.stats()).toMatchObject({ fullReads: 2, eventsFolded: 2 });
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

  it('two commands racing through one cache: one wins, the other is decided once more on the stream as it is now', async () => {
    const { store } = recordingStore();
    const cache = new StreamFoldCache(decider, codec);
    await handleCommand(store, 'review-1', decider, sign('a'), { metadata, cache });
    const outcomes = await Promise.allSettled([
      handleCommand(store, 'review-1', decider, sign('b'), { metadata, cache }),
      handleCommand(store, 'review-1', decider, sign('c'), { metadata, cache }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    // The loser's append at the kept revision was refused; on the fresh stream it would be a third signature.
    expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(RuleViolation);
    const winner = (outcomes.find((o) => o.status === 'fulfilled') as PromiseFulfilledResult<{ events: readonly Event[] }>).value.events[0]!.data.signer;
    const next = await handleCommand(store, 'review-1', decider, sign(winner), { metadata, cache });
    expect(next).toMatchObject({ events: [], state: { signers: ['a', winner] } });
    expect(await store.readStream('review-1')).toHaveLength(2);
  });

  it('a caller that pins a revision still gets ConcurrencyError when another command won meanwhile', async () => {
    const { store } = recordingStore();
    const cache = new StreamFoldCache(decider, codec);
    await handleCommand(store, 'review-1', decider, sign('a'), { metadata, cache });
    const outcomes = await Promise.allSettled([
      handleCommand(store, 'review-1', decider, sign('b'), { metadata, cache, expectedRevision: 0n }),
      handleCommand(store, 'review-1', decider, sign('c'), { metadata, cache, expectedRevision: 0n }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
  });

  it('a refusal or a no-op decided on a kept state that is behind is decided again on a fresh read', async () => {
    // A desk that is open or closed: acting needs it open, closing an already closed desk decides nothing.
    type DeskEvent = { type: 'Opened'; data: { by: string } } | { type: 'Closed'; data: { by: string } } | { type: 'Acted'; data: { by: string } };
    type DeskCommand = { type: 'Open' | 'Close' | 'Act'; by: string };
    const desk: Decider<{ open: boolean }, DeskCommand, DeskEvent> = {
      initialState: () => ({ open: false }),
      evolve: (state, event) => (event.type === 'Acted' ? state : { open: event.type === 'Opened' }),
      decide: (command, state) => {
        if (command.type === 'Act') {
          if (!state.open) throw new RuleViolation('R-ACC-2', 'the desk is closed');
          return [{ type: 'Acted', data: { by: command.by } }];
        }
        if ((command.type === 'Open') === state.open) return [];
        return [{ type: command.type === 'Open' ? 'Opened' : 'Closed', data: { by: command.by } }];
      },
    };
    const by = z.object({ by: z.string() });
    const deskCodec = zodEventCodec<DeskEvent>({ Opened: { schemaVersion: 1, schema: by }, Closed: { schemaVersion: 1, schema: by }, Acted: { schemaVersion: 1, schema: by } });
    const store = createInMemoryEventStore();
    const cache = new StreamFoldCache(desk, deskCodec);
    await handleCommand(store, 'desk-1', desk, { type: 'Open', by: 'us' }, { metadata, cache });
    await handleCommand(store, 'desk-1', desk, { type: 'Close', by: 'us' }, { metadata, cache }); // kept: closed, revision 1
    await handleCommand(store, 'desk-1', desk, { type: 'Open', by: 'them' }, { metadata, codec: deskCodec }); // another writer, unseen by the cache

    // On the kept state acting is refused; on the stream it is allowed.
    const acted = await handleCommand(store, 'desk-1', desk, { type: 'Act', by: 'us' }, { metadata, cache });
    expect(acted).toMatchObject({ events: [{ type: 'Acted' }], nextExpectedRevision: 3n });
    await handleCommand(store, 'desk-1', desk, { type: 'Open', by: 'them' }, { metadata, codec: deskCodec }); // still open: nothing
    await handleCommand(store, 'desk-1', desk, { type: 'Close', by: 'them' }, { metadata, codec: deskCodec }); // closed at 4
    await handleCommand(store, 'desk-1', desk, { type: 'Open', by: 'them' }, { metadata, codec: deskCodec }); // open at 5, unseen
    // Kept: open at 3, so opening decides nothing there; the stream is open too, and nothing is appended.
    expect(await handleCommand(store, 'desk-1', desk, { type: 'Open', by: 'us' }, { metadata, cache })).toMatchObject({ events: [], nextExpectedRevision: 5n });
    await handleCommand(store, 'desk-1', desk, { type: 'Close', by: 'them' }, { metadata, codec: deskCodec }); // closed at 6, unseen
    // Kept: open at 5, so closing would append, expecting 5: refused; on the stream it is closed, so nothing.
    expect(await handleCommand(store, 'desk-1', desk, { type: 'Close', by: 'us' }, { metadata, cache })).toMatchObject({ events: [], nextExpectedRevision: 6n });
    await handleCommand(store, 'desk-1', desk, { type: 'Open', by: 'them' }, { metadata, codec: deskCodec }); // open at 7, unseen
    // Kept: closed at 6, so closing decides nothing there; on the stream the desk is open, and it is closed.
    expect(await handleCommand(store, 'desk-1', desk, { type: 'Close', by: 'us' }, { metadata, cache })).toMatchObject({ events: [{ type: 'Closed' }], nextExpectedRevision: 8n });
    expect((await store.readStream('desk-1')).map((e) => e.type)).toEqual(['Opened', 'Closed', 'Opened', 'Acted', 'Closed', 'Opened', 'Closed', 'Opened', 'Closed']);
  });

  it('a no-op the decider says is settled (Decider.settles) is answered on the kept state without a read; otherwise it is read', async () => {
    // A signature, once given, stays: signing again adds nothing, whatever was appended since.
    const settling: Decider<State, Command, Event> = { ...decider, settles: (command, state) => state.signers.includes(command.signer) };
    const { store, reads } = recordingStore();
    const cache = new StreamFoldCache(settling, codec);
    await handleCommand(store, 'case-1', settling, sign('alice'), { metadata, cache });
    await handleCommand(store, 'case-1', settling, sign('bob'), { metadata, codec }); // another writer, unseen by the cache
    reads.length = 0;

    expect(await handleCommand(store, 'case-1', settling, sign('alice'), { metadata, cache })).toMatchObject({ events: [], nextExpectedRevision: 0n, alreadyAppended: false });
    expect(reads).toEqual([]);

    // Without `settles` the same empty decision is confirmed by reading the tail.
    const plain = new StreamFoldCache(decider, codec);
    await handleCommand(store, 'case-2', decider, sign('alice'), { metadata, cache: plain });
    reads.length = 0;
    expect(await handleCommand(store, 'case-2', decider, sign('alice'), { metadata, cache: plain })).toMatchObject({ events: [] });
    expect(reads).toHaveLength(1);

    // A command that is not settled (a new signer) is decided as before: its append at the kept revision is
    // refused (bob signed meanwhile), and on the stream as it is a third signature is refused by the rule.
    await expect(handleCommand(store, 'case-1', settling, sign('carol'), { metadata, cache })).rejects.toThrow(RuleViolation);
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

describe('handleCommand with probablyNew (a stream the caller expects not to exist yet)', () => {
  it('decides on the initial state and appends with no_stream, without a read', async () => {
    const { store, reads } = recordingStore();
    const cache = new StreamFoldCache(decider, codec);
    const opened = await handleCommand(store, 'deadline-1', decider, sign('a'), { metadata, cache, probablyNew: true });
    expect(opened).toMatchObject({ state: { signers: ['a'] }, nextExpectedRevision: 0n, alreadyAppended: false });
    // The next command is decided on what the guess left in the cache: still no read.
    await handleCommand(store, 'deadline-1', decider, sign('b'), { metadata, cache });
    expect(reads).toEqual([]);
    expect((await store.readStream('deadline-1')).map((e) => e.data)).toEqual([{ signer: 'a' }, { signer: 'b' }]);
  });

  it('a command settled on the initial state (Decider.settles) is answered without a read; a no-op not settled there is read', async () => {
    // "Nobody" signing adds nothing on any state, and the decider says so.
    const quiet: Decider<State, Command, Event> = { ...decider, decide: (command, state) => (command.signer === 'nobody' ? [] : decider.decide(command, state)) };
    const settling: Decider<State, Command, Event> = { ...quiet, settles: (command) => command.signer === 'nobody' };
    const { store, reads } = recordingStore();
    await handleCommand(store, 'case-9', decider, sign('x'), { metadata }); // the guess is wrong: the stream exists
    reads.length = 0;

    const settled = await handleCommand(store, 'case-9', settling, sign('nobody'), { metadata, cache: new StreamFoldCache(settling, codec), probablyNew: true });
    expect(settled).toMatchObject({ events: [], alreadyAppended: false });
    expect(reads).toEqual([]);

    const unsettled = await handleCommand(store, 'case-9', quiet, sign('nobody'), { metadata, cache: new StreamFoldCache(quiet, codec), probablyNew: true });
    expect(unsettled).toMatchObject({ events: [], state: { signers: ['x'] }, nextExpectedRevision: 0n });
    expect(reads).toHaveLength(1);
    expect(await store.readStream('case-9')).toHaveLength(1);
  });

  it('R-REV-5: a wrong guess is refused by the store and the command decided again on a fresh read', async () => {
    const { store, reads } = recordingStore();
    await handleCommand(store, 'deadline-1', decider, sign('x'), { metadata });
    reads.length = 0;
    const cache = new StreamFoldCache(decider, codec);
    const result = await handleCommand(store, 'deadline-1', decider, sign('a'), { metadata, cache, probablyNew: true });
    expect(result).toMatchObject({ state: { signers: ['x', 'a'] }, nextExpectedRevision: 1n, alreadyAppended: false });
    expect(reads).toHaveLength(1);
    expect((await store.readStream('deadline-1')).map((e) => e.data)).toEqual([{ signer: 'x' }, { signer: 'a' }]);
  });

  it('answers with the earlier run when its ids are stored, even if this run would decide otherwise', async () => {
    const { store } = recordingStore();
    const ids = deterministicEventIds('open-deadline-1');
    const first = await handleCommand(store, 'deadline-1', decider, sign('a'), { metadata, eventIds: ids });
    // A redelivery after a restart (empty cache) whose decision differs (e.g. made on a newer calendar).
    const cache = new StreamFoldCache(decider, codec);
    const repeat = await handleCommand(store, 'deadline-1', decider, sign('z'), { metadata, cache, eventIds: ids, probablyNew: true });
    expect(repeat).toMatchObject({ alreadyAppended: true, events: first.events, nextExpectedRevision: 0n });
    expect(await store.readStream('deadline-1')).toHaveLength(1);
  });
});

describe('StreamFoldCache loads with freshSince (one request, one read)', () => {
  /** A signature appended straight to the store, as another instance would: no cache here learns of it. */
  const signedBy = (signer: string) => ({ id: crypto.randomUUID(), type: 'DecisionSigned', schemaVersion: 1, data: { signer }, metadata });

  it('serves a state confirmed by a read after the instant given, and reads for an earlier one', async () => {
    const { store, reads } = recordingStore();
    const cache = new StreamFoldCache(decider, codec);
    await store.appendToStream('review-1', [signedBy('a')], { expectedRevision: 'no_stream' });
    const arrived = performance.now();
    await cache.load(store, 'review-1', { freshSince: arrived });
    const again = await cache.load(store, 'review-1', { freshSince: arrived });
    expect(again.state).toEqual({ signers: ['a'] });
    expect(reads).toHaveLength(1);
    expect(cache.stats()).toMatchObject({ servedFresh: 1 });
    // A request that arrives later sees what was appended in between: its load reads the tail.
    await store.appendToStream('review-1', [signedBy('b')], { expectedRevision: 0n });
    const later = await cache.load(store, 'review-1', { freshSince: performance.now() });
    expect(later.state).toEqual({ signers: ['a', 'b'] });
    expect(reads.map((r) => r.options?.fromRevision)).toEqual([undefined, 1n]);
    // Without freshSince every load asks the store, as before.
    await cache.load(store, 'review-1');
    expect(reads).toHaveLength(3);
  });

  it('R-REV-5: a state kept from before the request arrived is read again, so another writer\'s append is seen', async () => {
    const { store, reads } = recordingStore();
    const cache = new StreamFoldCache(decider, codec);
    await handleCommand(store, 'review-1', decider, sign('a'), { metadata, cache });
    // Another instance signs (no cache here knows), then a request arrives.
    await handleCommand(store, 'review-1', decider, sign('b'), { metadata });
    const arrived = performance.now();
    const loaded = await cache.load(store, 'review-1', { freshSince: arrived });
    expect(loaded.state).toEqual({ signers: ['a', 'b'] });
    expect(reads.at(-1)?.options?.fromRevision).toBe(1n);
  });

  it("handleCommand decides on the request's own read and remembers its append, so the answer needs no read", async () => {
    const { store, reads } = recordingStore();
    const cache = new StreamFoldCache(decider, codec);
    await store.appendToStream('review-1', [signedBy('a')], { expectedRevision: 'no_stream' });
    const arrived = performance.now();
    // A request that checks access, decides with the revision it read (If-Match), then answers with the case.
    const seen = await cache.load(store, 'review-1', { freshSince: arrived });
    const result = await handleCommand(store, 'review-1', decider, sign('b'), { metadata, cache, expectedRevision: seen.revision!, freshSince: arrived });
    const answered = await cache.load(store, 'review-1', { freshSince: arrived });
    expect(result.nextExpectedRevision).toBe(1n);
    expect(answered).toMatchObject({ state: { signers: ['a', 'b'] }, revision: 1n });
    expect(reads).toHaveLength(1);
  });
});

describe('StreamFoldCache loads with atLeastRevision (woken by a stored event)', () => {
  const signedBy = (signer: string) => ({ id: crypto.randomUUID(), type: 'DecisionSigned', schemaVersion: 1, data: { signer }, metadata });

  it('serves a kept state at or past the revision, and reads for a kept state behind it', async () => {
    const { store, reads } = recordingStore();
    const cache = new StreamFoldCache(decider, codec);
    await store.appendToStream('review-1', [signedBy('a')], { expectedRevision: 'no_stream' });
    await cache.load(store, 'review-1');
    // Woken by revision 0, which the kept state holds: no read.
    expect((await cache.load(store, 'review-1', { atLeastRevision: 0n })).state).toEqual({ signers: ['a'] });
    expect(reads).toHaveLength(1);
    // Woken by revision 1, stored by another writer: the kept state is behind it, so the tail is read.
    await store.appendToStream('review-1', [signedBy('b')], { expectedRevision: 0n });
    expect((await cache.load(store, 'review-1', { atLeastRevision: 1n })).state).toEqual({ signers: ['a', 'b'] });
    expect(reads.map((r) => r.options?.fromRevision)).toEqual([undefined, 1n]);
  });
});
