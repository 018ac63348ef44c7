import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInMemoryEventStore } from '../memory/memory-event-store.ts';
import type { StoredEvent } from '../port.ts';
import { newEvents } from '../test-fixtures.ts';
import { generateAuditKeyPair } from './audit-checkpoint.ts';
import { AuditChainBrokenError, createAuditCheckpointer } from './checkpointer.ts';
import { createFileCheckpointSink } from './file-checkpoint-sink.ts';
import { computeEventHash } from './hash-chain.ts';
import { verifyAll, verifyStream } from './verify.ts';

const key = generateAuditKeyPair('audit-test-1');
const signingKey = { keyId: key.keyId, privateKey: key.privateKeyPem };
const keys = { [key.keyId]: key.publicKeyPem };

/** Five chained events of one stream, as a store would hand them out. */
async function streamOf(stream: string, count = 5): Promise<StoredEvent[]> {
  const store = createInMemoryEventStore();
  await store.appendToStream(stream, newEvents(count), { expectedRevision: 'no_stream' });
  return store.readStream(stream);
}

const withData = (event: StoredEvent, data: unknown): StoredEvent => ({ ...event, data });
const rechain = (event: StoredEvent, revision: bigint, prevHash: string | null): StoredEvent => {
  const moved = { ...event, revision };
  return { ...moved, metadata: { ...event.metadata, prevHash, hash: computeEventHash(moved, prevHash) } };
};

describe('verifyStream', () => {
  it('passes an untouched stream', async () => {
    expect(await verifyStream(await streamOf('case-1'))).toEqual({ stream: 'case-1', ok: true, events: 5, first: null });
  });

  it('names the first altered event', async () => {
    const events = await streamOf('case-1');
    events[2] = withData(events[2]!, { n: 99 });
    events[3] = withData(events[3]!, { n: 98 });
    const { first } = await verifyStream(events);
    expect(first).toMatchObject({ kind: 'altered', stream: 'case-1', revision: 2n, eventId: events[2]!.id });
  });

  it('names a removed event (revision gap)', async () => {
    const events = await streamOf('case-1');
    const removed = events.splice(2, 1);
    const { first } = await verifyStream(events);
    expect(first).toMatchObject({ kind: 'removed', stream: 'case-1', revision: 2n });
    expect(first!.message).toContain('revision 2 is missing');
    expect(removed).toHaveLength(1);
  });

  it('names an event removed with the rest renumbered', async () => {
    const events = await streamOf('case-1');
    events.splice(2, 1);
    for (let i = 2; i < events.length; i++) events[i] = { ...events[i]!, revision: BigInt(i) };
    expect((await verifyStream(events)).first).toMatchObject({ kind: 'removed', revision: 2n, eventId: events[2]!.id });
  });

  it('names an inserted event, even one forged with a correct hash', async () => {
    const events = await streamOf('case-1');
    const forged = rechain({ ...events[2]!, id: randomUUID(), data: { n: 'forged' } }, 2n, events[1]!.metadata.hash);
    const shifted = events.slice(2).map((e) => ({ ...e, revision: e.revision + 1n }));
    const tampered = [...events.slice(0, 2), forged, ...shifted];
    expect((await verifyStream(tampered)).first).toMatchObject({ kind: 'inserted', revision: 2n, eventId: forged.id });
  });

  it('names reordered events (two revisions swapped)', async () => {
    const events = await streamOf('case-1');
    const [a, b] = [events[1]!, events[2]!];
    events[1] = { ...b, revision: 1n };
    events[2] = { ...a, revision: 2n };
    expect((await verifyStream(events)).first).toMatchObject({ kind: 'reordered', revision: 1n, eventId: b.id });
  });

  it('names reordered events even when the attacker re-hashed the whole chain (positions disagree)', async () => {
    const events = await streamOf('case-1');
    const swapped = [events[0]!, { ...events[2]! }, { ...events[1]! }, events[3]!, events[4]!];
    let prevHash: string | null = null;
    const rehashed = swapped.map((e, i) => {
      const out = rechain(e, BigInt(i), prevHash);
      prevHash = out.metadata.hash;
      return out;
    });
    expect((await verifyStream(rehashed)).first).toMatchObject({ kind: 'reordered', revision: 2n });
  });

  it('names the predecessor when it was altered and re-hashed', async () => {
    const events = await streamOf('case-1');
    events[1] = rechain(withData(events[1]!, { n: 'changed' }), 1n, events[0]!.metadata.hash);
    expect((await verifyStream(events)).first).toMatchObject({ kind: 'altered', revision: 1n, eventId: events[1]!.id });
  });
});

