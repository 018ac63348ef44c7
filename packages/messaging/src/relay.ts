/**
 * The relay: the event store is the outbox (no dual writes, Debezium's outbox
 * pattern). It tails the store with a catch-up subscription, maps each domain
 * event to its integration event (or to nothing) with the owning service's
 * mapping, and publishes to Kafka keyed by case id, one batch at a time.
 *
 * At least once, never loss: the subscription stores its checkpoint only after
 * the handler resolved, and the handler resolves only after the broker
 * acknowledged every message of the batch. A crash between the ack and the
 * checkpoint republishes that batch on restart (a duplicate, with the same
 * CloudEvents id, which consumers deduplicate); a crash before the ack
 * publishes it for the first time. Publishing failures are retried with
 * backoff; the batch is never skipped.
 *
 * The CloudEvents id is the domain event id, so a republished or replayed
 * event is recognisably the same event.
 */
import { encodeIntegrationEvent, type EncodedRecord } from '@govsvc/contracts/envelope';
import type { IntegrationEvent } from '@govsvc/contracts/registry';
import type { EventFilter, EventStore, StoredEvent, Subscription } from '@govsvc/eventstore/port';
import { deterministicId } from '@govsvc/runtime/ids';
import type { MessageBus, OutgoingMessage, PublishSequence } from './bus.ts';
import type { MessagingMetrics } from './metrics.ts';
import { backoffDelay, sleep, type BackoffPolicy } from './timing.ts';

/**
 * A service's mapping from its domain events to published contracts: one contract, several
 * (in the order they are to be published), or none (`null` / `[]`) when the event is internal.
 * May be async, e.g. to read the case's first event for context.
 */
export type IntegrationEventMapping = (
  event: StoredEvent,
) => IntegrationEvent | readonly IntegrationEvent[] | null | Promise<IntegrationEvent | readonly IntegrationEvent[] | null>;

/**
 * CloudEvents id of the `index`-th contract mapped from a stored event: the event's own id for
 * the first, a stable UUID (v5 layout, SHA-1 of event id and index) for the others. Stable across
 * republishes and replays, so consumers deduplicate them; adding a contract at the end of a
 * mapping keeps the ids of the earlier ones.
 */
export function contractIdOf(eventId: string, index: number): string {
  return index === 0 ? eventId : deterministicId('govsvc-relay', `${eventId}\u0000${index}`);
}

export interface RelayLogger {
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

export interface RelayOptions {
  readonly store: EventStore;
  readonly bus: MessageBus;
  /** Names the stored checkpoint: one per relay (e.g. `relay-intake`). */
  readonly name: string;
  readonly map: IntegrationEventMapping;
  /** Narrows what the store hands over (e.g. the service's own stream categories). */
  readonly filter?: EventFilter;
  /** Events per publish (default 200): one `bus.publish` per topic per this many events. */
  readonly batchSize?: number;
  /**
   * Events read from the store per round, and so per checkpoint write (default 4 × batchSize).
   * A round is published as consecutive batches of `batchSize`; while the broker acknowledges one,
   * the next is mapped and encoded (and the store's next round is already being read).
   */
  readonly readBatchSize?: number;
  /**
   * Checkpoint writes at most once per this many ms (the subscription's `checkpointIntervalMs`,
   * default 100): a crash republishes up to that much, with the same CloudEvents ids.
   */
  readonly checkpointIntervalMs?: number;
  /**
   * After a round that drained the log, wait this long before reading again (the subscription's
   * `lingerMs`, default 0): a relay of a busy service then publishes a few larger rounds instead of
   * one round per commit. An event after a quiet spell is not delayed.
   */
  readonly lingerMs?: number;
  /** Topic actually used for a contract's topic, e.g. an environment prefix; identity by default. */
  readonly topicFor?: (contractTopic: string) => string;
  readonly retry?: Partial<BackoffPolicy> & {
    /**
     * Attempts per batch before the relay gives up and stops with the error (default: never
     * gives up). Bounded, the process manager restarts the relay, which resumes at its checkpoint.
     */
    readonly maxAttempts?: number;
  };
  readonly metrics?: MessagingMetrics;
  readonly log?: RelayLogger;
}

export interface RelayStatus {
  readonly state: 'idle' | 'running' | 'retrying' | 'stopped' | 'failed';
  readonly lastError?: string;
  /** Global position of the last event published by the live subscription. */
  readonly lastPosition?: bigint;
}

export interface Relay {
  start(): void;
  /** Stops after the running batch; its checkpoint stays where it was if the batch did not finish. */
  stop(): Promise<void>;
  /** Resolves once everything committed to the store before this call is published. */
  caughtUp(): Promise<void>;
  /** Settles when the live subscription ends: resolves after stop(), rejects when the relay failed. */
  readonly finished: Promise<void>;
  status(): RelayStatus;
  /**
   * Publishes again every mapped event after global position `after` (exclusive) up to the
   * store's head at the time of the call, without touching the live checkpoint. For rebuilding
   * a broker whose data was lost, or feeding a new topic.
   */
  replayFrom(after: bigint): Promise<{ readonly published: number; readonly lastPosition: bigint }>;
}

const defaultRetry = { initialDelayMs: 100, maxDelayMs: 10_000, factor: 2 };
/** Sends handed to an off-thread producer beyond the one being sent: one queued is enough to keep it busy. */
const SENDS_AHEAD = 1;

export function createRelay(options: RelayOptions): Relay {
  const { store, bus, name, metrics } = options;
  const batchSize = options.batchSize ?? 200;
  const readBatchSize = Math.max(batchSize, options.readBatchSize ?? 4 * batchSize);
  const topicFor = options.topicFor ?? ((topic: string) => topic);
  const policy: BackoffPolicy = { ...defaultRetry, ...options.retry };
  const maxAttempts = options.retry?.maxAttempts ?? Number.POSITIVE_INFINITY;
  const log = options.log ?? { warn: (d, m) => console.warn(m, d), error: (d, m) => console.error(m, d) };

  let subscription: Subscription | undefined;
  let state: RelayStatus['state'] = 'idle';
  let lastError: string | undefined;
  let lastPosition: bigint | undefined;
  const stopping = new AbortController();
  let resolveFinished: () => void = () => undefined;
  let rejectFinished: (error: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    resolveFinished = resolve;
    rejectFinished = reject;
  });
  finished.catch(() => undefined);

