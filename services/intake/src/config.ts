/**
 * Intake's configuration: the one place that reads the environment. The
 * host's variables (store, bus, topic prefix and consumer group, clock) are
 * `@govsvc/service-host`'s; Redis (slot counters) is intake's own, in memory
 * when REDIS_URL is not set.
 */
import { z } from 'zod';
import { hostConfigSchema } from '@govsvc/service-host/host-config';
import { jsonEnv as json, loadConfig } from '@govsvc/service-kit/config';
import { centreConfigSchema } from './domain/appointment/schedule.ts';
import { DEFAULT_CENTRES, DEFAULT_SEALS } from './app/defaults.ts';
import { sealKeySchema, sealRegistrationSchema } from './app/seal.ts';

export const intakeConfigSchema = hostConfigSchema.extend({
  SERVICE_NAME: hostConfigSchema.shape.SERVICE_NAME.default('intake'),
  REDIS_URL: z.url().optional(),
  REDIS_KEY_PREFIX: z.string().min(1).default('intake:'),
  /** JSON array of centre configurations (hours, extended service, items, staff). */
  INTAKE_CENTRES: json(z.array(centreConfigSchema).min(1)).optional(),
  /** JSON array: the seal register (which body uses which seal). */
  INTAKE_SEALS: json(z.array(sealRegistrationSchema).min(1)).optional(),
  /** JSON array of Ed25519 seal keys with key ids (secrets). Without it, development keys are generated at start. */
  INTAKE_SEAL_KEYS: json(z.array(sealKeySchema).min(1)).optional(),
  /** `id:base64(32 bytes)[,…]`, the first seals: the applicant-contact keyring shared with delivery and courier. */
  APPLICANT_CONTACT_KEYS: z.string().min(1).optional(),
  /** JSON array of cross-department items: [{ itemCode, leadDepartment, assistingDepartments }] (R-COLLAB-1). */
  INTAKE_COLLABORATIONS: json(
    z.array(z.object({ itemCode: z.string().min(1), leadDepartment: z.string().min(1), assistingDepartments: z.array(z.string().min(1)).min(1) })),
  ).default([]),
  SUPPLEMENT_WORKING_DAYS: z.coerce.number().int().min(1).max(60).default(5),
  CALENDAR_DATA_DIR: z.string().min(1).optional(),
  INTAKE_RELAY_SUBSCRIPTION: z.string().min(1).default('intake-relay'),
  /** Checkpoint of the subscription that indexes submitted cases for the applicants' and centres' lists. */
  INTAKE_CASE_INDEX_SUBSCRIPTION: z.string().min(1).default('intake-case-index'),
});

export type IntakeConfig = z.output<typeof intakeConfigSchema> & {
  centres: NonNullable<z.output<typeof intakeConfigSchema>['INTAKE_CENTRES']>;
  seals: NonNullable<z.output<typeof intakeConfigSchema>['INTAKE_SEALS']>;
};

export function loadIntakeConfig(env: Record<string, string | undefined> = process.env): IntakeConfig {
  const config = loadConfig(intakeConfigSchema, env);
  if (config.NODE_ENV === 'production' && !config.APPLICANT_CONTACT_KEYS) {
    throw new Error('APPLICANT_CONTACT_KEYS is required in production: delivery and courier must be able to open the contacts intake seals');
  }
  if (config.NODE_ENV === 'production' && !config.INTAKE_SEAL_KEYS) {
    throw new Error('INTAKE_SEAL_KEYS is required in production: documents are sealed with the department keys, never generated ones');
  }
  return { ...config, centres: config.INTAKE_CENTRES ?? DEFAULT_CENTRES, seals: config.INTAKE_SEALS ?? DEFAULT_SEALS };
}
