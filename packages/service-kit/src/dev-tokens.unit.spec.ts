import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { baseConfigSchema, loadConfig } from './config.ts';
import { assertNotProduction } from './dev-tokens.ts';
import { createTokenVerifier } from './token-verifier.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const keyDir = mkdtempSync(join(tmpdir(), 'govsvc-dev-keys-'));

function mintToken(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/mint-token.ts', '--dir', keyDir, ...args], {
    cwd: packageDir,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'development', ...env },
    timeout: 20_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('dev tokens', () => {
  afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

  it('are refused in production', () => {
    expect(() => assertNotProduction('production')).toThrow(/NODE_ENV=production/);
    expect(() => assertNotProduction('development')).not.toThrow();
  });

  it('mint-token refuses to run when NODE_ENV=production', () => {
    const run = mintToken(['--role', 'clerk', '--audience', 'intake'], { NODE_ENV: 'production' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('refused when NODE_ENV=production');
    expect(run.stdout).toBe('');
  });

  it('mint-token prints the env for the services and a token they accept', async () => {
    const keys = mintToken(['keys']);
    expect(keys.status).toBe(0);
    const env = Object.fromEntries(
      keys.stdout.trim().split('\n').map((line) => {
        const [name, ...rest] = line.split('=');
        return [name, rest.join('=').replace(/^'|'$/g, '')];
      }),
    );
    const config = loadConfig(baseConfigSchema, { ...env, SERVICE_NAME: 'intake' });

    const minted = mintToken(['--role', 'clerk', '--role', 'chief', '--audience', 'intake', '--subject', 'clerk-1', '--centre', 'chaoyang-1']);
    expect(minted.status).toBe(0);
    const verifier = await createTokenVerifier({
      issuer: config.JWT_ISSUER,
      audience: 'intake',
      algorithms: config.JWT_ALGORITHMS,
      keys: config.JWT_PUBLIC_KEYS.keys,
      clockToleranceSeconds: 5,
    });
    await expect(verifier.verify(minted.stdout.trim())).resolves.toMatchObject({ subject: 'clerk-1', roles: ['clerk', 'chief'], centre: 'chaoyang-1' });
  });

  it('mint-token names every bad option at once', () => {
    const run = mintToken(['--role', 'janitor', '--ttl', 'soon']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown janitor');
    expect(run.stderr).toContain('--audience is required');
    expect(run.stderr).toContain('--ttl must be');
  });
});
