import { checkCheckpoint, generateAuditKeyPair, signCheckpoint, checkpointDigest, type AuditCheckpoint } from '@govsvc/eventstore/audit/audit-checkpoint';
import { describe, expect, it } from 'vitest';
import type { MessageBus } from './bus.ts';
import { createInProcessBus } from './in-process-bus.ts';
import { createKafkaCheckpointSink } from './kafka-checkpoint-sink.ts';

const keys = generateAuditKeyPair('audit-2025');
const keyring = { [keys.keyId]: keys.publicKeyPem };
const hash = (n: number) => n.toString(16).padStart(64, '0');

function checkpoint(sequence: number, streamCount: number, previous: AuditCheckpoint | null = null): AuditCheckpoint {
  const streams = new Map<string, { revision: bigint; hash: string }>();
  for (let i = 0; i < streamCount; i++) streams.set(`application-BJ-${String(i).padStart(6, '0')}`, { revision: BigInt(i % 12), hash: hash(sequence * 100_000 + i) });
  return signCheckpoint(
    { sequence, previousDigest: previous ? checkpointDigest(previous) : null, createdAt: new Date(Date.UTC(2025, 2, 12, sequence)), position: BigInt(streamCount * 6), streams },
    { keyId: keys.keyId, privateKey: keys.privateKeyPem },
  );
}

async function sinkOn(bus: MessageBus, maxChunkBytes?: number) {
  const sink = createKafkaCheckpointSink({ bus, topic: 'audit.checkpoints', maxChunkBytes, readTimeoutMs: 2_000 });
  await sink.ensureTopic();
  return sink;
}

describe('audit checkpoint sink on a compacted topic (in-process bus)', () => {
  it('returns null before anything was written', async () => {
    const bus = createInProcessBus();
    expect(await (await sinkOn(bus)).latest()).toBeNull();
    await bus.close();
  });

  it('gives back the latest checkpoint exactly as signed, and it verifies', async () => {
    const bus = createInProcessBus();
    const sink = await sinkOn(bus);
    const first = checkpoint(1, 3);
    const second = checkpoint(2, 5, first);
    await sink.write(first);
    await sink.write(second);
    const latest = await sink.latest();
    expect(latest).toEqual(second);
    expect(checkCheckpoint(latest, keyring)).toMatchObject({ ok: true });
    await bus.close();
  });

  it('carries a stream map far larger than one message in chunks', async () => {
    const bus = createInProcessBus();
    const sink = await sinkOn(bus, 8 * 1024);
    const big = checkpoint(1, 2_000);
    await sink.write(big);
    const lag = await bus.consumerLag('nobody', ['audit.checkpoints']);
    expect(lag[0]!.endOffset).toBeGreaterThan(20n);
    const latest = await sink.latest();
    expect(latest).toEqual(big);
    expect(checkCheckpoint(latest, keyring)).toMatchObject({ ok: true });
    await bus.close();
  });

  it('killed between the chunks and the head: the previous checkpoint is still whole and verifies', async () => {
    const inner = createInProcessBus();
    let failHead = false;
    const bus: MessageBus = {
      ...inner,
      publish: async (topic, messages) => {
        if (failHead && messages[0]?.key === 'head') throw new Error('killed before the head');
        return inner.publish(topic, messages);
      },
    };
    const sink = await sinkOn(bus, 4 * 1024);
    const first = checkpoint(1, 300);
    await sink.write(first);
    const second = checkpoint(2, 400, first);
    await sink.write(second);
    failHead = true;
    await expect(sink.write(checkpoint(3, 500, second))).rejects.toThrow(/killed/);
    const latest = await sink.latest();
    expect(latest).toEqual(second);
    expect(checkCheckpoint(latest, keyring)).toMatchObject({ ok: true });
    await inner.close();
  });

  it('a chunk altered or lost in the topic makes the checkpoint fail verification', async () => {
    const bus = createInProcessBus();
    const sink = await sinkOn(bus, 4 * 1024);
    const stored = checkpoint(1, 300);
    await sink.write(stored);
    // Someone rewrites chunk 0 of generation 1 with a forged map (dropping a stream).
    const forged = { format: 'govsvc.audit-checkpoint-chunk.v1', sequence: 1, index: 0, count: 99, entries: Object.entries(stored.streams).slice(1, 5) };
    await bus.publish('audit.checkpoints', [{ key: 'streams/1/0', value: JSON.stringify(forged) }]);
    const result = checkCheckpoint(await sink.latest(), keyring);
    expect(result).toMatchObject({ ok: false, kind: 'bad-signature' });
    await bus.close();
  });

  it('a stream named __proto__ stays a stream', async () => {
    const bus = createInProcessBus();
    const sink = await sinkOn(bus);
    const streams = new Map([['__proto__', { revision: 0n, hash: hash(1) }], ['application-1', { revision: 2n, hash: hash(2) }]]);
    const odd = signCheckpoint({ sequence: 1, previousDigest: null, createdAt: new Date(), position: 4n, streams }, { keyId: keys.keyId, privateKey: keys.privateKeyPem });
    await sink.write(odd);
    const latest = (await sink.latest()) as AuditCheckpoint;
    expect(Object.keys(latest.streams).sort()).toEqual(['__proto__', 'application-1']);
    expect(Object.getOwnPropertyDescriptor(latest.streams, '__proto__')?.value).toEqual({ revision: '0', hash: hash(1) });
    expect(Object.getPrototypeOf(latest.streams)).toBe(Object.prototype);
    await bus.close();
  });
});
