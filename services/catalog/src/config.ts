/**
 * The catalog's configuration: the one place that reads the environment.
 * Adapters are chosen by what is set: the PostgreSQL event store when
 * DATABASE_URL is, Kafka when KAFKA_BROKERS is; in memory otherwise.
 */
import { z } from 'zod';
import { baseConfigSchema, loadConfig } from '@govsvc/service-kit/config';

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const catalogConfigSchema = baseConfigSchema.extend({
  SERVICE_NAME: baseConfigSchema.shape.SERVICE_NAME.default('catalog'),
  DATABASE_URL: z.url().optional(),
  KAFKA_BROKERS: z.string().min(1).optional(),
  KAFKA_CLIENT_ID: z.string().min(1).default('catalog'),
  /** Prefix of every topic name (an isolated environment); empty by default. */
  TOPIC_PREFIX: z.string().regex(/^[a-z0-9.-]*$/).default(''),
  CALENDAR_DATA_DIR: z.string().min(1).optional(),
  /** Publish the fixture catalog at start (safe to repeat: unchanged guides produce no events). */
  CATALOG_PUBLISH_FIXTURES: flag.default(true),
  /** Where the fixture catalog and the reference data (shared-data directory, retained proofs) live. */
  CATALOG_FIXTURES_DIR: z.string().min(1).optional(),
});

export type CatalogConfig = z.output<typeof catalogConfigSchema>;

export function loadCatalogConfig(env: Record<string, string | undefined> = process.env): CatalogConfig {
  return loadConfig(catalogConfigSchema, env);
}