  /** Encodes the mapped events of a batch, grouped by topic in store order. */
  async function recordsOf(events: readonly StoredEvent[]): Promise<Map<string, EncodedRecord[]>> {
    const byTopic = new Map<string, EncodedRecord[]>();
    for (const event of events) {
      const mapped = await options.map(event);
      const contracts: readonly IntegrationEvent[] = mapped === null ? [] : Array.isArray(mapped) ? mapped : [mapped as IntegrationEvent];
      contracts.forEach((contract, index) => {
        const record = encodeIntegrationEvent(contract, {
          id: contractIdOf(event.id, index),
          time: event.recordedAt,
          correlationId: event.metadata.correlationId,
          causationId: event.metadata.causationId ?? null,
        });
        const topic = topicFor(record.topic);
        const records = byTopic.get(topic);
        if (records) records.push(record);
        else byTopic.set(topic, [record]);
      });
    }
    return byTopic;
  }

  async function publish(byTopic: Map<string, EncodedRecord[]>, through: Pick<PublishSequence, 'publish'> = bus): Promise<number> {
    let count = 0;
    for (const [topic, records] of byTopic) {
      // An encoded record is already an outgoing message (its extra `topic` is not sent): no copy.
      const messages: readonly OutgoingMessage[] = records;
      await through.publish(topic, messages);
      metrics?.relayPublished.inc({ relay: name, topic }, messages.length);
      count += messages.length;
    }
    return count;
  }

