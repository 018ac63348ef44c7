/**
 * Evaluation's configuration: the one place that reads the environment.
 * The host's variables (adapters, topic prefix and consumer group, clock) are
 * `@govsvc/service-host`'s; these are evaluation's own.
 */
import { z } from 'zod';
import { hostConfigSchema } from '@govsvc/service-host/host-config';
import { loadConfig } from '@govsvc/service-kit/config';

export const evaluationConfigSchema = hostConfigSchema.extend({
  SERVICE_NAME: hostConfigSchema.shape.SERVICE_NAME.default('evaluation'),
  /** Accepted for the shared environment of the journey; evaluation keeps no state in Redis (its read side rebuilds from the store). */
  REDIS_URL: z.url().optional(),
  /** Handling limit of complaints whose channel brings none, in working days. */
  COMPLAINT_LIMIT_WORKING_DAYS: z.coerce.number().int().min(1).max(60).default(5),
  CALENDAR_DATA_DIR: z.string().min(1).optional(),
});

export type EvaluationConfig = z.output<typeof evaluationConfigSchema>;

export function loadEvaluationConfig(env: Record<string, string | undefined> = process.env): EvaluationConfig {
  return loadConfig(evaluationConfigSchema, env);
}
