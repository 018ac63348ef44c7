import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '@govsvc/errors/errors';
import { audienceOf, baseConfigSchema, loadConfig } from './config.ts';

const edKey = { kty: 'OKP', crv: 'Ed25519', x: '3ljf-RlmcEcZ0t56TLHuKc-jI_jiw0L8Bbj878O6ynU', kid: 'k1', alg: 'EdDSA' };
const validEnv = {
  SERVICE_NAME: 'intake',
  JWT_ISSUER: 'https://id.example.gov.cn',
  JWT_PUBLIC_KEYS: JSON.stringify({ keys: [edKey] }),
};

function configError(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('loadConfig', () => {
  it('applies defaults and parses the key set', () => {
    const config = loadConfig(baseConfigSchema, validEnv);
    expect(config).toMatchObject({ PORT: 3000, HOST: '0.0.0.0', LOG_LEVEL: 'info', NODE_ENV: 'development', JWT_ALGORITHMS: ['EdDSA'] });
    expect(config.JWT_PUBLIC_KEYS.keys[0]?.kid).toBe('k1');
    expect(audienceOf(config)).toBe('intake');
  });

  it('fails once, listing every bad and missing variable', () => {
    const error = configError(() =>
      loadConfig(baseConfigSchema, { PORT: 'eighty', LOG_LEVEL: 'loud', JWT_PUBLIC_KEYS: 'not json' }),
    );
    const paths = error.issues.map((i) => i.path).sort();
    expect(paths).toEqual(['JWT_ISSUER', 'JWT_PUBLIC_KEYS', 'LOG_LEVEL', 'PORT', 'SERVICE_NAME']);
    for (const path of paths) expect(error.message).toContain(path);
    expect(error.message).toMatch(/^invalid configuration \(5 problems\)/);
    expect(error.issues.find((i) => i.path === 'SERVICE_NAME')?.reason).toBe('required');
  });

  it('treats an empty variable as missing rather than as zero', () => {
    const error = configError(() => loadConfig(baseConfigSchema.extend({ DATABASE_URL: z.url() }), { ...validEnv, DATABASE_URL: '' }));
    expect(error.issues).toEqual([expect.objectContaining({ path: 'DATABASE_URL' })]);
  });

  it('lets a service extend the base schema', () => {
    const schema = baseConfigSchema.extend({ DATABASE_URL: z.url() });
    const config = loadConfig(schema, { ...validEnv, DATABASE_URL: 'postgres://127.0.0.1/test', PORT: '8080' });
    expect(config.DATABASE_URL).toBe('postgres://127.0.0.1/test');
    expect(config.PORT).toBe(8080);
  });

  it('refuses HS256 and none among the allowed algorithms', () => {
    const error = configError(() => loadConfig(baseConfigSchema, { ...validEnv, JWT_ALGORITHMS: 'EdDSA,HS256,none' }));
    expect(error.issues.map((i) => i.path)).toEqual(['JWT_ALGORITHMS.1', 'JWT_ALGORITHMS.2']);
  });

  it('refuses symmetric keys, private keys, keys without kid and keys whose type does not fit their alg', () => {
    const keys = [
      { kty: 'oct', k: 'c2VjcmV0', kid: 'sym', alg: 'HS256' },
      { ...edKey, kid: 'priv', d: 'private-part' },
      { ...edKey, kid: '' },
      { ...edKey, kid: 'mismatch', alg: 'RS256' },
    ];
    const error = configError(() => loadConfig(baseConfigSchema, { ...validEnv, JWT_PUBLIC_KEYS: JSON.stringify({ keys }) }));
    const paths = error.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['JWT_PUBLIC_KEYS.keys.0.kty', 'JWT_PUBLIC_KEYS.keys.1.d', 'JWT_PUBLIC_KEYS.keys.2.kid', 'JWT_PUBLIC_KEYS.keys.3']),
    );
    expect(error.message).toContain('private key material');
  });

  it('refuses two keys with one kid', () => {
    const error = configError(() => loadConfig(baseConfigSchema, { ...validEnv, JWT_PUBLIC_KEYS: JSON.stringify({ keys: [edKey, edKey] }) }));
    expect(error.message).toContain('distinct kid');
  });
});
