/**
 * Supervision's configuration: the one place that reads the environment.
 * The host's variables (store, bus, topic prefix and consumer group, clock)
 * are `@govsvc/service-host`'s; Redis (deadline index, case timeline) is
 * supervision's own, in memory when REDIS_URL is not set.
 */
import { z } from 'zod';
import { hostConfigSchema } from '@govsvc/service-host/host-config';
import { jsonEnv as json, loadConfig } from '@govsvc/service-kit/config';
import { sealPublicKeySchema } from './app/audit.ts';

export const supervisionConfigSchema = hostConfigSchema.extend({
  SERVICE_NAME: hostConfigSchema.shape.SERVICE_NAME.default('supervision'),
  REDIS_URL: z.url().optional(),
  /** Prefix of every Redis key supervision writes (index `…dl:`, timeline `…case:`). */
  REDIS_KEY_PREFIX: z.string().min(1).default('supervision:'),
  CALENDAR_DATA_DIR: z.string().min(1).optional(),
  /** JSON array of the seals' public keys ({ keyId, sealId, algorithm: 'Ed25519', jwk }), as intake publishes them. */
  SEAL_PUBLIC_KEYS: json(z.array(sealPublicKeySchema)).optional(),
  /** HMAC secret of console sessions, shared by every instance behind one address (at least 32 characters). */
  CONSOLE_SESSION_SECRET: z.string().min(32).optional(),
  /** Warn when this many working days, or this share of the limit, are left (whichever is more). */
  WARNING_MIN_UNITS: z.coerce.number().int().min(0).max(30).default(1),
  WARNING_FRACTION: z.coerce.number().min(0).max(1).default(0.2),
  SCHEDULER_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(1000),
  SCHEDULER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(32),
  /** Behind a backlog, the share of each pass for deadlines that fell due in the last SCHEDULER_FRESH_WINDOW_MS (0 turns the fresh lane off). */
  SCHEDULER_FRESH_SHARE: z.coerce.number().min(0).max(1).default(0.5),
  SCHEDULER_FRESH_WINDOW_MS: z.coerce.number().int().min(0).max(3_600_000).default(2_000),
});

export type SupervisionConfig = z.output<typeof supervisionConfigSchema>;

export function loadSupervisionConfig(env: Record<string, string | undefined> = process.env): SupervisionConfig {
  const config = loadConfig(supervisionConfigSchema, env);
  if (config.NODE_ENV === 'production' && !config.CONSOLE_SESSION_SECRET) {
    throw new Error('CONSOLE_SESSION_SECRET is required in production: console sessions must survive restarts and be valid on every instance');
  }
  return config;
}
