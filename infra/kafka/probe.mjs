#!/usr/bin/env node
// Asks a Kafka broker for its cluster metadata over the wire protocol, with
// no dependencies, so kafka.sh and infra/local can tell "the port is open"
// (a JVM still starting, or something else on 9092) from "the broker serves
// clients". It sends ApiVersions, then the newest non-flexible Metadata
// version (4..8) both sides know: those request/response layouts are plain
// fixed fields, and v4 is the oldest version Kafka 4.x still accepts.
//
// --coordinator also waits for the consumer-group coordinator (see below).
// On a SASL listener (kafka.sh --secure) it first logs in with SCRAM, as
// kafkajs would, so "answers" also means "accepts our credentials".
//
//   node probe.mjs [host:port] [--timeout ms] [--quiet] [--coordinator]
//   KAFKA_SASL_MECHANISM=scram-sha-512 KAFKA_SASL_USERNAME=… KAFKA_SASL_PASSWORD=… node probe.mjs …
//   exit 0: metadata answered (prints cluster id, brokers); 1: not answering.
import net from 'node:net';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const API_METADATA = 3;
const API_FIND_COORDINATOR = 10;
const API_SASL_HANDSHAKE = 17;
const API_VERSIONS = 18;
const API_SASL_AUTHENTICATE = 36;
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
  bytes() {
    const len = this.int32();
    if (len < 0) return null;
    const v = this.buf.subarray(this.at, this.at + len);
    this.at += len;
    return v;
  }
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

const str = (s) => {
  const b = Buffer.from(s);
  const len = Buffer.alloc(2);
  len.writeInt16BE(b.length, 0);
  return Buffer.concat([len, b]);
};
const bytes = (b) => {
  const len = Buffer.alloc(4);
  len.writeInt32BE(b.length, 0);
  return Buffer.concat([len, b]);
};

/** The newest version in lo..hi (non-flexible layouts this file can encode) that the broker supports. */
function pick(ranges, apiKey, lo, hi, name) {
  const range = ranges.get(apiKey);
  if (!range) throw new Error(`broker lists no ${name} API`);
  const version = Math.min(hi, range.max);
  if (version < Math.max(lo, range.min)) throw new Error(`broker ${name} versions ${range.min}..${range.max} share none with ${lo}..${hi}`);
  return version;
}