  /** Runs one step of a batch, retrying until it succeeds, the relay stops, or attempts run out. */
  async function withRetry<T>(unpublished: readonly StoredEvent[] | (() => readonly StoredEvent[]), signal: AbortSignal, step: (attempt: number) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await step(attempt);
        if (state === 'retrying') state = 'running';
        lastError = undefined;
        return result;
      } catch (error) {
        lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        metrics?.relayFailures.inc({ relay: name });
        const events = typeof unpublished === 'function' ? unpublished() : unpublished;
        const first = events[0]?.globalPosition.toString();
        log.error({ relay: name, attempt, fromPosition: first, count: events.length, error: lastError }, 'relay could not publish a batch');
        if (signal.aborted || attempt >= maxAttempts) throw error;
        state = 'retrying';
        await sleep(backoffDelay(policy, attempt), signal).catch(() => undefined);
        if (signal.aborted) throw error;
      }
    }
  }

  /**
   * Publishes a round of events as consecutive batches of `batchSize`, each retried until it is
   * acknowledged (a batch already acknowledged is not sent again). Pipelined: while the broker
   * acknowledges batch k, batch k + 1 is mapped and encoded. Sends stay one after another, in
   * store order, so per-key order holds.
   */
  async function publishRound(events: readonly StoredEvent[], signal: AbortSignal): Promise<number> {
    const batches: StoredEvent[][] = [];
    for (let i = 0; i < events.length; i += batchSize) batches.push(events.slice(i, i + batchSize));
    if (bus.sequence) return publishRoundInSequence(batches, signal, bus.sequence.bind(bus));
    let published = 0;
    let next: Promise<Map<string, EncodedRecord[]>> | null = null;
    for (const [k, batch] of batches.entries()) {
      const prepared = next;
      next = null;
      published += await withRetry(batch, signal, async (attempt) => {
        // Mapping and encoding inside the retry: a mapping bug fixed by a redeploy is retried like an outage.
        const records = attempt === 1 && prepared ? await prepared : await recordsOf(batch);
        const sending = publish(records);
        const following = batches[k + 1];
        if (following && next === null) {
          next = recordsOf(following);
          next.catch(() => undefined); // observed when its batch is sent; a failure there is retried
        }
        return sending;
      });
    }
    return published;
  }

  /**
   * The same round over a bus that publishes off this thread (`MessageBus.sequence`): batch k + 1
   * is handed over as soon as it is encoded, while batch k still awaits its acknowledgement, so
   * the producer never waits for this thread between two sends. At most `SENDS_AHEAD` + 1 are
   * outstanding. A failure fences the rest of the sequence (nothing later is sent ahead of it);
   * the retry starts a new sequence at the first batch not acknowledged.
   */
  async function publishRoundInSequence(batches: readonly StoredEvent[][], signal: AbortSignal, newSequence: () => PublishSequence): Promise<number> {
    let acknowledged = 0;
    let published = 0;
    await withRetry(() => batches.slice(acknowledged).flat(), signal, async () => {
      const sequence = newSequence();
      const outstanding: Promise<number>[] = [];
      const settleOldest = async () => {
        published += await outstanding.shift()!;
        acknowledged += 1;
      };
      try {
        for (let k = acknowledged; k < batches.length; k++) {
          const sending = publish(await recordsOf(batches[k]!), sequence);
          sending.catch(() => undefined); // observed in order by settleOldest
          outstanding.push(sending);
          if (outstanding.length > SENDS_AHEAD) await settleOldest();
        }
        while (outstanding.length > 0) await settleOldest();
      } finally {
        // After a failure: count what was acknowledged, in order, up to the first that was not (a
        // mapping that failed leaves the batches before it sent), and let the rest settle (fenced),
        // so the retry's sequence starts behind all of it.
        while (outstanding.length > 0) {
          try {
            await settleOldest();
          } catch {
            break;
          }
        }
        await Promise.allSettled(outstanding);
      }
    });
    return published;
  }

  return {
    finished,
    start() {
      if (subscription) return;
      state = 'running';
      // The first round would otherwise wait for the producer's connection (end-to-end bench: the
      // first second's p99 several times the steady one). A failure here is the first publish's to report.
      bus.connect?.().catch(() => undefined);
      subscription = store.subscribeToAll({ subscriptionId: name, filter: options.filter, batchSize: readBatchSize, checkpointIntervalMs: options.checkpointIntervalMs, lingerMs: options.lingerMs }, async (events) => {
        await publishRound(events, stopping.signal);
        lastPosition = events[events.length - 1]?.globalPosition ?? lastPosition;
        if (lastPosition !== undefined) metrics?.relayPosition.set({ relay: name }, Number(lastPosition));
      });
      subscription.finished.then(
        () => {
          state = 'stopped';
          resolveFinished();
        },
        (error: unknown) => {
          state = stopping.signal.aborted ? 'stopped' : 'failed';
          lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          if (state === 'failed') log.error({ relay: name, error: lastError }, 'relay stopped after a failure; restart it to resume at its checkpoint');
          if (state === 'stopped') resolveFinished();
          else rejectFinished(error);
        },
      );
    },
    async stop() {
      stopping.abort(new Error('relay stopping'));
      await subscription?.stop();
      if (!subscription) state = 'stopped';
    },
    async caughtUp() {
      if (!subscription) throw new Error(`relay ${name} is not started`);
      await subscription.caughtUp();
    },
    status: () => ({ state, ...(lastError ? { lastError } : {}), ...(lastPosition !== undefined ? { lastPosition } : {}) }),
    async replayFrom(after: bigint) {
      const head = await store.headPosition();
      let cursor = after;
      let published = 0;
      while (cursor < head) {
        const events = (await store.readAll({ after: cursor, maxCount: readBatchSize, filter: options.filter })).filter((e) => e.globalPosition <= head);
        if (events.length === 0) break;
        published += await publishRound(events, stopping.signal);
        cursor = events[events.length - 1]!.globalPosition;
      }
      return { published, lastPosition: cursor };
    },
  };
}
