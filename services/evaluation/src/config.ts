/**
 * Evaluation's configuration: the one place that reads the environment.
 * Adapters are chosen by what is set: PostgreSQL when DATABASE_URL, Kafka when
 * KAFKA_BROKERS; otherwise in-memory (a local run).
 */
import { z } from 'zod';
import { baseConfigSchema, loadConfig } from '@govsvc/service-kit/config';

export const evaluationConfigSchema = baseConfigSchema.extend({
  SERVICE_NAME: baseConfigSchema.shape.SERVICE_NAME.default('evaluation'),
  DATABASE_URL: z.url().optional(),
  KAFKA_BROKERS: z.string().min(1).optional(),
  KAFKA_CLIENT_ID: z.string().min(1).default('evaluation'),
  /** Accepted for the shared environment of the journey; evaluation keeps no state in Redis (its read side rebuilds from the store). */
  REDIS_URL: z.url().optional(),
  /** Prefix of every Kafka topic (isolated environments, end-to-end runs). */
  TOPIC_PREFIX: z.string().regex(/^[a-z0-9._-]*$/).default(''),
  EVALUATION_CONSUMER_GROUP: z.string().min(1).default('evaluation'),
  /** Handling limit of complaints whose channel brings none, in working days. */
  COMPLAINT_LIMIT_WORKING_DAYS: z.coerce.number().int().min(1).max(60).default(5),
  CALENDAR_DATA_DIR: z.string().min(1).optional(),
  PROJECTION_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
});

export type EvaluationConfig = z.output<typeof evaluationConfigSchema>;

export function loadEvaluationConfig(env: Record<string, string | undefined> = process.env): EvaluationConfig {
  return loadConfig(evaluationConfigSchema, env);
}
