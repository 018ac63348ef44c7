/**
 * Publishing to Kafka from a worker thread (issue 3, relay target).
 *
 * kafkajs encodes every produce request in JavaScript (record batches, varints, CRC-32C). On the
 * relay's thread that work queued behind reading rows, mapping and CloudEvents encoding, so the
 * relay was CPU-bound on one core while the other idled. Here the producer lives in its own
 * thread (`kafka-producer.worker.mjs`): `publish` hands the messages over and resolves when the
 * broker acknowledged all of them (acks = all), exactly as `MessageBus.publish` promises, so the
 * relay's rule (checkpoint only after the ack) is unchanged.
 *
 * - Order: the worker sends requests one after another in the order `publish` was called
 *   (one idempotent producer, one request in flight), so per-key order is the calls' order.
 * - Failure: a failed send rejects that call with `UnavailableError`; a worker that dies rejects
 *   every call in flight with `UnavailableError`, and the next `publish` starts a new worker. A
 *   caller that retries (the relay) may duplicate what the dead worker had sent: at least once.
 * - `withProducerWorker(bus, options)` is the `MessageBus` with `publish` moved to the worker;
 *   subscriptions, topics and lag stay on `bus`. `close()` closes both, the worker after its queue.
 *
 * - `sequence()` lets a caller keep the thread busy: the relay hands batch k + 1 over before batch
 *   k's ack; the thread refuses the sends of a sequence queued behind its failure (see bus.ts).
 *
 * - A send crosses as one transferred ArrayBuffer (`kafka-message-batch.mjs`), not as objects:
 *   structured clone rebuilt every key, value and header on the thread, the relay's bottleneck.
 *
 * Opt-in (`KAFKA_PRODUCER_THREAD=true`, service-host), not the default: it pays only where a core
 * is free for the thread. On the shared 2-core bench machine (load 13–24) the relay over it was no
 * faster than with the producer on its own thread (CPU per 1,000 events: about the same in total,
 * plus the copy between threads), and two producer threads each owning half of the partitions
 * were slower still; on a quiet 2-core machine it was a few per cent faster (docs/benchmarks.md).
 */
import { Worker } from 'node:worker_threads';
import { UnavailableError } from '@govsvc/errors/errors';
import type { MessageBus, OutgoingMessage, PublishSequence } from './bus.ts';
import { packMessages } from './kafka-message-batch.mjs';
import type { BusLogger, BusLogLevel } from './kafka-bus.ts';

export interface ProducerWorkerOptions {
  /** `host:port` list, as an array or comma-separated. */
  readonly brokers: string | readonly string[];
  readonly clientId: string;
  /** Retries of one produce request before `publish` rejects (at least 1: the producer is idempotent). */
  readonly producerRetries?: number;
  readonly clientRetries?: number;
  readonly connectionTimeoutMs?: number;
  readonly log?: BusLogger;
  readonly logLevel?: BusLogLevel;
  /** Longest `close()` waits for queued sends before it terminates the thread. */
  readonly closeTimeoutMs?: number;
  /** Tests only: the first thread exits (as if it crashed) when asked to send to this topic; later ones do not. */
  readonly testCrashOnTopic?: string;
  /** Tests only: each thread fails its first send to this topic (a broker error), without sending it. */
  readonly testFailFirstSendToTopic?: string;
}

export interface ProducerWorker {
  /** Resolves once the broker acknowledged every message (acks = all). */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  /** Publishes in call order that fail unsent after the first failure among them (`MessageBus.sequence`). */
  sequence(): PublishSequence;
  /** Starts the thread and connects its producer ahead of the first publish (`MessageBus.connect`). */
  connect(): Promise<void>;
  /** Sends what is queued, disconnects and ends the thread. */
  close(): Promise<void>;
  /** Threads started so far (a crash makes the next publish start another). */
  started(): number;
}

type FromWorker =
  | { type: 'ack'; id: number }
  | { type: 'fail'; id: number; error: { name: string; message: string } }
  | { type: 'log'; level: BusLogLevel; message: string; extra: Record<string, unknown> }
  | { type: 'closed' };

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

const workerUrl = new URL('./kafka-producer.worker.mjs', import.meta.url);

const defaultLogger: BusLogger = (level, message, extra) => {
  if (level === 'error' || level === 'warn') console.warn(`[kafka producer ${level}] ${message}`, extra);
};

