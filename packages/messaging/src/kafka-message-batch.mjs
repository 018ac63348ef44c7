/**
 * A batch of outgoing Kafka messages as one ArrayBuffer, for the producer thread
 * (`kafka-producer-worker.ts` packs, `kafka-producer.worker.mjs` unpacks).
 *
 * Why: handed over as objects, a batch of 500 CloudEvents was structured-cloned, every key,
 * value and header rebuilt one object at a time on the producer thread, which is the relay's
 * bottleneck once it has its own thread (it was busy 90% of the time, 10–25 µs a message more
 * than a bare producer on the same records). One buffer is transferred, not copied, and the
 * thread reads keys, values and header values as views on it.
 *
 * Plain JavaScript: the worker runs it as is (see the worker's header). Little-endian layout:
 *   u32 count, then per message:
 *     bytes key, bytes value        (bytes = i32 length, -1 for null, then the bytes)
 *     u16 header count, per header: u16 name length + UTF-8 name,
 *       u8 0 + bytes value | u8 1 + u16 n + n × bytes (a repeated header)
 * Strings are sent as their UTF-8 bytes: Kafka keys and headers are bytes on the wire, so the
 * broker receives what it did before, and the partitioner hashes the same key bytes.
 */
import { Buffer } from 'node:buffer';

const bytesLength = (v) => (v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.byteLength);

/** @param {readonly { key: string | Uint8Array | null, value: string | Uint8Array | null, headers?: Record<string, string | Uint8Array | readonly (string | Uint8Array)[]> }[]} messages */
export function packMessages(messages) {
  let size = 4;
  for (const m of messages) {
    size += 8 + bytesLength(m.key) + bytesLength(m.value) + 2;
    if (m.headers) {
      for (const name of Object.keys(m.headers)) {
        const value = m.headers[name];
        size += 2 + Buffer.byteLength(name) + 1;
        if (Array.isArray(value)) {
          size += 2;
          for (const v of value) size += 4 + bytesLength(v);
        } else size += 4 + bytesLength(value);
      }
    }
  }
  const out = Buffer.from(new ArrayBuffer(size));
  let at = out.writeUInt32LE(messages.length, 0);
  const bytes = (v) => {
    if (v === null || v === undefined) return (at = out.writeInt32LE(-1, at));
    if (typeof v === 'string') {
      const n = out.write(v, at + 4);
      out.writeInt32LE(n, at);
      return (at += 4 + n);
    }
    out.writeInt32LE(v.byteLength, at);
    out.set(v, at + 4);
    return (at += 4 + v.byteLength);
  };
  for (const m of messages) {
    bytes(m.key);
    bytes(m.value);
    const countAt = at;
    at += 2;
    let headers = 0;
    if (m.headers) {
      for (const name of Object.keys(m.headers)) {
        const value = m.headers[name];
        const n = out.write(name, at + 2);
        out.writeUInt16LE(n, at);
        at += 2 + n;
        if (Array.isArray(value)) {
          at = out.writeUInt8(1, at);
          at = out.writeUInt16LE(value.length, at);
          for (const v of value) bytes(v);
        } else {
          at = out.writeUInt8(0, at);
          bytes(value);
        }
        headers += 1;
      }
    }
    out.writeUInt16LE(headers, countAt);
  }
  if (at !== size) throw new Error(`packMessages: wrote ${at} bytes of ${size}`);
  return out.buffer;
}

/**
 * The messages of a packed batch as kafkajs takes them: keys, values and header values are
 * Buffers over the batch's memory (no copies), header names strings.
 * @param {ArrayBuffer} batch
 */
export function unpackMessages(batch) {
  const buf = Buffer.from(batch);
  let at = 0;
  const bytes = () => {
    const n = buf.readInt32LE(at);
    at += 4;
    if (n < 0) return null;
    const view = buf.subarray(at, at + n);
    at += n;
    return view;
  };
  const count = buf.readUInt32LE(0);
  at = 4;
  const messages = new Array(count);
  for (let i = 0; i < count; i++) {
    const key = bytes();
    const value = bytes();
    const headerCount = buf.readUInt16LE(at);
    at += 2;
    if (headerCount === 0) {
      messages[i] = { key, value };
      continue;
    }
    // No prototype: a header may be called anything, `__proto__` included.
    const headers = Object.create(null);
    for (let h = 0; h < headerCount; h++) {
      const nameLength = buf.readUInt16LE(at);
      const name = buf.toString('utf8', at + 2, at + 2 + nameLength);
      at += 2 + nameLength;
      const kind = buf.readUInt8(at);
      at += 1;
      if (kind === 1) {
        const n = buf.readUInt16LE(at);
        at += 2;
        const values = new Array(n);
        for (let k = 0; k < n; k++) values[k] = bytes();
        headers[name] = values;
      } else headers[name] = bytes();
    }
    messages[i] = { key, value, headers };
  }
  return messages;
}
