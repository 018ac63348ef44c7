import { describe, expect, it } from 'vitest';
import { ValidationError } from '@govsvc/errors/errors';
import { loadIntakeConfig } from './config.ts';
import { DEFAULT_CENTRES } from './app/defaults.ts';

const base = { JWT_ISSUER: 'govsvc-dev', JWT_PUBLIC_KEYS: JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'AAAA', kid: 'k1', alg: 'EdDSA' }] }) };

describe('intake configuration', () => {
  it('defaults to the built-in centres and seals, and parses JSON settings', () => {
    const config = loadIntakeConfig({ ...base, INTAKE_COLLABORATIONS: JSON.stringify([{ itemCode: 'X-1', leadDepartment: 'A', assistingDepartments: ['B'] }]) });
    expect(config.SERVICE_NAME).toBe('intake');
    expect(config.centres).toBe(DEFAULT_CENTRES);
    expect(config.INTAKE_COLLABORATIONS).toHaveLength(1);
    expect(config.SUPPLEMENT_WORKING_DAYS).toBe(5);
    expect(config.INTAKE_CASE_INDEX_SUBSCRIPTION).toBe('intake-case-index');
  });

  it('lists every bad variable at once', () => {
    let error: unknown;
    try {
      loadIntakeConfig({ ...base, INTAKE_CENTRES: 'not json', SUPPLEMENT_WORKING_DAYS: '0', REDIS_URL: 'nope' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path).sort()).toEqual(['INTAKE_CENTRES', 'REDIS_URL', 'SUPPLEMENT_WORKING_DAYS']);
  });

  it('refuses to run in production without the seal keys and the contact keys', () => {
    expect(() => loadIntakeConfig({ ...base, NODE_ENV: 'production' })).toThrow(/APPLICANT_CONTACT_KEYS/);
    expect(() => loadIntakeConfig({ ...base, NODE_ENV: 'production', APPLICANT_CONTACT_KEYS: `k:${Buffer.alloc(32).toString('base64')}` })).toThrow(/INTAKE_SEAL_KEYS/);
  });
});