/** SCRAM (RFC 5802 / 7677) over SaslHandshake + SaslAuthenticate, as Kafka clients do it. */
async function scramLogin(conn, ranges, { mechanism, username, password }, nextId) {
  const hash = { 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-512': 'sha512' }[mechanism.toUpperCase()];
  if (!hash) throw new Error(`unsupported SASL mechanism ${mechanism} (SCRAM-SHA-256 or SCRAM-SHA-512)`);
  const hs = await conn.send(API_SASL_HANDSHAKE, pick(ranges, API_SASL_HANDSHAKE, 1, 1, 'SaslHandshake'), nextId(), str(mechanism.toUpperCase()));
  const hsError = hs.int16();
  if (hsError !== 0) throw new Error(`SaslHandshake error code ${hsError} (mechanism ${mechanism} not enabled?)`);
  const authVersion = pick(ranges, API_SASL_AUTHENTICATE, 0, 1, 'SaslAuthenticate');
  const exchange = async (payload) => {
    const r = await conn.send(API_SASL_AUTHENTICATE, authVersion, nextId(), bytes(Buffer.from(payload)));
    const error = r.int16();
    const message = r.string();
    if (error !== 0) throw new Error(`SASL authentication failed: ${message ?? `error code ${error}`}`);
    return (r.bytes() ?? Buffer.alloc(0)).toString();
  };
  const hmac = (key, data) => createHmac(hash, key).update(data).digest();
  const user = username.replaceAll('=', '=3D').replaceAll(',', '=2C');
  const clientNonce = randomBytes(18).toString('base64');
  const clientFirstBare = `n=${user},r=${clientNonce}`;
  const serverFirst = await exchange(`n,,${clientFirstBare}`);
  const fields = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
  if (!fields.r?.startsWith(clientNonce) || !fields.s || !fields.i) throw new Error(`unexpected SCRAM server-first message: ${serverFirst}`);
  const salted = pbkdf2Sync(password, Buffer.from(fields.s, 'base64'), Number(fields.i), createHash(hash).digest().length, hash);
  const clientKey = hmac(salted, 'Client Key');
  const withoutProof = `c=biws,r=${fields.r}`;
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const signature = hmac(createHash(hash).update(clientKey).digest(), authMessage);
  const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
  const serverFinal = await exchange(`${withoutProof},p=${proof.toString('base64')}`);
  const expected = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
  if (serverFinal !== `v=${expected}`) throw new Error('SCRAM server signature does not match: not the broker we asked');
}

/**
 * Resolves `{ clusterId, controllerId, brokers: [{ nodeId, host, port }], metadataVersion }`
 * when the broker at host:port answers a Metadata request; rejects otherwise.
 * With `sasl: { mechanism, username, password }` it logs in with SCRAM first.
 */
/**
 * A fresh broker creates its consumer-offsets topic on the first group
 * request and answers "coordinator not available / loading" meanwhile; the
 * first consumer group of a test run would crash on that. Asking for a
 * group's coordinator (once, at start) makes the broker create and load it.
 */
async function findGroupCoordinator(conn, ranges, nextId) {
  const version = pick(ranges, API_FIND_COORDINATOR, 1, 3, 'FindCoordinator');
  // key: the probe's group id, key_type 0 (group).
  const r = await conn.send(API_FIND_COORDINATOR, version, nextId(), Buffer.concat([str(CLIENT_ID), Buffer.from([0])]));
  r.int32(); // throttle_time_ms
  const errorCode = r.int16();
  const message = r.string();
  if (errorCode !== 0) throw new Error(`group coordinator not ready: ${message ?? `error code ${errorCode}`}`);
}

export async function probeKafka({ host = '127.0.0.1', port = 9092, timeoutMs = 3000, sasl, coordinator = false } = {}) {
  const conn = await connect(host, port, timeoutMs);
  let correlationId = 0;
  const nextId = () => ++correlationId;
  try {
    const versions = await conn.send(API_VERSIONS, 0, nextId(), Buffer.alloc(0));
    const errorCode = versions.int16();
    if (errorCode !== 0) throw new Error(`ApiVersions error code ${errorCode}`);
    const ranges = new Map();
    for (let i = versions.int32(); i > 0; i--) {
      const key = versions.int16(), min = versions.int16(), max = versions.int16();
      ranges.set(key, { min, max });
    }
    if (sasl) await scramLogin(conn, ranges, sasl, nextId);
    const version = pick(ranges, API_METADATA, 4, 8, 'Metadata');

    // topics: null (all), allow_auto_topic_creation: false, [v8] two authorized-operations flags: false.
    const body = Buffer.alloc(version >= 8 ? 7 : 5);
    body.writeInt32BE(-1, 0);
    const r = await conn.send(API_METADATA, version, nextId(), body);
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
    if (coordinator) await findGroupCoordinator(conn, ranges, nextId);
    return { clusterId, controllerId, brokers, metadataVersion: version };
  } finally {
    conn.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const quiet = args.includes('--quiet');
  const coordinator = args.includes('--coordinator');
  const t = args.indexOf('--timeout');
  const timeoutMs = t >= 0 ? Number(args[t + 1]) : 3000;
  const target = args.find((a, i) => !a.startsWith('--') && (t < 0 || i !== t + 1)) ?? '127.0.0.1:9092';
  const [host, port] = target.split(':');
  // Credentials come from the environment, never argv (visible in ps).
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = process.env;
  const sasl = username ? { mechanism: mechanism || 'SCRAM-SHA-512', username, password: password ?? '' } : undefined;
  probeKafka({ host, port: Number(port) || 9092, timeoutMs, sasl, coordinator }).then(
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
