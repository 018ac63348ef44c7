#!/usr/bin/env node
// Asks a Kafka broker for its cluster metadata over the wire protocol, with
// no dependencies, so kafka.sh and infra/local can tell "the port is open"
// (a JVM still starting, or something else on 9092) from "the broker serves
// clients". It sends ApiVersions, then the newest non-flexible Metadata
// version (4..8) both sides know: those request/response layouts are plain
// fixed fields, and v4 is the oldest version Kafka 4.x still accepts.
//
//   node probe.mjs [host:port] [--timeout ms] [--quiet]
//   exit 0: metadata answered (prints cluster id, brokers); 1: not answering.
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const API_METADATA = 3;
const API_VERSIONS = 18;
const CLIENT_ID = 'govsvc-probe';

function request(apiKey, apiVersion, correlationId, body) {
  const clientId = Buffer.from(CLIENT_ID);
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + clientId.length + body.length, 0);
  return Buffer.concat([size, header, clientId, body]);
}

/** A cursor over one response frame; throws on a short frame. */
class Reader {
  constructor(buf) { this.buf = buf; this.at = 0; }
  int8() { const v = this.buf.readInt8(this.at); this.at += 1; return v; }
  int16() { const v = this.buf.readInt16BE(this.at); this.at += 2; return v; }
  int32() { const v = this.buf.readInt32BE(this.at); this.at += 4; return v; }
  string() {
    const len = this.int16();
    if (len < 0) return null;
    const v = this.buf.toString('utf8', this.at, this.at + len);
    this.at += len;
    return v;
  }
}

/** Opens one connection and returns a function that sends a request and resolves its response body. */
function connect(host, port, timeoutMs) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let pending = Buffer.alloc(0);
    let waiter = null;
    const fail = (err) => { socket.destroy(); if (waiter) waiter.reject(err); else reject(err); };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)));
    socket.once('error', fail);
    socket.once('close', () => { if (waiter) waiter.reject(new Error(`${host}:${port} closed the connection`)); });
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      if (pending.length < 4) return;
      const size = pending.readInt32BE(0);
      if (pending.length < 4 + size || !waiter) return;
      const frame = pending.subarray(4, 4 + size);
      pending = pending.subarray(4 + size);
      const w = waiter;
      waiter = null;
      w.resolve(frame);
    });
    socket.once('connect', () => {
      resolve({
        send(apiKey, apiVersion, correlationId, body) {
          return new Promise((res, rej) => {
            waiter = {
              resolve: (frame) => {
                const r = new Reader(frame);
                const got = r.int32();
                if (got !== correlationId) rej(new Error(`correlation id ${got}, expected ${correlationId}`));
                else res(r);
              },
              reject: rej,
            };
            socket.write(request(apiKey, apiVersion, correlationId, body));
          });
        },
        close() { socket.removeAllListeners('close'); socket.destroy(); },
      });
    });
  });
}

/**
 * Resolves `{ clusterId, controllerId, brokers: [{ nodeId, host, port }], metadataVersion }`
 * when the broker at host:port answers a Metadata request; rejects otherwise.
 */
export async function probeKafka({ host = '127.0.0.1', port = 9092, timeoutMs = 3000 } = {}) {
  const conn = await connect(host, port, timeoutMs);
  try {
    const versions = await conn.send(API_VERSIONS, 0, 1, Buffer.alloc(0));
    const errorCode = versions.int16();
    if (errorCode !== 0) throw new Error(`ApiVersions error code ${errorCode}`);
    let range = null;
    for (let i = versions.int32(); i > 0; i--) {
      const key = versions.int16(), min = versions.int16(), max = versions.int16();
      if (key === API_METADATA) range = { min, max };
    }
    if (!range) throw new Error('broker lists no Metadata API');
    const version = Math.min(8, range.max);
    if (version < Math.max(4, range.min)) throw new Error(`broker Metadata versions ${range.min}..${range.max} share none with 4..8`);

    // topics: null (all), allow_auto_topic_creation: false, [v8] two authorized-operations flags: false.
    const body = Buffer.alloc(version >= 8 ? 7 : 5);
    body.writeInt32BE(-1, 0);
    const r = await conn.send(API_METADATA, version, 2, body);
    r.int32(); // throttle_time_ms
    const brokers = [];
    for (let i = r.int32(); i > 0; i--) {
      const nodeId = r.int32(), brokerHost = r.string(), brokerPort = r.int32();
      r.string(); // rack
      brokers.push({ nodeId, host: brokerHost, port: brokerPort });
    }
    const clusterId = r.string();
    const controllerId = r.int32();
    if (brokers.length === 0) throw new Error('metadata lists no live broker yet');
    return { clusterId, controllerId, brokers, metadataVersion: version };
  } finally {
    conn.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const quiet = args.includes('--quiet');
  const t = args.indexOf('--timeout');
  const timeoutMs = t >= 0 ? Number(args[t + 1]) : 3000;
  const target = args.find((a, i) => !a.startsWith('--') && (t < 0 || i !== t + 1)) ?? '127.0.0.1:9092';
  const [host, port] = target.split(':');
  probeKafka({ host, port: Number(port) || 9092, timeoutMs }).then(
    (m) => {
      if (!quiet) console.log(`kafka answers at ${target}: cluster ${m.clusterId}, brokers ${m.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`).join(',')}, controller ${m.controllerId}`);
      process.exit(0);
    },
    (err) => {
      if (!quiet) console.error(`kafka does not answer at ${target}: ${err.message}`);
      process.exit(1);
    },
  );
}
