/**
 * Review's configuration: the one place that reads the environment. Adapters
 * are chosen by what is set: PostgreSQL when DATABASE_URL, Kafka when
 * KAFKA_BROKERS; otherwise in-memory (a local run).
 */
import { z } from 'zod';
import { baseConfigSchema, jsonEnv as json, loadConfig } from '@govsvc/service-kit/config';
import { SealKeySet } from './app/seal-signer.ts';

export const reviewConfigSchema = baseConfigSchema.extend({
  SERVICE_NAME: baseConfigSchema.shape.SERVICE_NAME.default('review'),
  DATABASE_URL: z.url().optional(),
  KAFKA_BROKERS: z.string().min(1).optional(),
  KAFKA_CLIENT_ID: z.string().min(1).default('review'),
  /** Seal keys (secrets): `{"sealId":"…","active":"kid","keys":[{"kty":"OKP","crv":"Ed25519","kid":"…","x":"…","d":"…"}]}`. */
  REVIEW_SEAL_KEYS: json(SealKeySet).optional(),
  CALENDAR_DATA_DIR: z.string().min(1).optional(),
  REVIEW_CONSUMER_GROUP: z.string().min(1).default('review'),
  /** Prefix of every topic name (an isolated environment); empty by default. */
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/, 'Kafka topic characters only').default(''),
});

export type ReviewConfig = z.output<typeof reviewConfigSchema>;

export function loadReviewConfig(env: Record<string, string | undefined> = process.env): ReviewConfig {
  const config = loadConfig(reviewConfigSchema, env);
  if (config.NODE_ENV === 'production' && !config.REVIEW_SEAL_KEYS) {
    throw new Error('REVIEW_SEAL_KEYS is required in production: decisions and licences are sealed with the department keys, never generated ones');
  }
  return config;
}
