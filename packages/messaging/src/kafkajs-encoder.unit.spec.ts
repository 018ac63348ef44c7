/**
 * Our patch of kafkajs 2.2.4 (`patches/kafkajs@2.2.4.patch`): its protocol `Encoder` takes its buffer
 * with `Buffer.allocUnsafe`, so small encoders are slices of Node's buffer pool instead of an
 * ArrayBuffer of their own, zero-filled, each. kafkajs makes one per record header, per record and per
 * request part. The first test fails on the unpatched encoder; the second shows that what it hands out
 * is only what was written (a record batch encoded and decoded again, headers included).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface Encoder {
  readonly buf: Buffer;
  readonly buffer: Buffer;
  writeInt32(value: number): Encoder;
}
type EncoderClass = new (initialSize?: number) => Encoder;
interface DecodedRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer>;
}

// Internal modules, loaded the way kafkajs loads them; the package has no "exports" map.
const require = createRequire(import.meta.url);
const EncoderOf = require('kafkajs/src/protocol/encoder.js') as EncoderClass;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (batch: Record<string, unknown>) => Promise<Encoder> };
const decodeRecordBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (decoder: unknown) => Promise<{ records: DecodedRecord[] }>;
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (record: Record<string, unknown>) => Encoder;

describe('kafkajs Encoder, patched (issue 8: CPU per relayed and consumed message)', () => {
  it('takes a small buffer from the pool: no ArrayBuffer of its own, no zero fill', () => {
    const encoder = new EncoderOf();
    expect(encoder.buf.length).toBe(512);
    // Unpatched (Buffer.alloc) the backing ArrayBuffer is exactly the encoder's 512 bytes.
    expect(encoder.buf.buffer.byteLength).toBe(Buffer.poolSize);
  });

  it('hands out only what was written: a record batch with headers decodes to what went in', async () => {
    const records = Array.from({ length: 20 }, (_, i) => ({
      key: Buffer.from(`case-${i}`),
      value: Buffer.from(JSON.stringify({ i, text: '受理通知'.repeat(i) })),
      headers: { ce_id: Buffer.from(`id-${i}`), ce_type: Buffer.from('intake.case-accepted.v2'), ce_empty: Buffer.alloc(0) },
    }));
    const batch = await RecordBatch({
      lastOffsetDelta: records.length - 1,
      records: records.map((r, offsetDelta) => Record({ offsetDelta, timestampDelta: 0, ...r })),
    });
    const decoded = await decodeRecordBatch(new Decoder(batch.buffer));
    expect(decoded.records.map((r) => [r.key?.toString(), r.value?.toString(), Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.toString()]))])).toEqual(
      records.map((r) => [r.key.toString(), r.value.toString(), Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.toString()]))]),
    );
  });
});