/** One producer thread: started lazily, replaced on the next request after it died. */
function producerThread(data: Record<string, unknown>, log: BusLogger, testHooks: { crashOnTopic?: string; failOnTopic?: string }) {
  let current: { worker: Worker; generation: number; pending: Map<number, Pending>; exited: Promise<void>; closed: Promise<void> } | undefined;
  let nextId = 0;
  let starts = 0;

  function start() {
    const hooks = { testHooks: { failOnTopic: testHooks.failOnTopic, ...(starts === 0 ? { crashOnTopic: testHooks.crashOnTopic } : {}) } };
    const worker = new Worker(workerUrl, { workerData: { ...data, ...hooks } });
    starts += 1;
    const pending = new Map<number, Pending>();
    let markClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    // Idle, the thread must not keep the process alive; a request refs it until answered.
    worker.unref();
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'log') return log(message.level, message.message, message.extra);
      if (message.type === 'closed') return markClosed();
      const waiting = pending.get(message.id);
      if (!waiting) return;
      pending.delete(message.id);
      if (pending.size === 0) worker.unref();
      if (message.type === 'ack') waiting.resolve();
      else waiting.reject(new UnavailableError(`Kafka: publishing failed: ${message.error.message}`, 5, { cause: message.error.name }));
    });
    const exited = new Promise<void>((resolve) => {
      const fail = (reason: string) => {
        if (current?.worker === worker) current = undefined;
        for (const waiting of pending.values()) waiting.reject(new UnavailableError(`Kafka: the producer thread ${reason} before the broker acknowledged`, 5, { cause: 'worker-exit' }));
        pending.clear();
        markClosed();
        resolve();
      };
      worker.on('error', (error) => {
        log('error', 'the Kafka producer thread failed', { error: error.message });
        fail(`failed (${error.message})`);
      });
      worker.on('exit', (code) => fail(`exited with code ${code}`));
    });
    current = { worker, generation: starts, pending, exited, closed };
    return current;
  }

  return {
    /**
     * Hands a send to the thread. With `sequence`, only to the thread the sequence began on: its
     * fence lives there, and a thread started after that one died knows nothing of it.
     */
    request(message: { type: 'send'; topic: string; batch: ArrayBuffer } | { type: 'connect' }, sequence?: { id: number; generation?: number }): Promise<void> {
      const thread = current ?? start();
      const id = nextId++;
      if (sequence) {
        sequence.generation ??= thread.generation;
        if (sequence.generation !== thread.generation) return Promise.reject(new UnavailableError('Kafka: not sent: the producer thread of its sequence is gone', 5, { cause: 'worker-exit' }));
      }
      return new Promise<void>((resolve, reject) => {
        thread.pending.set(id, { resolve, reject });
        thread.worker.ref();
        // A packed batch is moved to the thread, not copied.
        thread.worker.postMessage(sequence ? { ...message, id, sequence: sequence.id } : { ...message, id }, message.type === 'send' ? [message.batch] : []);
      });
    },
    async close(timeoutMs: number) {
      const thread = current;
      if (!thread) return;
      thread.worker.ref();
      thread.worker.postMessage({ type: 'close' });
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
      if ((await Promise.race([thread.closed, thread.exited, timeout])) === 'timeout') log('warn', 'the Kafka producer thread did not close in time; terminated', {});
      await thread.worker.terminate();
      await thread.exited;
    },
    started: () => starts,
  };
}

export function createProducerWorker(options: ProducerWorkerOptions): ProducerWorker {
  const brokers = typeof options.brokers === 'string' ? options.brokers.split(',').map((b) => b.trim()) : [...options.brokers];
  const log = options.log ?? defaultLogger;
  const data = {
    brokers,
    clientId: options.clientId,
    producerRetries: options.producerRetries,
    clientRetries: options.clientRetries,
    connectionTimeoutMs: options.connectionTimeoutMs,
    logLevel: options.logLevel,
  };
  const thread = producerThread(data, log, { crashOnTopic: options.testCrashOnTopic, failOnTopic: options.testFailFirstSendToTopic });
  let closing = false;
  let sequences = 0;

  const send = async (topic: string, messages: readonly OutgoingMessage[], sequence?: { id: number; generation?: number }) => {
    if (closing) throw new UnavailableError('the Kafka producer is closed');
    if (messages.length === 0) return;
    await thread.request({ type: 'send', topic, batch: packMessages(messages) }, sequence);
  };

  return {
    publish: (topic, messages) => send(topic, messages),
    async connect() {
      if (closing) throw new UnavailableError('the Kafka producer is closed');
      await thread.request({ type: 'connect' });
    },
    sequence() {
      // The thread sends in arrival order and fences a sequence at its first failure; a sequence is
      // bound to the thread it began on (`request`); and once a publish of it was seen failing here,
      // later ones fail without reaching the thread at all.
      const sequence: { id: number; generation?: number } = { id: sequences++ };
      let failed = false;
      return {
        async publish(topic, messages) {
          if (failed) throw new UnavailableError('Kafka: not sent: an earlier publish of its sequence failed');
          try {
            await send(topic, messages, sequence);
          } catch (error) {
            failed = true;
            throw error;
          }
        },
      };
    },
    async close() {
      closing = true;
      await thread.close(options.closeTimeoutMs ?? 10_000);
    },
    started: () => thread.started(),
  };
}

/** `bus` with `publish` moved to a producer thread; `close()` closes the thread, then `bus`. */
export function withProducerWorker(bus: MessageBus, options: ProducerWorkerOptions): MessageBus {
  const producer = createProducerWorker(options);
  return {
    ensureTopics: (topics) => bus.ensureTopics(topics),
    publish: (topic, messages) => producer.publish(topic, messages),
    sequence: () => producer.sequence(),
    connect: () => producer.connect(),
    subscribe: (subscribeOptions) => bus.subscribe(subscribeOptions),
    consumerLag: (groupId, topics) => bus.consumerLag(groupId, topics),
    async close() {
      await producer.close();
      await bus.close();
    },
  };
}
