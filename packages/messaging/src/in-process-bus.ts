/**
 * The message bus inside one process, for the standalone mode: per-topic
 * partitioned logs, consumer groups with committed offsets, the same
 * delivery semantics as Kafka (see bus.ts) and the same contract suite.
 * Nothing survives a restart: the event store is the truth and the relay
 * republishes from its checkpoint, as it would to an emptied Kafka.
 *
 * Each (group, partition) has one delivery loop, so a partition is handled
 * in order (one key at a time, or several keys at once with `keyConcurrency`,
 * as the Kafka adapter does) while partitions proceed concurrently, as with
 * Kafka's `partitionsConsumedConcurrently`.
 */
import { UnavailableError, ValidationError } from '@govsvc/errors/errors';
import type {
  BusSubscription,
  HandlerContext,
  IncomingHeaders,
  IncomingMessage,
  MessageBus,
  OutgoingHeaders,
  OutgoingMessage,
  PartitionLag,
  SubscribeOptions,
  TopicPartitions,
  TopicSpec,
} from './bus.ts';
import { handleInKeyLanes, laneOfKey } from './key-lanes.ts';
import { sleep } from './timing.ts';

export interface InProcessBusOptions {
  /** Pause before a failed message is delivered again. */
  readonly redeliveryDelayMs?: number;
  /**
   * Messages every interested group has consumed are dropped, keeping at least this many of the
   * newest per partition: a long-running standalone process stays flat in memory while its
   * consumers keep up, and never drops what a group has not consumed yet.
   */
  readonly retainConsumed?: number;
}

export interface InProcessBus extends MessageBus {
  /** Messages still held for a topic, over all partitions (for tests and diagnostics). */
  retained(topic: string): number;
}

/** Messages one delivery round takes from a partition at most (Kafka's fetch is bounded too). */
const MAX_BATCH = 500;

interface Entry {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IncomingHeaders;
  readonly timestamp: Date;
}

/** A partition's log; offsets are absolute: `entries[i]` has offset `start + i`. */
interface PartitionLog {
  start: number;
  entries: Entry[];
}

interface Topic {
  readonly partitions: PartitionLog[];
  /** Round-robin cursor for messages without a key. */
  next: number;
}

interface Member {
  readonly id: number;
  readonly topics: ReadonlySet<string>;
  readonly fromBeginning: boolean;
  readonly handler: SubscribeOptions['handler'];
  readonly keyConcurrency: number;
  readonly abort: AbortController;
  readonly inFlight: Set<Promise<void>>;
}

interface Group {
  readonly id: string;
  members: Member[];
  /** `${topic}\u0000${partition}` → next offset to consume. */
  readonly committed: Map<string, number>;
  /** Topics any member ever subscribed to: the group's commits hold back their retention. */
  readonly interests: Set<string>;
  readonly loops: Map<string, Promise<void>>;
}

const toBuffer = (value: string | Buffer): Buffer => (typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value));

function copyHeaders(headers: OutgoingHeaders | undefined): IncomingHeaders {
  const copy: Record<string, Buffer | Buffer[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    copy[name] = Array.isArray(value) ? value.map(toBuffer) : toBuffer(value as string | Buffer);
  }
  return copy;
}

