import { checkCheckpoint, checkpointDigest, generateAuditKeyPair, signCheckpoint, type AuditCheckpoint } from '@govsvc/eventstore/audit/audit-checkpoint';
import { createAuditCheckpointer } from '@govsvc/eventstore/audit/checkpointer';
import { verifyAll } from '@govsvc/eventstore/audit/verify';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { caseAccepted } from './test-support.ts';
import { uniqueTopic } from '@govsvc/testkit/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageBus } from './bus.ts';
import { createKafkaCheckpointSink } from './kafka-checkpoint-sink.ts';
import { createTestKafkaBus } from './kafka-test-bus.ts';

const keys = generateAuditKeyPair('audit-int');

function checkpoint(sequence: number, streamCount: number, previous: AuditCheckpoint | null): AuditCheckpoint {
  const streams = new Map<string, { revision: bigint; hash: string }>();
  for (let i = 0; i < streamCount; i++) streams.set(`application-${sequence}-${i}`, { revision: BigInt(i % 7), hash: (sequence * 1_000_000 + i).toString(16).padStart(64, '0') });
  return signCheckpoint(
    { sequence, previousDigest: previous ? checkpointDigest(previous) : null, createdAt: new Date(), position: BigInt(streamCount * 4), streams },
    { keyId: keys.keyId, privateKey: keys.privateKeyPem },
  );
}

describe('audit checkpoint sink on a real compacted Kafka topic', () => {
  let bus: MessageBus;
  beforeAll(async () => {
    bus = await createTestKafkaBus('checkpoint-sink');
  });
  afterAll(async () => {
    await bus?.close();
  });

  it('stores signed checkpoints in chunks and reads back the latest, which verifies', async () => {
    const sink = createKafkaCheckpointSink({ bus, topic: uniqueTopic('audit-checkpoints'), maxChunkBytes: 16 * 1024 });
    await sink.ensureTopic();
    await sink.ensureTopic();
    expect(await sink.latest()).toBeNull();
    const first = checkpoint(1, 1_500, null);
    const second = checkpoint(2, 2_000, first);
    await sink.write(first);
    await sink.write(second);
    const latest = await sink.latest();
    expect(latest).toEqual(second);
    expect(checkCheckpoint(latest, { [keys.keyId]: keys.publicKeyPem })).toMatchObject({ ok: true });
  });

  it("the audit checkpointer signs into the topic, resumes from it, and verifyAll catches a deleted stream and a cut tail against it", async () => {
    const store = createInMemoryEventStore({ pollIntervalMs: 10 });
    const sink = createKafkaCheckpointSink({ bus, topic: uniqueTopic('audit-e2e') });
    await sink.ensureTopic();
    const signingKey = { keyId: keys.keyId, privateKey: keys.privateKeyPem };
    const keyring = { [keys.keyId]: keys.publicKeyPem };
    for (const caseId of ['BJ-1', 'BJ-2', 'BJ-3']) {
      await store.appendToStream(`application-${caseId}`, [caseAccepted(caseId, 0), caseAccepted(caseId, 1)], { expectedRevision: 'no_stream' });
    }
    const first = createAuditCheckpointer({ store, sink, signingKey, everyEvents: 1_000_000, everyMs: 3_600_000 });
    await first.start();
    const signed = await first.checkpointNow();
    await first.stop();

    // A restarted checkpointer trusts and continues the chain it finds in Kafka.
    await store.appendToStream('application-BJ-1', [caseAccepted('BJ-1', 2)], { expectedRevision: 1n });
    const second = createAuditCheckpointer({ store, sink, signingKey, everyEvents: 1_000_000, everyMs: 3_600_000 });
    await second.start();
    const next = await second.checkpointNow();
    await second.stop();
    expect(next.sequence).toBe(signed.sequence + 1);
    expect(next.previousDigest).toBe(checkpointDigest(signed));

    const latest = await sink.latest();
    expect(await verifyAll(store, { checkpoint: latest, keys: keyring })).toMatchObject({ ok: true });
    // Someone deletes case BJ-2 and the last event of BJ-1 from the store: the checkpoint in Kafka names both.
    const tampered = store.allEvents().filter((e) => e.stream !== 'application-BJ-2' && !(e.stream === 'application-BJ-1' && e.revision === 2n));
    const report = await verifyAll(tampered, { checkpoint: latest, keys: keyring });
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => [p.kind, p.stream])).toEqual(
      expect.arrayContaining([
        ['stream-removed', 'application-BJ-2'],
        ['truncated', 'application-BJ-1'],
      ]),
    );
    await store.close();
  });
});
