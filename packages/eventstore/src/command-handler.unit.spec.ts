import { describe, expect, it } from 'vitest';
import { ConcurrencyError, RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { handleCommand } from './command-handler.ts';
import { deterministicEventIds } from './event-ids.ts';
import { createInMemoryEventStore } from './memory/memory-event-store.ts';
import { testMetadata } from './test-fixtures.ts';
import { signingCodec, signingDecider } from './test-signing-decider.ts';

const decider = signingDecider;
const codec = signingCodec;
const metadata = testMetadata({ caseId: 'case-1' });

describe('handleCommand', () => {
  it('reads, folds, decides and appends with the read revision', async () => {
    const store = createInMemoryEventStore();
    const first = await handleCommand(store, 'review-1', decider, { type: 'SignDecision', signer: 'a' }, { metadata, codec });
    expect(first).toMatchObject({ state: { signers: ['a'] }, nextExpectedRevision: 0n, alreadyAppended: false });
    const second = await handleCommand(store, 'review-1', decider, { type: 'SignDecision', signer: 'b' }, { metadata, codec });
    expect(second.state).toEqual({ signers: ['a', 'b'] });
    const stored = await store.readStream('review-1');
    expect(stored.map((e) => [e.type, e.schemaVersion, e.data, e.metadata.caseId])).toEqual([
      ['DecisionSigned', 1, { signer: 'a' }, 'case-1'],
      ['DecisionSigned', 1, { signer: 'b' }, 'case-1'],
    ]);
  });

  it('R-REV-5: two commands racing on one stream: one wins, the other gets ConcurrencyError', async () => {
    // Both handlers read revision 0 before either appends (the reads are
    // started together and the memory store answers them before any append),
    // so the second append finds revision 1 where it expected 0.
    const store = createInMemoryEventStore();
    await handleCommand(store, 'review-1', decider, { type: 'SignDecision', signer: 'a' }, { metadata });
    const outcomes = await Promise.allSettled([
      handleCommand(store, 'review-1', decider, { type: 'SignDecision', signer: 'b' }, { metadata }),
      handleCommand(store, 'review-1', decider, { type: 'SignDecision', signer: 'c' }, { metadata }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
    expect(rejected.reason).toBeInstanceOf(ConcurrencyError);
    expect(rejected.reason).toMatchObject({ expected: '0', actual: '1' });
    expect(await store.readStream('review-1')).toHaveLength(2);
  });

  it('is idempotent with deterministic event ids: a repeated command appends nothing', async () => {
    const store = createInMemoryEventStore();
    const ids = deterministicEventIds('command-42');
    const first = await handleCommand(store, 'review-1', decider, { type: 'SignDecision', signer: 'a' }, { metadata, eventIds: ids });
    await handleCommand(store, 'review-1', decider, { type: 'SignDecision', signer: 'b' }, { metadata });
    const repeat = await handleCommand(store, 'review-1', decider, { type: 'SignDecision', signer: 'a' }, { metadata, eventIds: ids });
    expect(repeat).toMatchObject({ alreadyAppended: true, events: first.events, nextExpectedRevision: 1n });
    expect(await store.readStream('review-1')).toHaveLength(2);
  });

  it('refuses when the caller based the command on an older revision', async () => {
    const store = createInMemoryEventStore();
    await handleCommand(store, 'review-1', decider, { type: 'SignDecision', signer: 'a' }, { metadata });
    await expect(
      handleCommand(store, 'review-1', decider, { type: 'SignDecision', signer: 'b' }, { metadata, expectedRevision: 'no_stream' }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await store.readStream('review-1')).toHaveLength(1);
  });

  it('lets the decider refuse, appending nothing', async () => {
    const store = createInMemoryEventStore();
    for (const signer of ['a', 'b']) await handleCommand(store, 'review-1', decider, { type: 'SignDecision', signer }, { metadata });
    await expect(handleCommand(store, 'review-1', decider, { type: 'SignDecision', signer: 'c' }, { metadata })).rejects.toBeInstanceOf(RuleViolation);
    expect(await store.streamRevision('review-1')).toBe(1n);
  });

  it('appends nothing when the decision is empty', async () => {
    const store = createInMemoryEventStore();
    await handleCommand(store, 'review-1', decider, { type: 'SignDecision', signer: 'a' }, { metadata });
    const again = await handleCommand(store, 'review-1', decider, { type: 'SignDecision', signer: 'a' }, { metadata });
    expect(again).toMatchObject({ events: [], nextExpectedRevision: 0n, alreadyAppended: false });
  });

  it('parses stored events on read: a payload that no longer fits its schema is refused', async () => {
    const store = createInMemoryEventStore();
    await store.appendToStream('review-1', [{ id: crypto.randomUUID(), type: 'DecisionSigned', schemaVersion: 1, data: { signer: 7 }, metadata }], {
      expectedRevision: 'no_stream',
    });
    await expect(handleCommand(store, 'review-1', decider, { type: 'SignDecision', signer: 'a' }, { metadata, codec })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
