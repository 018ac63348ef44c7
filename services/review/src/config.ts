/**
 * Review's configuration: the one place that reads the environment. The
 * host's variables (adapters, topic prefix and consumer group, clock) are
 * `@govsvc/service-host`'s; these are review's own.
 */
import { z } from 'zod';
import { hostConfigSchema } from '@govsvc/service-host/host-config';
import { jsonEnv as json, loadConfig } from '@govsvc/service-kit/config';
import { SealKeySet } from './app/seal-signer.ts';

export const reviewConfigSchema = hostConfigSchema.extend({
  SERVICE_NAME: hostConfigSchema.shape.SERVICE_NAME.default('review'),
  /** Seal keys (secrets): `{"sealId":"…","active":"kid","keys":[{"kty":"OKP","crv":"Ed25519","kid":"…","x":"…","d":"…"}]}`. */
  REVIEW_SEAL_KEYS: json(SealKeySet).optional(),
  CALENDAR_DATA_DIR: z.string().min(1).optional(),
});

export type ReviewConfig = z.output<typeof reviewConfigSchema>;

export function loadReviewConfig(env: Record<string, string | undefined> = process.env): ReviewConfig {
  const config = loadConfig(reviewConfigSchema, env);
  if (config.NODE_ENV === 'production' && !config.REVIEW_SEAL_KEYS) {
    throw new Error('REVIEW_SEAL_KEYS is required in production: decisions and licences are sealed with the department keys, never generated ones');
  }
  return config;
}
