/**
 * The audit `CheckpointSink` (`@govsvc/eventstore/audit/checkpoint-sink`) on a
 * compacted Kafka topic: the signed checkpoints leave the event store for a
 * system its operators do not control. Written against the MessageBus port,
 * so the standalone mode's in-process bus carries it too.
 *
 * Layout (one partition, `cleanup.policy=compact`, so the topic stays small):
 * - `streams/<generation>/<n>`: chunk n of the checkpoint's stream map. The
 *   map grows with every case and would outgrow Kafka's 1 MB message limit;
 *   the signature covers only its digest, so it may travel in pieces.
 * - `head`: the signed record without the map, naming its generation and
 *   chunk count. Written last: a crash mid-write leaves the previous head
 *   pointing at the previous generation, which the new chunks did not touch
 *   (generations alternate by sequence parity).
 *
 * `latest()` reads the topic to its end and reassembles the newest head with
 * its chunks, as stored: the verifier authenticates it (a missing or altered
 * chunk shows up as a map that does not match its signed digest).
 */
import { randomUUID } from 'node:crypto';
import type { AuditCheckpoint, CheckpointSink } from '@govsvc/eventstore/audit/checkpoint-sink';
import { ValidationError } from '@govsvc/errors/errors';
import type { MessageBus, OutgoingMessage } from './bus.ts';
import { waitFor } from './wait-for.ts';

export const defaultCheckpointTopic = 'govsvc.audit.checkpoints.v1';

export interface KafkaCheckpointSinkOptions {
  readonly bus: MessageBus;
  readonly topic?: string;
  /** Largest chunk of the stream map, in bytes of JSON (well under the broker's message.max.bytes). */
  readonly maxChunkBytes?: number;
  /** How long `latest()` may take to read the topic to its end. */
  readonly readTimeoutMs?: number;
}

export interface KafkaCheckpointSink extends CheckpointSink {
  /** Creates the compacted topic if it does not exist. */
  ensureTopic(): Promise<void>;
}

interface HeadRecord {
  readonly format: 'govsvc.audit-checkpoint-head.v1';
  readonly generation: 0 | 1;
  readonly chunks: number;
  readonly checkpoint: Omit<AuditCheckpoint, 'streams'>;
}

interface ChunkRecord {
  readonly format: 'govsvc.audit-checkpoint-chunk.v1';
  readonly sequence: number;
  readonly index: number;
  readonly count: number;
  /** `[stream, { revision, hash }]` pairs: arrays, so a stream named `__proto__` stays data. */
  readonly entries: [string, unknown][];
}

const headKey = 'head';
const chunkKey = (generation: number, index: number) => `streams/${generation}/${index}`;

/** Splits the map into chunks of at most `maxBytes` of JSON each (at least one entry per chunk). */
function chunksOf(streams: AuditCheckpoint['streams'], maxBytes: number): [string, unknown][][] {
  const chunks: [string, unknown][][] = [];
  let current: [string, unknown][] = [];
  let size = 2;
  for (const entry of Object.entries(streams)) {
    const entrySize = Buffer.byteLength(JSON.stringify(entry)) + 1;
    if (current.length > 0 && size + entrySize > maxBytes) {
      chunks.push(current);
      current = [];
      size = 2;
    }
    current.push(entry);
    size += entrySize;
  }
  if (current.length > 0 || chunks.length === 0) chunks.push(current);
  return chunks;
}

export function createKafkaCheckpointSink(options: KafkaCheckpointSinkOptions): KafkaCheckpointSink {
  const { bus } = options;
  const topic = options.topic ?? defaultCheckpointTopic;
  const maxChunkBytes = options.maxChunkBytes ?? 256 * 1024;
  const readTimeoutMs = options.readTimeoutMs ?? 30_000;

  /** Last value per key, reading the partition from its start to the end offset seen at the start. */
  async function readToEnd(): Promise<Map<string, Buffer | null>> {
    const [partition] = await bus.consumerLag(`audit-checkpoint-probe-${randomUUID()}`, [topic]);
    const latest = new Map<string, Buffer | null>();
    if (!partition || partition.endOffset === 0n) return latest;
    const last = partition.endOffset - 1n;
    let reached = false;
    // A throwaway group: this read must start at the beginning every time.
    const subscription = await bus.subscribe({
      groupId: `audit-checkpoint-reader-${randomUUID()}`,
      topics: [topic],
      fromBeginning: true,
      handler: async (message) => {
        if (message.key) latest.set(message.key.toString('utf8'), message.value);
        if (message.offset >= last) reached = true;
      },
    });
    try {
      await waitFor(() => reached, `reading ${topic} to offset ${last}`, readTimeoutMs, 10);
    } finally {
      await subscription.stop();
    }
    return latest;
  }

  return {
    async ensureTopic() {
      await bus.ensureTopics([{ topic, partitions: 1, config: { 'cleanup.policy': 'compact' } }]);
    },

    async write(checkpoint: AuditCheckpoint) {
      const { streams, ...signed } = checkpoint;
      const generation = (checkpoint.sequence % 2) as 0 | 1;
      const chunks = chunksOf(streams, maxChunkBytes);
      const messages: OutgoingMessage[] = chunks.map((entries, index) => ({
        key: chunkKey(generation, index),
        value: JSON.stringify({ format: 'govsvc.audit-checkpoint-chunk.v1', sequence: checkpoint.sequence, index, count: chunks.length, entries } satisfies ChunkRecord),
      }));
      // One partition and one publish after another: the chunks are stored before the head that names them.
      for (const message of messages) await bus.publish(topic, [message]);
      const head: HeadRecord = { format: 'govsvc.audit-checkpoint-head.v1', generation, chunks: chunks.length, checkpoint: signed };
      await bus.publish(topic, [{ key: headKey, value: JSON.stringify(head) }]);
    },

    async latest(): Promise<unknown> {
      const records = await readToEnd();
      const headBytes = records.get(headKey);
      if (!headBytes) return null;
      let head: HeadRecord;
      try {
        head = JSON.parse(headBytes.toString('utf8')) as HeadRecord;
      } catch {
        throw new ValidationError(`audit checkpoint topic ${topic}: the head record is not JSON (the topic was written by someone else)`, [{ path: `/${headKey}`, reason: 'not JSON' }]);
      }
      const entries: [string, unknown][] = [];
      for (let index = 0; index < (Number.isInteger(head.chunks) ? head.chunks : 0); index++) {
        const bytes = records.get(chunkKey(head.generation, index));
        if (!bytes) continue;
        try {
          const chunk = JSON.parse(bytes.toString('utf8')) as ChunkRecord;
          // A chunk of another checkpoint is not this one's: leave it out, verification will say the map is wrong.
          if (chunk.sequence === head.checkpoint.sequence && Array.isArray(chunk.entries)) entries.push(...chunk.entries);
        } catch {
          // Unreadable chunk: same as a missing one.
        }
      }
      // fromEntries defines own properties: a stream named `__proto__` stays a key.
      return { ...head.checkpoint, streams: Object.fromEntries(entries) };
    },
  };
}
