/** The delivery service's environment: the only module that reads it. */
import { z } from 'zod';
import { hostConfigSchema } from '@govsvc/service-host/host-config';
import { loadConfig } from '@govsvc/service-kit/config';

export const deliveryConfigSchema = hostConfigSchema.extend({
  SERVICE_NAME: hostConfigSchema.shape.SERVICE_NAME.default('delivery'),
  PORT: z.coerce.number().int().min(1).max(65_535).default(3005),
  /** Required: notices and waybills must survive a restart, so there is no in-memory mode. */
  DATABASE_URL: z.url(),
  KAFKA_BROKERS: z.string().min(1),
  /** `id:base64(32 bytes)[,…]`, the first seals: shared with intake (seals) and courier (opens). */
  APPLICANT_CONTACT_KEYS: z.string().min(1),
  SMTP_HOST: z.string().min(1),
  SMTP_PORT: z.coerce.number().int().min(1).max(65_535).default(25),
  SMTP_SECURE: z.stringbool().default(false),
  SMTP_IGNORE_TLS: z.stringbool().default(false),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_FROM: z.string().min(3).default('北京市政务服务中心 <noreply@zwfw.beijing.gov.cn>'),
  /** Only `local` exists today: SMS and call tasks go to the operator-visible outbox. */
  SMS_PROVIDER: z.enum(['local']).default('local'),
  VOICE_PROVIDER: z.enum(['local']).default('local'),
  /** PEM of the Ed25519 key that signs electronic result documents; a fresh one per start when absent (development). */
  DOCUMENT_SIGNING_KEY_PEM: z.string().optional(),
  DOCUMENT_SIGNING_KEY_ID: z.string().min(1).default('delivery-dev'),
});
export type DeliveryConfig = z.infer<typeof deliveryConfigSchema>;

export const loadDeliveryConfig = (env: NodeJS.ProcessEnv = process.env): DeliveryConfig => loadConfig(deliveryConfigSchema, env);