describe('audit checkpointer and verifyAll against the checkpoint', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'govsvc-audit-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const fixedNow = () => new Date('2026-11-26T09:00:00Z');

  it('signs what every stream looked like; a deleted tail, a deleted stream and a rewritten history are named', async () => {
    const store = createInMemoryEventStore();
    await store.appendToStream('application-1', newEvents(5), { expectedRevision: 'no_stream' });
    await store.appendToStream('application-2', newEvents(3), { expectedRevision: 'no_stream' });
    await store.appendToStream('application-3', newEvents(2), { expectedRevision: 'no_stream' });
    const sink = createFileCheckpointSink(join(dir, 'signed.jsonl'));
    const checkpointer = createAuditCheckpointer({ store, sink, signingKey, now: fixedNow });
    await checkpointer.start();
    const checkpoint = await checkpointer.checkpointNow();
    await checkpointer.stop();
    expect(checkpoint).toMatchObject({ sequence: 1, eventCount: 10, position: '10' });
    await store.appendToStream('application-4', newEvents(1), { expectedRevision: 'no_stream' }); // after the checkpoint

    const all = store.allEvents();
    expect(await verifyAll(all, { checkpoint: await sink.latest(), keys })).toMatchObject({ ok: true, streams: 4, events: 11 });

    let prevHash: string | null = null;
    const tampered = all
      .filter((e) => !(e.stream === 'application-1' && e.revision >= 3n)) // tail deleted
      .filter((e) => e.stream !== 'application-2') // stream deleted
      .map((e) => {
        if (e.stream !== 'application-3') return e;
        const out = rechain(e.revision === 0n ? withData(e, { n: 'rewritten' }) : e, e.revision, prevHash); // history rewritten
        prevHash = out.metadata.hash;
        return out;
      });
    const report = await verifyAll(tampered, { checkpoint: await sink.latest(), keys, maxCheckpointAgeMs: 3_600_000, now: fixedNow });
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => [p.kind, p.stream])).toEqual([
      ['truncated', 'application-1'],
      ['stream-removed', 'application-2'],
      ['rewritten', 'application-3'],
    ]);
    expect(report.problems[0]!.message).toMatch(/ends at revision 2.*up to revision 4: 2 event\(s\) removed/);
    expect(report.problems[1]!.message).toMatch(/3 event\(s\)/);
  });

  it('reports a forged checkpoint, an unknown key and a stale checkpoint instead of trusting them', async () => {
    const store = createInMemoryEventStore();
    await store.appendToStream('application-1', newEvents(2), { expectedRevision: 'no_stream' });
    const sink = createFileCheckpointSink(join(dir, 'forged.jsonl'));
    const checkpointer = createAuditCheckpointer({ store, sink, signingKey, now: fixedNow });
    await checkpointer.start();
    const checkpoint = await checkpointer.checkpointNow();
    await checkpointer.stop();

    const forged = { ...checkpoint, streams: {}, streamsDigest: checkpoint.streamsDigest };
    expect((await verifyAll(store, { checkpoint: forged, keys })).first).toMatchObject({ kind: 'bad-signature' });
    expect((await verifyAll(store, { checkpoint, keys: {} })).first).toMatchObject({ kind: 'unknown-key' });
    const later = () => new Date('2026-11-28T09:00:00Z');
    expect((await verifyAll(store, { checkpoint, keys, maxCheckpointAgeMs: 86_400_000, now: later })).first).toMatchObject({ kind: 'stale-checkpoint' });
  });

  it('continues from the sink after a restart and chains checkpoints; a rotated key takes over', async () => {
    const store = createInMemoryEventStore();
    const sink = createFileCheckpointSink(join(dir, 'restart.jsonl'));
    await store.appendToStream('application-1', newEvents(2), { expectedRevision: 'no_stream' });
    const first = createAuditCheckpointer({ store, sink, signingKey, now: fixedNow });
    await first.start();
    const one = await first.checkpointNow();
    await first.stop();

    await store.appendToStream('application-1', newEvents(1), { expectedRevision: 1n });
    await store.appendToStream('review-1', newEvents(1), { expectedRevision: 'no_stream' });
    const rotated = generateAuditKeyPair('audit-test-2');
    const second = createAuditCheckpointer({
      store,
      sink,
      signingKey: { keyId: rotated.keyId, privateKey: rotated.privateKeyPem },
      keyring: keys,
      now: fixedNow,
    });
    await second.start();
    const two = await second.checkpointNow();
    await second.stop();
    expect(two).toMatchObject({ sequence: 2, keyId: 'audit-test-2', eventCount: 4 });
    expect(two.streams).toEqual({
      'application-1': { revision: '2', hash: (await store.readStream('application-1'))[2]!.metadata.hash },
      'review-1': { revision: '0', hash: (await store.readStream('review-1'))[0]!.metadata.hash },
    });
    expect(two.previousDigest).not.toBeNull();
    expect(one.sequence).toBe(1);
    const bothKeys = { ...keys, [rotated.keyId]: rotated.publicKeyPem };
    expect((await verifyAll(store, { checkpoint: two, keys: bothKeys })).ok).toBe(true);
    expect((await verifyAll(store, { checkpoint: one, keys: bothKeys })).ok).toBe(true);
  });

  it('signs periodically by event count', async () => {
    const store = createInMemoryEventStore();
    const sink = createFileCheckpointSink(join(dir, 'periodic.jsonl'));
    const checkpointer = createAuditCheckpointer({ store, sink, signingKey, everyEvents: 3, now: fixedNow });
    await checkpointer.start();
    for (let i = 0; i < 7; i++) await store.appendToStream(`application-${i}`, newEvents(1), { expectedRevision: 'no_stream' });
    await store.appendToStream('application-0', newEvents(2), { expectedRevision: 0n });
    const subscriptionDone = await checkpointer.checkpointNow();
    await checkpointer.stop();
    const written = await sink.readAll();
    expect(written.length).toBeGreaterThanOrEqual(2);
    expect(subscriptionDone.eventCount).toBe(9);
  });

  it('refuses to sign over a broken chain', async () => {
    const store = createInMemoryEventStore();
    await store.appendToStream('application-1', newEvents(2), { expectedRevision: 'no_stream' });
    const broken = {
      ...store,
      subscribeToAll: (options: Parameters<typeof store.subscribeToAll>[0], handler: Parameters<typeof store.subscribeToAll>[1]) =>
        store.subscribeToAll(options, (events) => handler(events.map((e) => (e.revision === 1n ? withData(e, { n: 'edited' }) : e)))),
    };
    const sink = createFileCheckpointSink(join(dir, 'broken.jsonl'));
    const checkpointer = createAuditCheckpointer({ store: broken, sink, signingKey, now: fixedNow });
    await checkpointer.start();
    await expect(checkpointer.checkpointNow()).rejects.toBeInstanceOf(AuditChainBrokenError);
    await expect(checkpointer.finished).rejects.toThrow(/application-1@1.*content does not match its hash/);
    expect(await sink.latest()).toBeNull();
  });
});
