/**
 * The MessageBus on Kafka through kafkajs; the only module that imports it.
 *
 * - Producer: idempotent (the broker drops a batch the client re-sent after a
 *   network error), acks = all, Java-compatible murmur2 partitioner (a Java
 *   back-end keying by case id lands on the same partitions). Sends are
 *   serialized: concurrent send() calls on one idempotent kafkajs producer can
 *   fail with OUT_OF_ORDER_SEQUENCE_NUMBER (tulios/kafkajs#598).
 * - Consumer: `eachBatch` with auto-commit and auto-resolve off, the batch
 *   handled in key lanes (`keyConcurrency`, key-lanes.ts). A message is
 *   resolved only once it and every message before it resolved; on a handler
 *   failure the partition seeks back to the first message not handled, so it
 *   is fetched again and nothing of its key overtakes it. Offsets are committed explicitly (at most every
 *   100 messages or second, and at the end of each batch, that one sent behind
 *   the batch so the next fetch does not wait for it, gathered with the
 *   consumer's other commits of the next `commitLingerMs`); a batch that ends
 *   without its commit (broker gone, rebalance) rewinds the partition to its
 *   first uncommitted message, so a handled message is committed or handled again.
 * - Topics are created explicitly (`ensureTopics`); clients never auto-create.
 */
import { Kafka, Partitioners, logLevel as KafkaLogLevel, type Admin, type Consumer, type EachBatchPayload, type IHeaders, type LogEntry, type Producer } from 'kafkajs';
import { UnavailableError, ValidationError } from '@govsvc/errors/errors';
import type {
  BusSubscription,
  HandlerContext,
  IncomingHeaders,
  IncomingMessage,
  MessageBus,
  OutgoingMessage,
  PartitionLag,
  SubscribeOptions,
  SubscriptionHealth,
  TopicPartitions,
  TopicSpec,
} from './bus.ts';
import { handleInKeyLanes, laneOfKey } from './key-lanes.ts';
import { createOffsetCommits, type OffsetCommits } from './offset-commits.ts';
import { retryTransient, type TransientRetry } from './kafka-transient.ts';
import { backoffDelay, sleep, type BackoffPolicy } from './timing.ts';

export type BusLogLevel = 'error' | 'warn' | 'info' | 'debug';
export type BusLogger = (level: BusLogLevel, message: string, extra: Record<string, unknown>) => void;

export interface KafkaBusOptions {
  /** `host:port` list, as an array or comma-separated. */
  readonly brokers: string | readonly string[];
  readonly clientId: string;
  /** Consumer session timeout: how fast a dead member is noticed (broker minimum applies). */
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly rebalanceTimeoutMs?: number;
  /** Pause before a failed message is fetched again. */
  readonly redeliveryDelayMs?: number;
  /** Partitions one member handles at the same time (each still strictly in order). */
  readonly partitionsConsumedConcurrently?: number;
  /**
   * How long an end-of-batch offset commit waits for others of the same consumer to go with it in
   * one request (default 100 ms). Longer means fewer requests to the broker, and more records
   * handled again after a crash.
   */
  readonly commitLingerMs?: number;
  /** Longest a fetch waits for data; lower means lower latency and more requests. */
  readonly maxWaitTimeInMs?: number;
  /** How long `subscribe` waits for the group to assign partitions. */
  readonly joinTimeoutMs?: number;
  /**
   * Retries of one produce request before `publish` rejects (the caller, e.g. the relay, retries
   * the batch). Bounded so a broker outage surfaces as an error instead of a send that never returns.
   */
  readonly producerRetries?: number;
  /** Retries of a broker request (connect, metadata, admin) before it fails. */
  readonly clientRetries?: number;
  readonly connectionTimeoutMs?: number;
  readonly replicationFactor?: number;
  readonly log?: BusLogger;
  readonly logLevel?: BusLogLevel;
  /**
   * Backoff between replacing a crashed consumer and rejoining (default 500 ms doubling to 30 s,
   * jittered): a member thrown out of its group, or whose broker went away, comes back by itself.
   */
  readonly restartBackoff?: Partial<BackoffPolicy>;
}

const toKafkaLevel: Record<BusLogLevel, KafkaLogLevel> = {
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
};

