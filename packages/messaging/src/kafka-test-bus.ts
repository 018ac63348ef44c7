/**
 * A Kafka bus tuned for tests against the real broker: short session and
 * fetch waits so joins, rebalances and redeliveries take milliseconds, and
 * kafkajs' routine rebalance chatter kept out of the output.
 */
import { resolveComponent } from '@govsvc/testkit/infra';
import type { MessageBus } from './bus.ts';
import { createKafkaBus, isRoutineKafkaLog, type BusLogger } from './kafka-bus.ts';

/** Keeps real errors only: tests rebalance and re-create topics all the time. */
const quiet: BusLogger = (level, message, extra) => {
  if (level === 'error' && !isRoutineKafkaLog(message, extra)) console.warn(`[kafka] ${message}`, extra);
};

export async function createTestKafkaBus(clientId: string): Promise<MessageBus> {
  return createKafkaBus({
    brokers: await resolveComponent('kafka'),
    clientId,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 300,
    rebalanceTimeoutMs: 6_000,
    maxWaitTimeInMs: 50,
    redeliveryDelayMs: 50,
    producerRetries: 5,
    log: quiet,
    logLevel: 'error',
  });
}
