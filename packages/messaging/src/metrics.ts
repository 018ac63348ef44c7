/**
 * Prometheus metrics of the relay and the consumers (prom-client). Metrics
 * live in the registry the service passes in (the service kit exposes it on
 * /metrics); asking twice for the same registry returns the same metrics, so
 * several consumers of one service share them.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { MessageBus } from './bus.ts';

export interface MessagingMetrics {
  /** outcome: processed | duplicate | ignored (no handler for the type) | dead-lettered */
  readonly consumed: Counter<'group' | 'topic' | 'outcome'>;
  readonly handlerRetries: Counter<'group' | 'topic'>;
  readonly deadLetters: Counter<'group' | 'topic' | 'reason'>;
  readonly relayPublished: Counter<'relay' | 'topic'>;
  readonly relayFailures: Counter<'relay'>;
  /** Global position of the last event the relay published (its checkpoint follows). */
  readonly relayPosition: Gauge<'relay'>;
}

function reuse<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export function createMessagingMetrics(registry: Registry): MessagingMetrics {
  const registers = [registry];
  return {
    consumed: reuse(registry, 'govsvc_messaging_consumed_total', () =>
      new Counter({ name: 'govsvc_messaging_consumed_total', help: 'Messages a consumer finished with, by outcome.', labelNames: ['group', 'topic', 'outcome'] as const, registers }),
    ),
    handlerRetries: reuse(registry, 'govsvc_messaging_handler_retries_total', () =>
      new Counter({ name: 'govsvc_messaging_handler_retries_total', help: 'Handler attempts that failed and were retried.', labelNames: ['group', 'topic'] as const, registers }),
    ),
    deadLetters: reuse(registry, 'govsvc_messaging_dead_letters_total', () =>
      new Counter({ name: 'govsvc_messaging_dead_letters_total', help: 'Messages sent to a dead-letter topic, by reason.', labelNames: ['group', 'topic', 'reason'] as const, registers }),
    ),
    relayPublished: reuse(registry, 'govsvc_relay_published_total', () =>
      new Counter({ name: 'govsvc_relay_published_total', help: 'Integration events the relay published (acknowledged by the broker).', labelNames: ['relay', 'topic'] as const, registers }),
    ),
    relayFailures: reuse(registry, 'govsvc_relay_failures_total', () =>
      new Counter({ name: 'govsvc_relay_failures_total', help: 'Relay batches that failed to publish and were retried.', labelNames: ['relay'] as const, registers }),
    ),
    relayPosition: reuse(registry, 'govsvc_relay_position', () =>
      new Gauge({ name: 'govsvc_relay_position', help: 'Global position of the last event the relay handled.', labelNames: ['relay'] as const, registers }),
    ),
  };
}

export interface WatchedGroup {
  readonly groupId: string;
  readonly topics: readonly string[];
}

/**
 * `govsvc_consumer_lag{group,topic,partition}`: the broker's end offset minus the
 * group's committed offset, read from the broker (admin offsets) at scrape time, so
 * it shows lag even when the consumer is down, which is when it matters most.
 */
export function registerConsumerLagGauge(registry: Registry, bus: MessageBus, groups: () => readonly WatchedGroup[]): Gauge<'group' | 'topic' | 'partition'> {
  const errors = reuse(registry, 'govsvc_consumer_lag_read_errors_total', () =>
    new Counter({ name: 'govsvc_consumer_lag_read_errors_total', help: 'Scrapes that could not read a group’s lag from the broker.', labelNames: ['group'] as const, registers: [registry] }),
  );
  return reuse(registry, 'govsvc_consumer_lag', () =>
    new Gauge({
      name: 'govsvc_consumer_lag',
      help: 'Messages published but not yet consumed, per consumer group and partition.',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const { groupId, topics } of groups()) {
          try {
            for (const p of await bus.consumerLag(groupId, topics)) {
              this.set({ group: groupId, topic: p.topic, partition: String(p.partition) }, Number(p.lag));
            }
          } catch {
            errors.inc({ group: groupId });
          }
        }
      },
    }),
  );
}