/** FNV-1a: stable and cheap. Partition numbers differ from Kafka's murmur2; only "same key, same partition" matters here. */
function hashKey(key: Buffer): number {
  let hash = 0x811c9dc5;
  for (const byte of key) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const slot = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export function createInProcessBus(options: InProcessBusOptions = {}): InProcessBus {
  const redeliveryDelayMs = options.redeliveryDelayMs ?? 100;
  const retainConsumed = options.retainConsumed ?? 10_000;
  const topics = new Map<string, Topic>();
  const groups = new Map<string, Group>();
  /** Wakes delivery loops: on publish, on membership change, on close. */
  let wakeAll: () => void = () => undefined;
  let wakeSignal = new Promise<void>((resolve) => (wakeAll = resolve));
  let nextMemberId = 1;
  let closed = false;

  const wake = () => {
    const resolve = wakeAll;
    wakeSignal = new Promise<void>((r) => (wakeAll = r));
    resolve();
  };

  const topicOrThrow = (name: string): Topic => {
    const topic = topics.get(name);
    if (!topic) throw new ValidationError(`unknown topic ${name}`, [{ path: '/topic', reason: `topic ${name} does not exist: create it with ensureTopics` }]);
    return topic;
  };

  const assertOpen = () => {
    if (closed) throw new UnavailableError('the in-process bus is closed');
  };

  /**
   * Round-robin over the group's partitions in a stable order, among the members
   * subscribed to each topic, in join order: each partition has exactly one owner.
   */
  function ownerOf(group: Group, topic: string, partition: number): Member | undefined {
    const eligible = group.members.filter((m) => m.topics.has(topic) && !m.abort.signal.aborted);
    if (eligible.length === 0) return undefined;
    const all = [...new Set(group.members.flatMap((m) => [...m.topics]))].sort();
    let index = 0;
    for (const name of all) {
      if (name === topic) return eligible[(index + partition) % eligible.length];
      index += topics.get(name)?.partitions.length ?? 0;
    }
    return undefined;
  }

  function assignmentOf(group: Group, member: Member): TopicPartitions[] {
    return [...member.topics].sort().map((topic) => ({
      topic,
      partitions: (topics.get(topic)?.partitions ?? []).map((_, p) => p).filter((p) => ownerOf(group, topic, p) === member),
    }));
  }

  /** One loop per (group, topic, partition): delivers in order to the current owner, commits on success. */
  async function deliveryLoop(group: Group, topicName: string, partition: number): Promise<void> {
    const key = slot(topicName, partition);
    const log = topicOrThrow(topicName).partitions[partition]!;
    let position: number | undefined = group.committed.get(key);
    for (;;) {
      const signal = wakeSignal;
      const owner = ownerOf(group, topicName, partition);
      if (closed || !owner) return;
      if (position === undefined) {
        // A group that never committed starts where it asks (Kafka's auto.offset.reset). The start is
        // committed at once, so retention keeps what it has yet to see, and a restart resumes there.
        position = owner.fromBeginning ? log.start : log.start + log.entries.length;
        group.committed.set(key, position);
      }
      // Trimmed away (only possible for offsets every group had consumed): continue at the log start.
      position = Math.max(position, log.start);
      if (position >= log.start + log.entries.length) {
        await signal;
        continue;
      }
      // What is there now, up to a bound: handled in key lanes (key-lanes.ts), committed as its handled prefix grows.
      const from = position;
      const batch = log.entries.slice(from - log.start, from - log.start + MAX_BATCH);
      const context: HandlerContext = { heartbeat: async () => undefined, signal: owner.abort.signal };
      const outcome = await handleInKeyLanes(
        batch.map((entry, i) => ({ topic: topicName, partition, offset: BigInt(from + i), ...entry }) satisfies IncomingMessage),
        {
          concurrency: owner.keyConcurrency,
          keyOf: laneOfKey,
          shouldContinue: () => !closed && !owner.abort.signal.aborted && ownerOf(group, topicName, partition) === owner,
          handle: (message) => {
            const delivery = owner.handler(message, context);
            const settled = delivery.then(
              () => undefined,
              () => undefined,
            );
            owner.inFlight.add(settled);
            void settled.then(() => owner.inFlight.delete(settled));
            return delivery;
          },
          onProgress: (prefix) => {
            position = from + prefix;
            group.committed.set(key, position);
            trim(topicName, partition);
          },
        },
      );
      // Not committed: from the first message not handled again, after a pause, to whoever owns the partition then.
      if (outcome.failure) await Promise.race([sleep(redeliveryDelayMs), closedSignal]);
    }
  }

  let markClosed: () => void = () => undefined;
  const closedSignal = new Promise<void>((resolve) => (markClosed = resolve));

  /** Drops what every group interested in the topic has consumed, keeping the newest `retainConsumed`. */
  function trim(topicName: string, partition: number) {
    const log = topics.get(topicName)?.partitions[partition];
    if (!log) return;
    let floor = log.start + Math.max(0, log.entries.length - retainConsumed);
    for (const group of groups.values()) {
      if (!group.interests.has(topicName)) continue;
      floor = Math.min(floor, group.committed.get(slot(topicName, partition)) ?? log.start);
    }
    // Trim in steps, not per message: splicing the array head is O(n).
    if (floor - log.start >= Math.max(1, Math.min(1_000, retainConsumed))) {
      log.entries = log.entries.slice(floor - log.start);
      log.start = floor;
    }
  }

  function ensureLoops(group: Group) {
    for (const member of group.members) {
      for (const topic of member.topics) {
        topicOrThrow(topic).partitions.forEach((_, partition) => {
          const key = slot(topic, partition);
          if (group.loops.has(key)) return;
          const loop = deliveryLoop(group, topic, partition).finally(() => group.loops.delete(key));
          group.loops.set(key, loop);
        });
      }
    }
  }

  return {
    async ensureTopics(specs: readonly TopicSpec[]) {
      assertOpen();
      for (const spec of specs) {
        if (!Number.isInteger(spec.partitions) || spec.partitions < 1) {
          throw new ValidationError('invalid partition count', [{ path: '/partitions', reason: `must be a positive integer, got ${spec.partitions}` }]);
        }
        if (!topics.has(spec.topic)) topics.set(spec.topic, { partitions: Array.from({ length: spec.partitions }, () => ({ start: 0, entries: [] })), next: 0 });
      }
    },

    async publish(topicName: string, messages: readonly OutgoingMessage[]) {
      assertOpen();
      const topic = topicOrThrow(topicName);
      const timestamp = new Date();
      for (const message of messages) {
        const key = message.key === null ? null : toBuffer(message.key);
        const partition = key === null ? topic.next++ % topic.partitions.length : hashKey(key) % topic.partitions.length;
        topic.partitions[partition]!.entries.push({
          key,
          value: message.value === null ? null : toBuffer(message.value),
          headers: copyHeaders(message.headers),
          timestamp,
        });
      }
      wake();
    },

    async subscribe(subscribeOptions: SubscribeOptions): Promise<BusSubscription> {
      assertOpen();
      for (const topic of subscribeOptions.topics) topicOrThrow(topic);
      let group = groups.get(subscribeOptions.groupId);
      if (!group) {
        group = { id: subscribeOptions.groupId, members: [], committed: new Map(), loops: new Map(), interests: new Set() };
        groups.set(group.id, group);
      }
      for (const topic of subscribeOptions.topics) group.interests.add(topic);
      const member: Member = {
        id: nextMemberId++,
        topics: new Set(subscribeOptions.topics),
        fromBeginning: subscribeOptions.fromBeginning ?? false,
        handler: subscribeOptions.handler,
        keyConcurrency: subscribeOptions.keyConcurrency ?? 1,
        abort: new AbortController(),
        inFlight: new Set(),
      };
      const joined = group;
      joined.members = [...joined.members, member];
      ensureLoops(joined);
      wake();
      return {
        assignment: () => (member.abort.signal.aborted ? [] : assignmentOf(joined, member)),
        // In-process delivery loops cannot be thrown out of their group: consuming until stopped.
        health: () => ({ state: member.abort.signal.aborted ? 'stopped' : 'consuming', restarts: 0 }),
        async stop() {
          if (member.abort.signal.aborted) return;
          member.abort.abort(new Error('subscription stopped'));
          joined.members = joined.members.filter((m) => m !== member);
          wake();
          await Promise.all(member.inFlight);
        },
      };
    },

    async consumerLag(groupId: string, topicNames: readonly string[]): Promise<PartitionLag[]> {
      const group = groups.get(groupId);
      return topicNames.flatMap((name) =>
        topicOrThrow(name).partitions.map((log, partition) => {
          const committed = group?.committed.get(slot(name, partition));
          const endOffset = BigInt(log.start + log.entries.length);
          return {
            topic: name,
            partition,
            committedOffset: committed === undefined ? null : BigInt(committed),
            endOffset,
            lag: endOffset - BigInt(Math.max(committed ?? log.start, log.start)),
          };
        }),
      );
    },

    retained: (name: string) => topicOrThrow(name).partitions.reduce((n, log) => n + log.entries.length, 0),

    async close() {
      if (closed) return;
      closed = true;
      const all = [...groups.values()];
      for (const group of all) for (const member of group.members) member.abort.abort(new Error('bus closed'));
      markClosed();
      wake();
      await Promise.all(all.flatMap((g) => [...g.loops.values(), ...g.members.flatMap((m) => [...m.inFlight])]));
    },
  };
}
