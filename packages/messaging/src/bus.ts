/**
 * The message bus port: what the relay and the consumer runner need from a
 * log-based broker, and no more. Two adapters keep the same semantics and
 * pass the same contract suite (`bus-contract.ts`): Kafka (`kafka-bus.ts`)
 * and an in-process log for the standalone mode (`in-process-bus.ts`).
 *
 * Semantics (Kafka's, which the in-process bus copies):
 * - A topic has N partitions; a message's key picks its partition, so
 *   messages with one key stay in publish order.
 * - `publish` resolves once every message is durably acknowledged.
 * - A consumer group gets every message once across its members (each
 *   partition has one owner at a time); every group gets every message.
 * - A message counts as consumed when its handler resolves; the group's
 *   committed offset then moves past it. A handler that rejects gets the same
 *   message again (after a short delay) and nothing of its key after it is
 *   delivered before it succeeds: failures never reorder a key. By default a
 *   partition's messages are handled one at a time; with `keyConcurrency`,
 *   messages of different keys in one partition run at once (each key still
 *   one at a time, in order), and after a failure the messages of other keys
 *   that finished behind it are delivered again (key-lanes.ts).
 * - Delivery is at least once: a crash or rebalance can redeliver messages
 *   whose handler ran but whose offset was not yet committed.
 */

/** Outgoing header values; Kafka headers are bytes, strings are sent as UTF-8. */
export type OutgoingHeaders = Readonly<Record<string, string | Buffer | readonly (string | Buffer)[]>>;
/** Incoming header values as bytes, unchanged (a repeated header arrives as an array). */
export type IncomingHeaders = Readonly<Record<string, Buffer | readonly Buffer[]>>;

export interface OutgoingMessage {
  /** Partition key; `null` spreads messages over partitions (no ordering). */
  readonly key: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers?: OutgoingHeaders;
}

export interface IncomingMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IncomingHeaders;
  /** Broker timestamp (create time). */
  readonly timestamp: Date;
}

export interface HandlerContext {
  /** Tells the group coordinator this member is alive; call it during long work (retries, backoff). */
  heartbeat(): Promise<void>;
  /** Aborted when the subscription stops: give up and reject, the message will be redelivered. */
  readonly signal: AbortSignal;
}

export type MessageHandler = (message: IncomingMessage, context: HandlerContext) => Promise<void>;

export interface SubscribeOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where a group with no committed offset starts: the oldest message (true) or new ones only (false, default). */
  readonly fromBeginning?: boolean;
  readonly handler: MessageHandler;
  /**
   * Messages of one partition handled at once, each of a different key (default 1: one at a time,
   * in partition order). Handlers must then be idempotent across keys: a failure redelivers the
   * messages of other keys that had finished behind the failed one.
   */
  readonly keyConcurrency?: number;
}

export interface TopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

/**
 * Whether a subscription is consuming. A member can be thrown out of its group (a missed
 * heartbeat under CPU starvation: "the coordinator is not aware of this member") or lose
 * its broker; the adapter then rejoins with backoff by itself, and says so here so the
 * service can report not-ready meanwhile instead of serving HTTP while consuming nothing.
 */
export interface SubscriptionHealth {
  /** `consuming`: a member of the group with its assignment; `restarting`: crashed, rejoining with backoff; `stopped`: by `stop()`. */
  readonly state: 'consuming' | 'restarting' | 'stopped';
  /** Restarts after crashes since subscribe. */
  readonly restarts: number;
  /** The last crash's message, while restarting (internal: for logs, not for public answers). */
  readonly lastError?: string;
}

export interface BusSubscription {
  /** Partitions this member owns now (changes on rebalance). */
  assignment(): readonly TopicPartitions[];
  health(): SubscriptionHealth;
  /** Leaves the group after the running handlers settle; their messages are redelivered if they did not finish. */
  stop(): Promise<void>;
}

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  /** Topic configuration, e.g. `{ 'cleanup.policy': 'compact' }`. */
  readonly config?: Readonly<Record<string, string>>;
}

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** Next offset the group will read (its committed offset); null when it never committed. */
  readonly committedOffset: bigint | null;
  /** Offset the next published message will get (high watermark). */
  readonly endOffset: bigint;
  /** Messages published but not yet consumed by the group (from the log start when it never committed). */
  readonly lag: bigint;
}

export interface MessageBus {
  /** Creates the topics that do not exist yet; existing ones are left as they are. */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /** Appends the messages to the topic; resolves once all are acknowledged (Kafka: acks=all). */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  /**
   * A publishing sequence (optional): its publishes go out in call order, a later one while an
   * earlier one still awaits its acknowledgement, and once one of them fails every later one of
   * the same sequence fails unsent. So a caller may have several batches in flight and, after a
   * failure, retry from the first failed one on a new sequence without a later batch ever landing
   * ahead of an earlier one (per-key order holds). Adapters whose publishing shares the caller's
   * thread gain nothing from it and leave it out.
   */
  sequence?(): PublishSequence;
  /**
   * Opens the publishing side ahead of the first `publish` (optional; `publish` connects by itself
   * otherwise). A relay calls it on start, so its first events after a deploy do not also wait for
   * the producer's connection, metadata and producer id.
   */
  connect?(): Promise<void>;
  /**
   * Joins the consumer group; resolves once this member has its first assignment and its
   * start positions are fixed (a message published after that reaches a `fromBeginning: false` group).
   */
  subscribe(options: SubscribeOptions): Promise<BusSubscription>;
  /** Per-partition lag of a group on the given topics. */
  consumerLag(groupId: string, topics: readonly string[]): Promise<PartitionLag[]>;
  /** Stops every subscription of this bus and releases its connections. */
  close(): Promise<void>;
}

/** See `MessageBus.sequence`. */
export interface PublishSequence {
  /** As `MessageBus.publish`, after every earlier publish of this sequence; rejects unsent once one of those failed. */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
}

/** A header value as text (the last one when repeated), or undefined. */
export function headerText(headers: IncomingHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  const last = Array.isArray(value) ? value[value.length - 1] : (value as Buffer);
  return last?.toString('utf8');
}
