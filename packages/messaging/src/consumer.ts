/**
 * The consumer runner: turns a consumer group on the bus into calls of typed
 * integration-event handlers, with the guarantees a service needs:
 *
 * - Every record is decoded as a CloudEvent and validated against the
 *   contracts registry (then upcast to the current version). A record that
 *   cannot be read never reaches a handler and never stops the consumer: it
 *   goes to `<topic>.dlq` with the error and its original key, value and
 *   headers, and the partition moves on.
 * - A handler runs at most once per event and consumer: inside
 *   `ProcessedMessages.processOnce`, whose record commits with the effect.
 * - A failing handler is retried with capped exponential backoff (the
 *   partition waits: order is kept), then dead-lettered. Permanent errors
 *   (a rule or validation refusing the event) are dead-lettered at once;
 *   `UnavailableError` (a dependency down) never is: the message stays
 *   uncommitted and comes back until the dependency does.
 * - If even the dead-letter publish fails, the message is not committed: the
 *   bus redelivers it. Nothing is lost, nothing skipped silently.
 */
import { RuleViolation, UnavailableError, ValidationError } from '@govsvc/errors/errors';
import { deadLetterHeaders, type DeadLetterReason } from '@govsvc/contracts/dead-letter';
import { decodeFailureStage, decodeIntegrationEvent, type DecodedIntegrationEvent } from '@govsvc/contracts/envelope';
import type { CurrentIntegrationEvent, CurrentTypeName } from '@govsvc/contracts/registry';
import { deadLetterTopicOf } from '@govsvc/contracts/topics';
import type { BusSubscription, HandlerContext, IncomingMessage, MessageBus, OutgoingHeaders, SubscriptionHealth, TopicPartitions } from './bus.ts';
import type { MessagingMetrics } from './metrics.ts';
import type { ProcessedMessages } from './processed-messages.ts';
import { backoffDelay, sleep, type BackoffPolicy } from './timing.ts';

export interface ConsumerHandlerContext<Tx> {
  /** The transaction the processed-message record commits in: do the effect through it. */
  readonly tx: Tx;
  readonly message: IncomingMessage;
  /** 1 on the first try. */
  readonly attempt: number;
  /** Aborted when the consumer stops or loses the partition: give up, the message comes back. */
  readonly signal: AbortSignal;
}

export type IntegrationEventHandler<T extends CurrentTypeName, Tx> = (
  event: DecodedIntegrationEvent<Extract<CurrentIntegrationEvent, { type: T }>>,
  context: ConsumerHandlerContext<Tx>,
) => Promise<void>;

/** One handler per current event type the consumer cares about; other types are acknowledged and ignored. */
export type IntegrationEventHandlers<Tx> = { readonly [T in CurrentTypeName]?: IntegrationEventHandler<T, Tx> };

export interface RetryPolicy extends BackoffPolicy {
  /** Handler runs before dead-lettering (1 = no retry). */
  readonly maxAttempts: number;
}

