/**
 * The catalog's configuration: the one place that reads the environment.
 * The host's variables (adapters, topic prefix, clock) are
 * `@govsvc/service-host`'s; these are the catalog's own.
 */
import { z } from 'zod';
import { hostConfigSchema } from '@govsvc/service-host/host-config';
import { loadConfig } from '@govsvc/service-kit/config';

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const catalogConfigSchema = hostConfigSchema.extend({
  SERVICE_NAME: hostConfigSchema.shape.SERVICE_NAME.default('catalog'),
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
