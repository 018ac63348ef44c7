/**
 * The thread side of `kafka-producer-worker.ts`: one idempotent kafkajs producer (acks = all,
 * murmur2 partitioner, one request in flight, as `kafka-bus.ts` configures it) that sends what
 * the parent hands over and answers with an ack or the error.
 *
 * Plain JavaScript on purpose: a worker starts a fresh module loader, and neither vitest's
 * transform nor every TypeScript loader reaches into it, so this file must run on Node as is.
 *
 * Protocol (parent → worker): `{ type: 'send', id, topic, batch, sequence? }` (the messages packed
 * by `kafka-message-batch.mjs`, the ArrayBuffer transferred), `{ type: 'connect', id }`
 * (answered once the producer is connected), `{ type: 'close' }`.
 * Worker → parent: `{ type: 'ack', id }`, `{ type: 'fail', id, error: { name, message } }`,
 * `{ type: 'log', level, message, extra }`, `{ type: 'closed' }`.
 * Sends run one after another in arrival order: several concurrent sends on one idempotent
 * producer can fail with OUT_OF_ORDER_SEQUENCE_NUMBER (tulios/kafkajs#598). A send that names a
 * `sequence` is refused unsent once an earlier send of that sequence failed: the parent may have
 * queued later batches behind it, and sending them would put them ahead of the earlier one's retry.
 */
import process from 'node:process';
import { parentPort, workerData } from 'node:worker_threads';
import { Kafka, Partitioners, logLevel as KafkaLogLevel } from 'kafkajs';
import { unpackMessages } from './kafka-message-batch.mjs';

const options = workerData;
const levels = { error: KafkaLogLevel.ERROR, warn: KafkaLogLevel.WARN, info: KafkaLogLevel.INFO, debug: KafkaLogLevel.DEBUG };
const levelName = (level) => (level <= KafkaLogLevel.ERROR ? 'error' : level === KafkaLogLevel.WARN ? 'warn' : level === KafkaLogLevel.INFO ? 'info' : 'debug');

const kafka = new Kafka({
  clientId: options.clientId,
  brokers: options.brokers,
  logLevel: levels[options.logLevel ?? 'warn'],
  // Logged by the parent, through the bus's logger: this thread has none.
  logCreator:
    () =>
    ({ namespace, level, log: entry }) => {
      const { message, ...extra } = entry;
      parentPort.postMessage({ type: 'log', level: levelName(level), message: `${namespace}: ${message}`, extra: plain(extra) });
    },
  retry: { initialRetryTime: 100, retries: options.clientRetries ?? 8, maxRetryTime: 5_000 },
  connectionTimeout: options.connectionTimeoutMs ?? 3_000,
});

/** Log extras reduced to what structured clone accepts. */
function plain(extra) {
  try {
    return JSON.parse(JSON.stringify(extra));
  } catch {
    return {};
  }
}

let producer;
/** Connects once; a failed connection is forgotten so the next send tries again. */
function connected() {
  if (producer) return producer;
  const client = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { initialRetryTime: 100, retries: options.producerRetries ?? 10, maxRetryTime: 5_000 },
  });
  producer = client.connect().then(() => client);
  producer.catch(() => (producer = undefined));
  return producer;
}

let tail = Promise.resolve();
let closing = false;
/** Sequences with a failed send; a caller abandons one after its failure, so only the latest few matter. */
const failedSequences = new Set();
let failedOnce = false; // the failOnTopic test hook

/** An error as the parent's `fail` answer carries it (structured clone keeps no Error subclass). */
const failureOf = (error) => ({ name: error?.name ?? 'Error', message: error?.message ?? String(error) });

function markFailed(sequence) {
  if (sequence === undefined) return;
  failedSequences.add(sequence);
  if (failedSequences.size > 64) failedSequences.delete(failedSequences.values().next().value);
}

async function send({ id, topic, batch, sequence }) {
  if (sequence !== undefined && failedSequences.has(sequence)) {
    parentPort.postMessage({ type: 'fail', id, error: { name: 'UnavailableError', message: 'not sent: an earlier send of its sequence failed' } });
    return;
  }
  try {
    if (options.testHooks?.crashOnTopic === topic) process.exit(70); // tests: a worker that dies mid-send
    if (options.testHooks?.failOnTopic === topic && !failedOnce) {
      failedOnce = true;
      throw new Error(`test hook: the first send to ${topic} fails`);
    }
    const client = await connected();
    await client.send({ topic, acks: -1, messages: unpackMessages(batch) });
    parentPort.postMessage({ type: 'ack', id });
  } catch (error) {
    markFailed(sequence);
    parentPort.postMessage({ type: 'fail', id, error: failureOf(error) });
  }
}

async function close() {
  closing = true;
  await tail;
  const client = await producer?.catch(() => undefined);
  await client?.disconnect().catch(() => undefined);
  parentPort.postMessage({ type: 'closed' });
  parentPort.close();
}

parentPort.on('message', (request) => {
  if (request.type === 'close') {
    void close();
    return;
  }
  if (request.type === 'connect') {
    connected().then(
      () => parentPort.postMessage({ type: 'ack', id: request.id }),
      (error) => parentPort.postMessage({ type: 'fail', id: request.id, error: failureOf(error) }),
    );
    return;
  }
  if (closing) {
    parentPort.postMessage({ type: 'fail', id: request.id, error: { name: 'UnavailableError', message: 'the producer worker is closing' } });
    return;
  }
  tail = tail.then(() => send(request));
});
