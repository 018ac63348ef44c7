import { describe, expect, it } from 'vitest';
import { loadConfig } from '@govsvc/service-kit/config';
import { checkHostConfig, hostConfigSchema, namingOf } from './host-config.ts';

const jwks = JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: 'k1', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }] });
const env = (extra: Record<string, string> = {}) => ({ SERVICE_NAME: 'review', JWT_ISSUER: 'govsvc', JWT_PUBLIC_KEYS: jwks, ...extra });

describe('host configuration (issue 8: one run configured once)', () => {
  it('defaults to in-memory adapters, no prefix, the wall clock, and a group named after the service', () => {
    const config = loadConfig(hostConfigSchema, env());
    expect(config).toMatchObject({ TOPIC_PREFIX: '', GOVSVC_CLOCK: 'system' });
    expect(config.DATABASE_URL).toBeUndefined();
    const naming = namingOf('review', config);
    expect(naming.consumerGroup).toBe('review');
    expect(naming.topicFor('govsvc.intake.v1')).toBe('govsvc.intake.v1');
  });

  it('puts the topic prefix before every topic and the consumer group, so two runs on one broker never share a group', () => {
    const config = loadConfig(hostConfigSchema, env({ TOPIC_PREFIX: 'run42.' }));
    const naming = namingOf('review', config);
    expect(naming.topicFor('govsvc.intake.v1')).toBe('run42.govsvc.intake.v1');
    expect(naming.consumerGroup).toBe('run42.review');
    expect(namingOf('review', { ...config, CONSUMER_GROUP: 'ops-review' }).consumerGroup).toBe('ops-review');
  });

  it('publishes on the calling thread unless KAFKA_PRODUCER_THREAD says otherwise, and refuses a value that is not a boolean', () => {
    expect(loadConfig(hostConfigSchema, env()).KAFKA_PRODUCER_THREAD).toBe(false);
    expect(loadConfig(hostConfigSchema, env({ KAFKA_PRODUCER_THREAD: 'true' })).KAFKA_PRODUCER_THREAD).toBe(true);
    expect(() => loadConfig(hostConfigSchema, env({ KAFKA_PRODUCER_THREAD: 'sometimes' }))).toThrow(/KAFKA_PRODUCER_THREAD/);
  });

  it('refuses a prefix Kafka cannot carry, naming the variable', () => {
    expect(() => loadConfig(hostConfigSchema, env({ TOPIC_PREFIX: 'run 42/' }))).toThrow(/TOPIC_PREFIX: Kafka topic characters only/);
    expect(() => loadConfig(hostConfigSchema, env({ GOVSVC_CLOCK: 'lunar' }))).toThrow(/GOVSVC_CLOCK/);
  });

  it('refuses a movable clock in production', () => {
    expect(() => checkHostConfig({ NODE_ENV: 'production', GOVSVC_CLOCK: 'controlled' })).toThrow(/refused when NODE_ENV=production/);
    expect(() => checkHostConfig({ NODE_ENV: 'production', GOVSVC_CLOCK: 'offset' })).toThrow(/refused when NODE_ENV=production/);
    expect(() => checkHostConfig({ NODE_ENV: 'production', GOVSVC_CLOCK: 'system' })).not.toThrow();
    expect(() => checkHostConfig({ NODE_ENV: 'test', GOVSVC_CLOCK: 'controlled' })).not.toThrow();
  });
});
