/**
 * Our patch of kafkajs 2.2.4 (`patches/kafkajs@2.2.4.patch`) on the consuming side:
 * - a record's headers are read into one object filled in place. Unpatched, the object was spread
 *   again for every header (quadratic in the headers; a CloudEvent carries ten), and a header
 *   named like an `Object.prototype` member came out as `[inherited function, value]`;
 * - a record's offset and timestamp are added in doubles when exact, in Long arithmetic otherwise;
 * - a fetch hands the runner only the partitions that returned records. Unpatched, every assigned
 *   partition came back as a batch each fetch, and the runner worked out its lag and offsets in
 *   Long arithmetic before dropping it.
 * The prototype-member test and the fetch test fail unpatched.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface Encoder {
  readonly buffer: Buffer;
}
interface DecodedRecord {
  readonly offset: string;
  readonly timestamp: string;
  readonly headers: Record<string, Buffer | Buffer[]>;
}
interface FetchedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly unknown[];
}

// Internal modules, loaded the way kafkajs loads them; the package has no "exports" map.
const require = createRequire(import.meta.url);
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (batch: Record<string, unknown>) => Promise<Encoder> };
const decodeRecordBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (decoder: unknown) => Promise<{ records: DecodedRecord[] }>;
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (record: Record<string, unknown>) => Encoder;
const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup.js') as { prototype: { fetch(this: unknown, nodeId: number): Promise<FetchedBatch[]> } };

/** One record batch, with kafkajs' header encoding (an array value writes the key once per value). */
async function roundTrip(batch: { firstOffset?: string; firstTimestamp?: string }, records: { offsetDelta: number; timestampDelta: number; headers: Record<string, string | string[]> }[]) {
  const encoded = await RecordBatch({
    ...batch,
    lastOffsetDelta: Math.max(...records.map((r) => r.offsetDelta)),
    records: records.map((r) =>
      Record({
        offsetDelta: r.offsetDelta,
        timestampDelta: r.timestampDelta,
        key: Buffer.from('case-1'),
        value: Buffer.from('{}'),
        headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => Buffer.from(x)) : Buffer.from(v)])),
      }),
    ),
  });
  return (await decodeRecordBatch(new Decoder(encoded.buffer))).records;
}

const text = (value: Buffer | Buffer[] | undefined) => (Array.isArray(value) ? value.map((v) => v.toString()) : value?.toString());

describe('kafkajs record decoding, patched (issue 8: CPU per consumed message)', () => {
  it('reads every header of a CloudEvent record, a repeated key as an array of its values', async () => {
    const [record] = await roundTrip({}, [{ offsetDelta: 0, timestampDelta: 0, headers: { ce_id: 'e-1', ce_type: 'intake.case-accepted.v2', traceparent: ['a', 'b', 'c'] } }]);
    expect(Object.keys(record!.headers)).toEqual(['ce_id', 'ce_type', 'traceparent']);
    expect(text(record!.headers['ce_type'])).toBe('intake.case-accepted.v2');
    expect(text(record!.headers['traceparent'])).toEqual(['a', 'b', 'c']);
  });

  it('gives a header named like an Object.prototype member its own value (unpatched: [inherited function, value])', async () => {
    const [record] = await roundTrip({}, [{ offsetDelta: 0, timestampDelta: 0, headers: Object.fromEntries([['toString', 'x'], ['constructor', 'y'], ['__proto__', 'z']]) }]);
    const headers = record!.headers;
    expect(text(headers['toString'])).toBe('x');
    expect(text(headers['constructor'])).toBe('y');
    // An own property, as the object literal made it; the prototype is untouched.
    expect(Object.getOwnPropertyDescriptor(headers, '__proto__')?.value.toString()).toBe('z');
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
  });

  it('adds offsets and timestamps exactly, past 2^53 too', async () => {
    const small = await roundTrip({ firstOffset: '41', firstTimestamp: '1795977216751' }, [
      { offsetDelta: 0, timestampDelta: 0, headers: {} },
      { offsetDelta: 7, timestampDelta: 1234, headers: {} },
    ]);
    expect(small.map((r) => [r.offset, r.timestamp])).toEqual([
      ['41', '1795977216751'],
      ['48', '1795977217985'],
    ]);
    const huge = await roundTrip({ firstOffset: '9007199254740993', firstTimestamp: '9007199254740993' }, [{ offsetDelta: 2, timestampDelta: 2, headers: {} }]);
    expect([huge[0]!.offset, huge[0]!.timestamp]).toEqual(['9007199254740995', '9007199254740995']);
  });
});

describe('kafkajs ConsumerGroup.fetch, patched', () => {
  /** The group's state for one topic of three partitions, and a broker answering `partitions`. */
  function groupAnswering(partitions: { partition: number; messages: unknown[] }[]) {
    const topic = 'intake.contracts';
    return {
      cluster: { refreshMetadataIfNecessary: async () => {}, findBroker: async () => ({ fetch: async () => ({ responses: [{ topicName: topic, partitions: partitions.map((p) => ({ ...p, highWatermark: '10', abortedTransactions: [] })) }] }) }) },
      checkForStaleAssignment: () => {},
      subscriptionState: { assigned: () => [{ topic, partitions: [0, 1, 2] }], isPaused: () => false },
      filterPartitionsByNode: (_node: number, assigned: unknown) => assigned,
      seekOffsets: async () => {},
      offsetManager: { committedOffsets: () => ({ [topic]: { 0: '0', 1: '0', 2: '0' } }), nextOffset: () => ({ toString: () => '0' }) },
      getActiveTopicPartitions: () => ({ [topic]: new Set([0, 1, 2]) }),
      seekOffset: { has: () => false },
      preferredReadReplicasPerTopicPartition: {},
      logger: { info: () => {} },
      maxBytesPerPartition: 1_000_000,
      maxWaitTime: 100,
      minBytes: 1,
      maxBytes: 10_000_000,
    };
  }
  const record = (offset: string, isControlRecord = false) => ({ offset, key: null, value: Buffer.from('{}'), headers: {}, isControlRecord, timestamp: '0', batchContext: {} });

  it('hands on only the partitions that returned records (unpatched: one batch per assigned partition)', async () => {
    const group = groupAnswering([
      { partition: 0, messages: [] },
      { partition: 1, messages: [record('0'), record('1')] },
      { partition: 2, messages: [] },
    ]);
    const batches = await ConsumerGroup.prototype.fetch.call(group, 1);
    expect(batches.map((b) => [b.partition, b.messages.length])).toEqual([[1, 2]]);
  });

  it('still hands on a batch whose records were all control records, so its offset moves past them', async () => {
    const group = groupAnswering([
      { partition: 0, messages: [record('0', true)] },
      { partition: 1, messages: [] },
    ]);
    const batches = await ConsumerGroup.prototype.fetch.call(group, 1);
    expect(batches.map((b) => [b.partition, b.messages.length])).toEqual([[0, 0]]);
  });
});
