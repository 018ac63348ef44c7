/** The courier service's environment: the only module that reads it. */
import { hostname } from 'node:os';
import { z } from 'zod';
import { hostConfigSchema } from '@govsvc/service-host/host-config';
import { loadConfig } from '@govsvc/service-kit/config';

const centre = z.object({
  name: z.string().min(1),
  phone: z.string().regex(/^[0-9+()\- ]{5,30}$/),
  region: z.string().regex(/^\d{6}$/),
  address: z.string().min(1),
  postcode: z.string().regex(/^\d{6}$/).optional(),
});

export const courierConfigSchema = hostConfigSchema.extend({
  SERVICE_NAME: hostConfigSchema.shape.SERVICE_NAME.default('courier'),
  PORT: z.coerce.number().int().min(1).max(65_535).default(3006),
  /** Required: notices and waybills must survive a restart, so there is no in-memory mode. */
  DATABASE_URL: z.url(),
  KAFKA_BROKERS: z.string().min(1),
  /** Shared webhook replay guard across instances; without it each process guards alone (still safe: carrier events are deduplicated on the waybill). */
  REDIS_URL: z.url().optional(),
  APPLICANT_CONTACT_KEYS: z.string().min(1),
  /** `carrier:secret[,…]`: one webhook secret per carrier (at least 32 characters). */
  CARRIER_SECRETS: z
    .string()
    .transform((text) => new Map(text.split(',').filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)] as const)))
    .refine((map) => map.size > 0 && [...map].every(([name, secret]) => /^[a-z][a-z0-9-]*$/.test(name) && secret.length >= 32), 'each entry is <carrier>:<secret of 32+ characters>'),
  DEFAULT_CARRIER: z.string().min(1).default('local'),
  /** Public base URL the local carrier posts its webhooks to (this service). */
  PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:3006'),
  CENTRE_ADDRESS: z
    .string()
    .default(JSON.stringify({ name: '北京市政务服务中心', phone: '010-12345678', region: '110106', address: '北京市丰台区西三环南路1号' }))
    .transform((text) => centre.parse(JSON.parse(text))),
  /** The id of that centre (clerks' token claim `centre`). */
  CENTRE_ID: z.string().min(1).max(100).default('bj-city'),
  WEBHOOK_WINDOW_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(300_000),
  /** How much faster than real time the local carrier's parcels travel (1 = a day's journey takes a day). */
  LOCAL_CARRIER_TIME_SCALE: z.coerce.number().min(1).max(1_000_000).default(1),
  INSTANCE_ID: z.string().min(1).default(`${hostname()}`),
});
export type CourierConfig = z.infer<typeof courierConfigSchema>;

export const loadCourierConfig = (env: NodeJS.ProcessEnv = process.env): CourierConfig => loadConfig(courierConfigSchema, env);
