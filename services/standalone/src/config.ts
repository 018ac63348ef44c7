/**
 * The standalone process's configuration: the one place that reads the
 * environment. Adapters are chosen by what is set, as in every service:
 * PostgreSQL when DATABASE_URL, Kafka when KAFKA_BROKERS, Redis when
 * REDIS_URL; otherwise the embedded PGlite store in the data folder, the
 * in-process bus and in-memory stand-ins.
 *
 * JWT settings are optional here (unlike a service on its own): without
 * JWT_PUBLIC_KEYS the process generates a development key pair on first start
 * in `<data>/keys` and prints a token per role. Production refuses that, and
 * refuses every other generated secret too (see `secrets.ts`).
 */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { z } from 'zod';
import { checkHostConfig } from '@govsvc/service-host/host-config';
import { CLOCK_MODES } from '@govsvc/service-host/process-clock';
import { baseConfigSchema, loadConfig } from '@govsvc/service-kit/config';

/** The repository root: `data/` there is gitignored and is where a fresh clone keeps its state. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const standaloneConfigSchema = baseConfigSchema.extend({
  SERVICE_NAME: baseConfigSchema.shape.SERVICE_NAME.default('standalone'),
  PORT: baseConfigSchema.shape.PORT.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_PUBLIC_KEYS: baseConfigSchema.shape.JWT_PUBLIC_KEYS.optional(),
  /** Where the embedded event store, the dev keys, the mail outbox and the controlled clock live. */
  GOVSVC_DATA_DIR: z.string().min(1).default(resolve(REPO_ROOT, 'data')),
  /** `controlled`: time moves only through `POST /admin/clock` (the guided demo drives deadlines with it). */
  GOVSVC_CLOCK: z.enum(CLOCK_MODES).default('system'),
  /** Start instant of a controlled clock that has never run in this data folder (default: now). */
  GOVSVC_CLOCK_START: z.iso.datetime({ offset: true }).optional(),
  /** Lifetime of the printed dev tokens (seconds); half a day covers a working session. */
  GOVSVC_DEV_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(12 * 3600),
  DATABASE_URL: z.url().optional(),
  KAFKA_BROKERS: z.string().min(1).optional(),
  KAFKA_CLIENT_ID: z.string().min(1).default('govsvc-standalone'),
  REDIS_URL: z.url().optional(),
  REDIS_KEY_PREFIX: z.string().min(1).default('govsvc:'),
  /** Prefix of every topic name (isolated environments); empty by default. */
  TOPIC_PREFIX: z.string().regex(/^[a-z0-9._-]*$/).default(''),
  CALENDAR_DATA_DIR: z.string().min(1).optional(),
  /** Publish the catalog fixtures at start (idempotent: unchanged guides append nothing). */
  CATALOG_PUBLISH_FIXTURES: z.stringbool().default(true),
  /** Real SMTP for e-mail notifications; without it mail goes to `<data>/mail/` as .eml files. */
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65_535).default(25),
  SMTP_FROM: z.string().min(3).default('北京市政务服务中心 <noreply@zwfw.beijing.gov.cn>'),
  /** The base URL printed in the banner (behind a proxy); derived from HOST/PORT otherwise. */
  PUBLIC_BASE_URL: z.url().optional(),
  // Secrets a deployment must give (generated into <data>/keys outside production):
  APPLICANT_CONTACT_KEYS: z.string().min(1).optional(),
  INTAKE_SEAL_KEYS: z.string().min(1).optional(),
  REVIEW_SEAL_KEYS: z.string().min(1).optional(),
  DOCUMENT_SIGNING_KEY_PEM: z.string().min(1).optional(),
  CARRIER_SECRETS: z.string().min(1).optional(),
  CONSOLE_SESSION_SECRET: z.string().min(32).optional(),
});

export type StandaloneConfig = z.output<typeof standaloneConfigSchema>;

export function loadStandaloneConfig(env: Record<string, string | undefined> = process.env): StandaloneConfig {
  const config = loadConfig(standaloneConfigSchema, env);
  if (config.NODE_ENV === 'production') {
    const missing = (
      [
        ['JWT_ISSUER', config.JWT_ISSUER],
        ['JWT_PUBLIC_KEYS', config.JWT_PUBLIC_KEYS],
        ['APPLICANT_CONTACT_KEYS', config.APPLICANT_CONTACT_KEYS],
        ['INTAKE_SEAL_KEYS', config.INTAKE_SEAL_KEYS],
        ['REVIEW_SEAL_KEYS', config.REVIEW_SEAL_KEYS],
        ['DOCUMENT_SIGNING_KEY_PEM', config.DOCUMENT_SIGNING_KEY_PEM],
        ['CARRIER_SECRETS', config.CARRIER_SECRETS],
        ['CONSOLE_SESSION_SECRET', config.CONSOLE_SESSION_SECRET],
      ] as const
    )
      .filter(([, value]) => value === undefined)
      .map(([name]) => name);
    if (missing.length > 0) {
      throw new Error(
        `NODE_ENV=production needs real keys, never generated development ones; missing: ${missing.join(', ')}`,
      );
    }
    checkHostConfig(config);
  }
  return config;
}

/**
 * What the distributed runner hands down to every service process from its
 * own environment: where programs are, the home folder, the log level.
 * Everything else a service gets is set explicitly by the runner.
 */
export function runnerEnvironment(env: Record<string, string | undefined> = process.env): Record<string, string> {
  return { PATH: env.PATH ?? '', HOME: env.HOME ?? '', LOG_LEVEL: env.LOG_LEVEL ?? 'info' };
}

/** Where the user ran the command: pnpm runs package scripts in the package folder and records the original one in INIT_CWD. */
export function invocationDir(env: Record<string, string | undefined> = process.env): string {
  return env.INIT_CWD ?? process.cwd();
}
