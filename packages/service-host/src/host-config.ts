/**
 * The variables every service process reads the same way, so one run of the
 * whole system is configured once (`services/standalone/src/distributed.ts`,
 * docker-compose.yml) rather than in each service's dialect:
 * adapters chosen by what is set (PostgreSQL when DATABASE_URL, Kafka when
 * KAFKA_BROKERS, otherwise in-memory for a local run), one literal topic
 * prefix that also names the consumer groups (two runs on one broker never
 * share a group), and the process clock.
 */
import { z } from 'zod';
import { baseConfigSchema } from '@govsvc/service-kit/config';
import { CLOCK_MODES } from './process-clock.ts';

export const hostConfigSchema = baseConfigSchema.extend({
  DATABASE_URL: z.url().optional(),
  /** Comma-separated `host:port` list. */
  KAFKA_BROKERS: z.string().min(1).optional(),
  /** Defaults to SERVICE_NAME. */
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  /**
   * Publish from a thread of its own (`withProducerWorker`): kafkajs encodes every produce request
   * in JavaScript, which then no longer queues behind the relay's reading and encoding. Pays where
   * the process has a core to spare; off by default, as on a machine whose cores every service
   * shares it only adds a thread.
   */
  KAFKA_PRODUCER_THREAD: z.stringbool().default(false),
  /** Put literally before every topic name and every consumer group (e.g. `run42.`): an isolated environment on a shared broker. */
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/, 'Kafka topic characters only (letters, digits, . _ -)').default(''),
  /** The service's consumer group; defaults to TOPIC_PREFIX + the service's name, the same for every instance of it. */
  CONSUMER_GROUP: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only').optional(),
  /** `system` (the only mode in production), `controlled` (moved by POST /admin/clock) or `offset` (wall clock shifted by it). */
  GOVSVC_CLOCK: z.enum(CLOCK_MODES).default('system'),
  /** Controlled clock: the first instant (default now). */
  GOVSVC_CLOCK_START: z.iso.datetime({ offset: true }).optional(),
  /** Controlled clock: a file keeping the instant across restarts. */
  GOVSVC_CLOCK_STATE_FILE: z.string().min(1).optional(),
});

export type HostConfig = z.output<typeof hostConfigSchema>;

/** The topic and group names a service uses, from the configuration. */
export function namingOf(service: string, config: Pick<HostConfig, 'TOPIC_PREFIX' | 'CONSUMER_GROUP'>): { topicFor: (topic: string) => string; consumerGroup: string } {
  const prefix = config.TOPIC_PREFIX;
  return { topicFor: (topic) => `${prefix}${topic}`, consumerGroup: config.CONSUMER_GROUP ?? `${prefix}${service}` };
}

/** Refuses what must never reach production: time that an admin can move. */
export function checkHostConfig(config: Pick<HostConfig, 'NODE_ENV' | 'GOVSVC_CLOCK'>): void {
  if (config.NODE_ENV === 'production' && config.GOVSVC_CLOCK !== 'system') {
    throw new Error(`GOVSVC_CLOCK=${config.GOVSVC_CLOCK} is refused when NODE_ENV=production: deadlines run on the wall clock`);
  }
}