const fromKafkaLevel = (level: KafkaLogLevel): BusLogLevel =>
  level <= KafkaLogLevel.ERROR ? 'error' : level === KafkaLogLevel.WARN ? 'warn' : level === KafkaLogLevel.INFO ? 'info' : 'debug';

/**
 * kafkajs logs some expected protocol answers as errors: a member told to rejoin during a
 * rebalance, or `createTopics` on a topic that exists (ensureTopics is idempotent on purpose).
 */
export function isRoutineKafkaLog(message: string, extra: Record<string, unknown>): boolean {
  const text = `${message} ${String(extra['error'] ?? '')}`;
  return /rebalanc|rejoin is needed|not aware of this member|not the correct coordinator|Topic creation errors|already exists/i.test(text);
}

const TOPIC_CREATION_RETRY: TransientRetry = { attempts: 8, initialDelayMs: 200, maxDelayMs: 2_000 };
/** About 4.5 s of waiting in all: longer than a new topic's partitions take to load on a broker just started. */
const LAG_READ_RETRY: TransientRetry = { attempts: 8, initialDelayMs: 100, maxDelayMs: 1_000 };
/** How long stop() waits for the batches under way to commit before it disconnects. */
const STOP_WAITS_FOR_BATCHES_MS = 5_000;

const defaultLogger: BusLogger = (level, message, extra) => {
  if ((level === 'error' || level === 'warn') && !isRoutineKafkaLog(message, extra)) console.warn(`[kafka ${level}] ${message}`, extra);
};

// At module level: the services run through tsx, whose esbuild keeps function names by wrapping every
// function it creates in a `__name` call (a defineProperty). Defined inside the loop, this one cost
// that for each header of each message: 0.7 s of a megacity day's CPU.
const asBuffer = (v: Buffer | string): Buffer => (typeof v === 'string' ? Buffer.from(v) : v);

function toIncomingHeaders(headers: IHeaders | undefined): IncomingHeaders {
  const result: Record<string, Buffer | Buffer[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    result[name] = Array.isArray(value) ? value.map(asBuffer) : asBuffer(value as Buffer | string);
  }
  return result;
}

/**
 * The headers as kafkajs takes them. Passed through, not copied: kafkajs only reads them, and a
 * copy per message (an object and an entries array per header) was a measurable share of the
 * relay's allocations, which compete with encoding on a busy core. The cast only drops `readonly`.
 */
function toKafkaHeaders(headers: OutgoingMessage['headers']): IHeaders | undefined {
  return headers as IHeaders | undefined;
}

/** Serializes async work: each call starts after the previous one settled. */
function serial() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}