export interface ConsumerLogger {
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

export interface IntegrationEventConsumerOptions<Tx> {
  readonly bus: MessageBus;
  /** Consumer group; also the consumer's name in the processed-message record. */
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handlers: IntegrationEventHandlers<Tx>;
  readonly processed: ProcessedMessages<Tx>;
  readonly retry?: Partial<RetryPolicy>;
  /** Errors not worth retrying; default: ValidationError and RuleViolation (the event itself is refused). */
  readonly isPermanent?: (error: unknown) => boolean;
  /** Where a new group starts: all retained messages (default) or only new ones. */
  readonly fromBeginning?: boolean;
  /**
   * Messages of different keys (cases) in one partition handled at once (default
   * `DEFAULT_KEY_CONCURRENCY`); one case's messages stay one at a time, in order. 1 restores
   * strict partition order. Handlers are idempotent (the processed record), so the redelivery
   * of other keys' messages after a failure has no second effect.
   */
  readonly keyConcurrency?: number;
  readonly metrics?: MessagingMetrics;
  readonly log?: ConsumerLogger;
}

export interface IntegrationEventConsumer {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Creates the dead-letter topics if needed and joins the group. */
  start(): Promise<void>;
  /** Partitions this member owns now (empty before start or after stop). */
  assignment(): readonly TopicPartitions[];
  /** The subscription's health (`stopped` before start and after stop); a crashed member rejoins by itself. */
  health(): SubscriptionHealth;
  /**
   * A readiness probe (the shape of service-kit's `ReadinessCheck`): fails while the consumer is
   * started but not consuming (crashed and rejoining, or its start failed), so the instance is taken
   * out of rotation instead of serving HTTP on data that no longer advances. Passes before `start`.
   */
  readinessCheck(name?: string): { readonly name: string; check(): Promise<void> };
  stop(): Promise<void>;
}

const defaultRetry: RetryPolicy = { maxAttempts: 5, initialDelayMs: 200, maxDelayMs: 10_000, factor: 2 };

const defaultIsPermanent = (error: unknown): boolean =>
  error instanceof ValidationError || error instanceof RuleViolation;

const consoleLogger: ConsumerLogger = {
  warn: (details, message) => console.warn(message, details),
  error: (details, message) => console.error(message, details),
};

const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The processed-message key: CloudEvents ids are unique per source, so the pair identifies an event. */
export const processedKeyOf = (event: { readonly id: string; readonly source: string }): string => `${event.source}#${event.id}`;

/**
 * Cases handled at once per partition. A partition carries many cases, and a case's handler mostly
 * waits on its store's group commit: with several in flight, their appends share commits, and one
 * case retrying with backoff no longer holds up the others behind it.
 */
export const DEFAULT_KEY_CONCURRENCY = 16;

class Aborted extends Error {}

export function createIntegrationEventConsumer<Tx>(options: IntegrationEventConsumerOptions<Tx>): IntegrationEventConsumer {
  const retry: RetryPolicy = { ...defaultRetry, ...options.retry };
  const isPermanent = options.isPermanent ?? defaultIsPermanent;
  const log = options.log ?? consoleLogger;
  const { bus, groupId, metrics } = options;
  let subscription: BusSubscription | undefined;
  let starting = false;

  async function deadLetter(message: IncomingMessage, reason: DeadLetterReason, error: unknown, attempts: number): Promise<void> {
    const issues = error instanceof ValidationError ? error.issues : undefined;
    const headers: Record<string, string | Buffer | readonly (string | Buffer)[]> = { ...message.headers };
    headers[deadLetterHeaders.reason] = reason;
    headers[deadLetterHeaders.error] = truncate(error instanceof Error ? `${error.name}: ${error.message}` : String(error), 2_000);
    if (issues) headers[deadLetterHeaders.issues] = truncate(JSON.stringify(issues), 8_000);
    headers[deadLetterHeaders.originalTopic] = message.topic;
    headers[deadLetterHeaders.originalPartition] = String(message.partition);
    headers[deadLetterHeaders.originalOffset] = message.offset.toString();
    headers[deadLetterHeaders.consumerGroup] = groupId;
    headers[deadLetterHeaders.attempts] = String(attempts);
    headers[deadLetterHeaders.failedAt] = new Date().toISOString();
    // Throws when the broker is down: the message stays uncommitted and comes back.
    await bus.publish(deadLetterTopicOf(message.topic), [{ key: message.key, value: message.value, headers: headers as OutgoingHeaders }]);
    metrics?.deadLetters.inc({ group: groupId, topic: message.topic, reason });
    metrics?.consumed.inc({ group: groupId, topic: message.topic, outcome: 'dead-lettered' });
    log.warn(
      { group: groupId, topic: message.topic, partition: message.partition, offset: message.offset.toString(), reason, attempts, error: headers[deadLetterHeaders.error], issues },
      'message dead-lettered',
    );
  }

  async function handle(message: IncomingMessage, context: HandlerContext): Promise<void> {
    let event: DecodedIntegrationEvent;
    try {
      event = decodeIntegrationEvent(message);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const stage = decodeFailureStage(error);
      await deadLetter(message, stage === 'type' ? 'unknown-type' : stage === 'data' ? 'invalid-data' : 'malformed', error, 0);
      return;
    }

    const handler = options.handlers[event.type] as IntegrationEventHandler<CurrentTypeName, Tx> | undefined;
    if (!handler) {
      metrics?.consumed.inc({ group: groupId, topic: message.topic, outcome: 'ignored' });
      return;
    }
    const key = processedKeyOf(event);
    if (await options.processed.wasProcessed(groupId, key)) {
      metrics?.consumed.inc({ group: groupId, topic: message.topic, outcome: 'duplicate' });
      return;
    }

    for (let attempt = 1; ; attempt++) {
      if (context.signal.aborted) throw new Aborted('consumer stopping');
      try {
        const outcome = await options.processed.processOnce(groupId, key, (tx) =>
          handler(event as never, { tx, message, attempt, signal: context.signal }),
        );
        metrics?.consumed.inc({ group: groupId, topic: message.topic, outcome });
        return;
      } catch (error) {
        // Stopping mid-way is not the handler's fault: leave the message uncommitted for the next owner.
        if (context.signal.aborted) throw error;
        if (isPermanent(error)) {
          await deadLetter(message, 'handler-failed', error, attempt);
          return;
        }
        if (attempt >= retry.maxAttempts) {
          // A dependency that is down (our own database, a department's API) is no reason to
          // throw a valid event away: leave it uncommitted, the bus brings it back after a pause,
          // and the partition waits in order until the dependency is back.
          if (error instanceof UnavailableError) {
            log.warn({ group: groupId, topic: message.topic, partition: message.partition, offset: message.offset.toString(), error: String(error) }, 'dependency unavailable: message kept for redelivery');
            throw error;
          }
          await deadLetter(message, 'handler-failed', error, attempt);
          return;
        }
        metrics?.handlerRetries.inc({ group: groupId, topic: message.topic });
        await waitWithHeartbeats(backoffDelay(retry, attempt), context);
      }
    }
  }

  /** Sleeps in slices, heartbeating, so a long backoff neither expires the session nor misses a rebalance. */
  async function waitWithHeartbeats(ms: number, context: HandlerContext): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      await sleep(Math.min(500, until - Date.now()), context.signal);
      await context.heartbeat();
    }
  }

  return {
    groupId,
    topics: options.topics,
    async start() {
      if (subscription) return;
      starting = true;
      await bus.ensureTopics(options.topics.map((topic) => ({ topic: deadLetterTopicOf(topic), partitions: 1 })));
      subscription = await bus.subscribe({
        groupId,
        topics: options.topics,
        fromBeginning: options.fromBeginning ?? true,
        handler: handle,
        keyConcurrency: options.keyConcurrency ?? DEFAULT_KEY_CONCURRENCY,
      });
    },
    assignment: () => subscription?.assignment() ?? [],
    health: () => subscription?.health() ?? { state: 'stopped', restarts: 0 },
    readinessCheck: (name = `consumer:${groupId}`) => ({
      name,
      check: async () => {
        if (!starting) return;
        const health = subscription?.health();
        if (health?.state === 'consuming') return;
        throw new UnavailableError(`consumer group ${groupId} is ${health?.state ?? 'not joined yet'}${health?.lastError ? `: ${health.lastError}` : ''}`);
      },
    }),
    async stop() {
      const running = subscription;
      subscription = undefined;
      starting = false;
      await running?.stop();
    },
  };
}
