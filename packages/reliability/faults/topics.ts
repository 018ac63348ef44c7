/**
 * The harness's own reads and writes on the run's broker, through the bus
 * port of `@govsvc/messaging` (the only Kafka client of the product): a topic
 * read to its end by a throw-away group (re-sent messages, dead letters), the
 * lag of the services' groups (every subscriber consumed everything), and raw
 * records published into a consumed topic (poison) or as contracts (the
 * deadline storm).
 */
import { randomUUID } from 'node:crypto';
import { headerText, type IncomingMessage, type OutgoingMessage } from '@govsvc/messaging/bus';
import { createKafkaBus } from '@govsvc/messaging/kafka-bus';

export const topicOf = (producer: string): string => `govsvc.${producer}.events.v1`;
export const deadLetterTopicOf = (topic: string): string => `${topic}.dlq`;

/** Each service's consumer group and the topics it subscribes to (the services' CONSUMED_TOPICS). */
export const CONSUMER_GROUPS: Readonly<Record<string, readonly string[]>> = {
  intake: ['catalog', 'supervision', 'courier'].map(topicOf),
  review: ['catalog', 'intake', 'supervision', 'department'].map(topicOf),
  delivery: ['intake', 'review', 'courier'].map(topicOf),
  courier: ['delivery', 'intake'].map(topicOf),
  evaluation: ['intake', 'review', 'delivery'].map(topicOf),
  supervision: ['catalog', 'intake', 'review', 'delivery', 'evaluation'].map(topicOf),
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every record of the topic, read by a fresh group from the beginning until its lag is zero. */
export async function readTopic(brokers: string, topic: string, timeoutMs = 60_000): Promise<IncomingMessage[]> {
  const bus = createKafkaBus({ brokers, clientId: 'govsvc-faults-reader', maxWaitTimeInMs: 100 });
  const groupId = `faults-reader-${randomUUID()}`;
  const seen: IncomingMessage[] = [];
  try {
    await bus.subscribe({ groupId, topics: [topic], fromBeginning: true, handler: async (message) => void seen.push(message) });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lag = await bus.consumerLag(groupId, [topic]);
      const end = lag.reduce((n, p) => n + p.endOffset, 0n);
      if (BigInt(seen.length) >= end || lag.every((p) => p.lag === 0n && p.committedOffset !== null)) break;
      if (Date.now() > deadline) throw new Error(`reading ${topic}: ${seen.length} of ${end} records after ${timeoutMs / 1000} s`);
      await sleep(250);
    }
  } finally {
    await bus.close();
  }
  return seen;
}

/** How far each service's group is behind on its topics (0 everywhere: every subscriber consumed every record). */
export async function groupLags(brokers: string): Promise<{ group: string; lag: bigint; behind: string[] }[]> {
  const bus = createKafkaBus({ brokers, clientId: 'govsvc-faults-lag' });
  try {
    const result: { group: string; lag: bigint; behind: string[] }[] = [];
    for (const [group, topics] of Object.entries(CONSUMER_GROUPS)) {
      const lags = await bus.consumerLag(group, topics);
      const behind = lags.filter((p) => p.lag > 0n).map((p) => `${p.topic}[${p.partition}] ${p.lag} behind`);
      result.push({ group, lag: lags.reduce((n, p) => n + p.lag, 0n), behind });
    }
    return result;
  } finally {
    await bus.close();
  }
}

/** Resolves as soon as the topic's end offsets (summed over partitions) pass `beyond`: the broker acked a publish. */
export async function waitForAck(brokers: string, topic: string, beyond: bigint, timeoutMs = 30_000): Promise<bigint> {
  const bus = createKafkaBus({ brokers, clientId: 'govsvc-faults-watch' });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = (await bus.consumerLag('faults-watch-none', [topic])).reduce((n, p) => n + p.endOffset, 0n);
      if (end > beyond) return end;
      if (Date.now() > deadline) throw new Error(`no publish to ${topic} within ${timeoutMs / 1000} s`);
      await sleep(20);
    }
  } finally {
    await bus.close();
  }
}

/** The topic's end offsets summed over partitions. */
export async function endOffset(brokers: string, topic: string): Promise<bigint> {
  const bus = createKafkaBus({ brokers, clientId: 'govsvc-faults-watch' });
  try {
    return (await bus.consumerLag('faults-watch-none', [topic])).reduce((n, p) => n + p.endOffset, 0n);
  } finally {
    await bus.close();
  }
}

export async function publishRaw(brokers: string, topic: string, messages: readonly OutgoingMessage[], chunk = 500): Promise<void> {
  const bus = createKafkaBus({ brokers, clientId: 'govsvc-faults-writer' });
  try {
    for (let i = 0; i < messages.length; i += chunk) await bus.publish(topic, messages.slice(i, i + chunk));
  } finally {
    await bus.close();
  }
}

/** Records whose CloudEvents id appears more than once: what a relay killed between ack and checkpoint re-sends. */
export function resent(records: readonly IncomingMessage[]): number {
  const ids = new Map<string, number>();
  for (const r of records) {
    const id = headerText(r.headers, 'ce_id');
    if (id !== undefined) ids.set(id, (ids.get(id) ?? 0) + 1);
  }
  return [...ids.values()].reduce((n, count) => n + count - 1, 0);
}

/** Binary-mode CloudEvent headers (the Kafka binding, as `@govsvc/contracts/envelope` writes them). */
export function contractRecord(input: { type: string; producer: string; key: string; id: string; time: string; data: unknown }): OutgoingMessage {
  return {
    key: input.key,
    value: JSON.stringify(input.data),
    headers: {
      'content-type': 'application/json',
      ce_specversion: '1.0',
      ce_id: input.id,
      ce_source: `/govsvc/${input.producer}`,
      ce_type: input.type,
      ce_subject: input.key,
      ce_time: input.time,
      ce_dataschema: `urn:govsvc:events:${input.type}`,
      ce_correlationid: input.id,
    },
  };
}