export function createKafkaBus(options: KafkaBusOptions): MessageBus {
  if (options.producerRetries !== undefined && options.producerRetries < 1) {
    // kafkajs refuses an idempotent producer without retries; say so when configured, not on first publish.
    throw new ValidationError('invalid Kafka bus options: producerRetries must be at least 1', [{ path: '/producerRetries', reason: 'an idempotent producer needs at least 1 retry' }]);
  }
  const brokers = typeof options.brokers === 'string' ? options.brokers.split(',').map((b) => b.trim()) : [...options.brokers];
  const log = options.log ?? defaultLogger;
  const redeliveryDelayMs = options.redeliveryDelayMs ?? 200;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers,
    logLevel: toKafkaLevel[options.logLevel ?? 'warn'],
    logCreator:
      () =>
      ({ namespace, level, log: entry }: LogEntry) => {
        const { message, ...extra } = entry;
        log(fromKafkaLevel(level), `${namespace}: ${message}`, extra);
      },
    retry: { initialRetryTime: 100, retries: options.clientRetries ?? 8, maxRetryTime: 5_000 },
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
  });

  let producer: Promise<Producer> | undefined;
  let admin: Promise<Admin> | undefined;
  const consumers = new Set<{ stop(): Promise<void> }>();
  const send = serial();
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new UnavailableError('the Kafka bus is closed');
  };

  /** Connects once; a failed connection is forgotten so the next call tries again. */
  function connected<T extends { connect(): Promise<void> }>(current: Promise<T> | undefined, create: () => T, store: (p: Promise<T> | undefined) => void): Promise<T> {
    if (current) return current;
    const client = create();
    const ready = client.connect().then(() => client);
    store(ready);
    ready.catch(() => store(undefined));
    return ready;
  }

  const getProducer = () =>
    connected(
      producer,
      () =>
        kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
          createPartitioner: Partitioners.DefaultPartitioner,
          retry: { initialRetryTime: 100, retries: options.producerRetries ?? 10, maxRetryTime: 5_000 },
        }),
      (p) => (producer = p),
    );
  const getAdmin = () => connected(admin, () => kafka.admin(), (a) => (admin = a));

  const unavailable = (what: string, error: unknown) =>
    new UnavailableError(`Kafka: ${what} failed: ${error instanceof Error ? error.message : String(error)}`, 5, { cause: error instanceof Error ? error.name : 'unknown' });

  async function readLag(groupId: string, topics: readonly string[]): Promise<PartitionLag[]> {
    const client = await getAdmin();
    const committed = await client.fetchOffsets({ groupId, topics: [...topics] });
    const result: PartitionLag[] = [];
    for (const topic of topics) {
      const ends = await client.fetchTopicOffsets(topic);
      const groupOffsets = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends.sort((a, b) => a.partition - b.partition)) {
        const offset = groupOffsets.find((p) => p.partition === end.partition)?.offset;
        const committedOffset = offset === undefined || Number(offset) < 0 ? null : BigInt(offset);
        const endOffset = BigInt(end.high);
        // A group that never committed has everything still in the log ahead of it.
        const from = committedOffset ?? BigInt(end.low);
        result.push({ topic, partition: end.partition, committedOffset, endOffset, lag: endOffset > from ? endOffset - from : 0n });
      }
    }
    return result;
  }

  return {
    async ensureTopics(specs: readonly TopicSpec[]) {
      assertOpen();
      if (specs.length === 0) return;
      // Creating topics is idempotent, so a transient refusal is retried: when several processes create
      // the same new topics at once, the waiting for leaders can read metadata the controller has not
      // propagated yet ("This server does not host this topic-partition") although the topics exist.
      try {
        await retryTransient(TOPIC_CREATION_RETRY, async () => {
          const client = await getAdmin();
          await client.createTopics({
            waitForLeaders: true,
            timeout: 15_000,
            topics: specs.map((spec) => ({
              topic: spec.topic,
              numPartitions: spec.partitions,
              replicationFactor: options.replicationFactor ?? -1,
              configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
            })),
          });
        });
      } catch (error) {
        throw unavailable('creating topics', error);
      }
    },

    async connect() {
      assertOpen();
      await getProducer().catch((error: unknown) => {
        throw unavailable('connecting the producer', error);
      });
    },

    async publish(topic: string, messages: readonly OutgoingMessage[]) {
      assertOpen();
      if (messages.length === 0) return;
      const client = await getProducer().catch((error: unknown) => {
        throw unavailable('connecting the producer', error);
      });
      await send(async () => {
        try {
          await client.send({
            topic,
            acks: -1,
            messages: messages.map((m) => ({ key: m.key, value: m.value, headers: toKafkaHeaders(m.headers) })),
          });
        } catch (error) {
          throw unavailable(`publishing to ${topic}`, error);
        }
      });
    },

    async subscribe(subscribeOptions: SubscribeOptions): Promise<BusSubscription> {
      assertOpen();
      const { groupId } = subscribeOptions;
      const keyConcurrency = subscribeOptions.keyConcurrency ?? 1;
      const abort = new AbortController();
      const restartPolicy = { initialDelayMs: 500, maxDelayMs: 30_000, factor: 2, ...options.restartBackoff };
      let stopping = false;
      let assignment: TopicPartitions[] = [];
      let state: SubscriptionHealth['state'] = 'restarting';
      let restarts = 0;
      let failuresInARow = 0;
      let lastError: string | undefined;
      let current: Consumer | undefined;
      let restartTimer: NodeJS.Timeout | undefined;
      /** Set once the first join succeeded: from then on crashes are ours to recover from. */
      let started = false;

      /**
       * One kafkajs consumer: a crash kafkajs does not restart by itself (it restarts only
       * retriable errors, and "the coordinator is not aware of this member" from an offset
       * commit after a missed heartbeat reaches it as non-retriable) ends this consumer for good,
       * so the subscription replaces it with a new one, after a backoff (`relaunch`).
       */
      function launch(): { consumer: Consumer; joined: () => boolean; crash: () => Error | undefined } {
        const consumer: Consumer = kafka.consumer({
          groupId,
          sessionTimeout: options.sessionTimeoutMs ?? 10_000,
          heartbeatInterval: options.heartbeatIntervalMs ?? 1_000,
          rebalanceTimeout: options.rebalanceTimeoutMs ?? 30_000,
          maxWaitTimeInMs: options.maxWaitTimeInMs ?? 250,
          allowAutoTopicCreation: false,
          retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000, restartOnFailure: async () => !stopping },
        });
        current = consumer;
        let joined = false;
        let fetchedSinceJoin = false;
        let crash: Error | undefined;
        consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
          if (current !== consumer) return;
          assignment = Object.entries(payload.memberAssignment)
            .map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) }))
            .sort((a, b) => a.topic.localeCompare(b.topic));
          joined = true;
          fetchedSinceJoin = false;
        });
        // Leaving the old assignment: what lingers goes now, before another member takes the partitions over.
        consumer.on(consumer.events.REBALANCING, () => {
          if (current === consumer) void currentCommits?.flush().catch(() => undefined);
        });
        // After the first fetch following a join, start positions are resolved (auto.offset.reset applied).
        consumer.on(consumer.events.FETCH, () => {
          if (!joined) return;
          fetchedSinceJoin = true;
          if (state === 'restarting' && current === consumer && !stopping) {
            state = 'consuming';
            failuresInARow = 0;
            lastError = undefined;
          }
        });
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (current !== consumer || stopping) return;
          lastError = payload.error.message;
          state = 'restarting';
          assignment = [];
          joined = false;
          if (payload.restart) {
            log('warn', `consumer ${groupId} crashed, kafkajs restarts it`, { error: payload.error.message });
            return;
          }
          crash = payload.error;
          // Before the first join `subscribe` itself reports the failure; after it, nobody would.
          if (started) relaunch();
        });
        return { consumer, joined: () => joined && fetchedSinceJoin, crash: () => crash };
      }

      async function run(consumer: Consumer): Promise<void> {
        await consumer.connect();
        await consumer.subscribe({ topics: [...subscribeOptions.topics], fromBeginning: subscribeOptions.fromBeginning ?? false });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 4,
          eachBatch: eachBatchOf(consumer),
        });
      }

      /** Replaces a crashed consumer after a capped, jittered backoff; tries again until it runs or the subscription stops. */
      function relaunch(): void {
        if (stopping || restartTimer) return;
        failuresInARow += 1;
        const delay = backoffDelay(restartPolicy, failuresInARow);
        log('error', `consumer ${groupId} crashed; rejoining the group in ${delay} ms`, { error: lastError, attempt: failuresInARow });
        restartTimer = setTimeout(() => {
          restartTimer = undefined;
          if (stopping) return;
          const previous = current;
          const next = launch();
          restarts += 1;
          void (async () => {
            await previous?.disconnect().catch(() => undefined);
            await run(next.consumer);
          })().catch(async (error: unknown) => {
            lastError = error instanceof Error ? error.message : String(error);
            await next.consumer.disconnect().catch(() => undefined);
            relaunch();
          });
        }, delay);
        restartTimer.unref?.();
      }

      /** Each consumer's commits, gathered (offset-commits.ts); `stop()` flushes the current one's. */
      let currentCommits: OffsetCommits | undefined;
      const eachBatchOf = (consumer: Consumer) => {
        const commits = createOffsetCommits(consumer, {
          lingerMs: options.commitLingerMs ?? 100,
          rewind: (topic, partition, offset, error) => {
            if (stopping || current !== consumer) return; // a replaced consumer resumes from the committed offset
            try {
              consumer.seek({ topic, partition, offset });
              log('warn', `consumer ${groupId}: ${topic}[${partition}] not committed from offset ${offset}; reading it again`, { error: error instanceof Error ? error.message : String(error) });
            } catch (seekError) {
              log('warn', `consumer ${groupId}: could not rewind ${topic}[${partition}] to ${offset}`, { error: String(seekError) });
            }
          },
        });
        currentCommits = commits;
        const handleBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
          const { topic, partition } = batch;
          let lastDone: string | undefined;
          /** The first offset handled (and resolved) since the last commit that succeeded. */
          let uncommittedFrom: string | undefined;
          let sinceCommit = 0;
          let lastCommitAt = Date.now();
          const commit = async () => {
            if (lastDone === undefined || sinceCommit === 0) return;
            await commits.commitNow(topic, partition, BigInt(lastDone) + 1n);
            sinceCommit = 0;
            uncommittedFrom = undefined;
            lastCommitAt = Date.now();
          };
          /**
           * The end-of-batch commit, not awaited: kafkajs fetches again only after every batch of
           * the last fetch returned, so an awaited commit put a coordinator round trip in front of
           * each next fetch (end-to-end bench: handler p99 2-4x the fetch alone). Still sent only
           * after the handlers resolved, gathered with the consumer's other partitions and later
           * batches for up to `commitLingerMs`. If it fails, the partition is rewound to the first
           * record it covered (offset-commits.ts).
           */
          const commitBehind = () => {
            if (lastDone === undefined || sinceCommit === 0 || uncommittedFrom === undefined) return;
            commits.commitBehind(topic, partition, BigInt(lastDone) + 1n, BigInt(uncommittedFrom));
          };
          // The handler's context. Its signal is aborted on stop, or when a heartbeat learns the partition is
          // being taken away. One context (controller, signal, heartbeat closure) and one stop listener serve
          // the batch's messages until its signal is aborted, and a new one then serves the next message: one
          // of each per message was 0.4–1 % of a consuming service's CPU in a megacity day.
          let delivery: { readonly controller: AbortController; readonly context: HandlerContext } | null = null;
          const newDelivery = () => {
            const controller = new AbortController();
            const context: HandlerContext = {
              signal: controller.signal,
              heartbeat: async () => {
                try {
                  await heartbeat();
                } catch (error) {
                  controller.abort(error);
                  throw error;
                }
              },
            };
            return { controller, context };
          };
          const onStop = () => delivery?.controller.abort(abort.signal.reason);
          abort.signal.addEventListener('abort', onStop, { once: true });
          try {
            const { messages } = batch;
            let handled = 0;
            const outcome = await handleInKeyLanes(messages, {
              concurrency: keyConcurrency,
              keyOf: laneOfKey,
              shouldContinue: () => isRunning() && !isStale() && !abort.signal.aborted,
              handle: (message) => {
                if (delivery === null || delivery.controller.signal.aborted) delivery = newDelivery();
                const incoming: IncomingMessage = {
                  topic,
                  partition,
                  offset: BigInt(message.offset),
                  key: message.key ?? null,
                  value: message.value ?? null,
                  headers: toIncomingHeaders(message.headers),
                  timestamp: new Date(Number(message.timestamp)),
                };
                return subscribeOptions.handler(incoming, delivery.context);
              },
              onProgress: async (prefix) => {
                const last = messages[prefix - 1]!.offset;
                resolveOffset(last);
                lastDone = last;
                uncommittedFrom ??= messages[handled]!.offset;
                sinceCommit += prefix - handled;
                handled = prefix;
                if (sinceCommit >= 100 || Date.now() - lastCommitAt >= 1_000) await commit();
                await heartbeat();
              },
            });
            if (outcome.failure) {
              // Not resolved: fetch again from the first message not handled, after a pause; its key's later
              // messages wait behind it (other keys' messages that finished meanwhile come again: at least once).
              consumer.seek({ topic, partition, offset: messages[outcome.prefix]!.offset });
              await commit();
              if (!abort.signal.aborted) await sleep(redeliveryDelayMs, abort.signal).catch(() => undefined);
              return;
            }
            // Stopping, stale or taken away: commit before kafkajs leaves the group or hands the partition over.
            if (abort.signal.aborted || !isRunning() || isStale()) await commit();
            else commitBehind();
          } catch (error) {
            // The batch ends without committing what it handled (a commit or heartbeat failed: broker gone,
            // coordinator moving, rebalance). kafkajs keeps the resolved offsets in memory and, when it retries
            // in the same generation (e.g. the broker is back within its retries), fetches after them: nothing
            // would commit those records until another record arrives on the partition, and the group stays
            // behind for good (finding 10). Rewind to the first uncommitted record instead: it is fetched and
            // handled again (handlers are idempotent) and committed by the next batch.
            if (uncommittedFrom !== undefined) {
              try {
                consumer.seek({ topic, partition, offset: uncommittedFrom });
                log('warn', `consumer ${groupId}: ${topic}[${partition}] not committed from offset ${uncommittedFrom}; reading it again`, { error: error instanceof Error ? error.message : String(error) });
              } catch (seekError) {
                log('warn', `consumer ${groupId}: could not rewind ${topic}[${partition}] to ${uncommittedFrom}`, { error: String(seekError) });
              }
            }
            throw error;
          } finally {
            abort.signal.removeEventListener('abort', onStop);
          }
        };
        // Counted so that stop() can wait for them: see there. Counted before the batch starts, so that a stop
        // begun by one of its handlers (synchronously, before the batch's promise exists) still waits for it.
        return async (payload: EachBatchPayload) => {
          let ended!: () => void;
          const handling = new Promise<void>((resolve) => (ended = resolve));
          batchesInFlight.add(handling);
          try {
            await handleBatch(payload);
          } finally {
            batchesInFlight.delete(handling);
            ended();
          }
        };
      };
      /** The batches being handled now, each ending with its commit (or rewind). */
      const batchesInFlight = new Set<Promise<void>>();

      const stop = async () => {
        if (stopping) return;
        stopping = true;
        state = 'stopped';
        if (restartTimer) clearTimeout(restartTimer);
        restartTimer = undefined;
        abort.abort(new Error('subscription stopped'));
        consumers.delete(subscription);
        // A batch under way stops at its next record (the abort) and commits what it handled. kafkajs drops a
        // commit made once its runner has stopped, which disconnect() does first: so the batches end before it,
        // or a record handled just before stop() came back after the restart. Bounded: a handler that ignores
        // its signal delays the stop by this much at most, and its record is then redelivered as before.
        if (batchesInFlight.size > 0) {
          const bound = new AbortController(); // cleared once the batches end, so no timer outlives the stop
          await Promise.race([Promise.allSettled([...batchesInFlight]), sleep(STOP_WAITS_FOR_BATCHES_MS, bound.signal).catch(() => undefined)]);
          bound.abort();
        }
        // A batch's commit sent behind it must reach the coordinator before the member leaves the group.
        await currentCommits?.flush().catch(() => undefined);
        await current?.disconnect().catch((error: unknown) => log('warn', 'consumer disconnect failed', { error: String(error) }));
      };
      const subscription: BusSubscription = {
        assignment: () => (state === 'consuming' ? assignment : []),
        health: () => ({ state, restarts, ...(state === 'restarting' && lastError !== undefined ? { lastError } : {}) }),
        stop,
      };
      consumers.add(subscription);

      try {
        const first = launch();
        await run(first.consumer);
        const deadline = Date.now() + (options.joinTimeoutMs ?? 30_000);
        while (!first.joined()) {
          const crash = first.crash();
          if (crash) throw crash;
          if (Date.now() > deadline) throw new Error(`no partition assignment within ${options.joinTimeoutMs ?? 30_000} ms`);
          await sleep(10);
        }
        state = 'consuming';
        started = true;
      } catch (error) {
        await stop();
        throw unavailable(`joining consumer group ${groupId}`, error);
      }
      return subscription;
    },

    async consumerLag(groupId: string, topics: readonly string[]): Promise<PartitionLag[]> {
      assertOpen();
      try {
        // A partition or group that is still loading (a new topic, a broker just started) answers
        // "not the leader" or "coordinator is loading" for a moment, and kafkajs gives up on both at once.
        return await retryTransient(LAG_READ_RETRY, () => readLag(groupId, topics));
      } catch (error) {
        throw unavailable(`reading the lag of ${groupId}`, error);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...consumers].map((c) => c.stop()));
      const disconnect = async (client: Promise<{ disconnect(): Promise<void> }> | undefined) => {
        const ready = await client?.catch(() => undefined);
        await ready?.disconnect().catch(() => undefined);
      };
      await Promise.all([disconnect(producer), disconnect(admin)]);
    },
  };
}
