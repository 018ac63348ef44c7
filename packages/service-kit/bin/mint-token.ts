/**
 * mint-token: development bearer tokens for local runs.
 *
 *   mint-token keys                                  create the dev key pair (once) and print JWT_PUBLIC_KEYS
 *   mint-token --role clerk --audience intake        print a token for the intake service
 *
 * Options: --role (repeatable), --audience, --subject, --department, --centre,
 * --ttl <seconds>, --issuer (default govsvc-dev), --dir <key directory>
 * (default $GOVSVC_DEV_KEYS_DIR or ~/.config/govsvc/dev-keys), --alg.
 * Refuses to run when NODE_ENV=production.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { JWT_ALGORITHMS, publicJwkSchema, type JwtAlgorithm } from '../src/config.ts';
import { assertNotProduction, generateDevKeyPair, jwksOf, mintDevToken, type DevKeyPair } from '../src/dev-tokens.ts';
import { isRole, ROLES } from '../src/principal.ts';

const KEY_FILE = 'signing-key.json';

function fail(message: string): never {
  process.stderr.write(`mint-token: ${message}\n`);
  process.exit(2);
}

async function loadOrCreateKeys(dir: string, alg: JwtAlgorithm): Promise<DevKeyPair> {
  const file = join(dir, KEY_FILE);
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as { privateJwk: DevKeyPair['privateJwk']; publicJwk: unknown };
    const publicJwk = publicJwkSchema.parse(stored.publicJwk);
    return { kid: publicJwk.kid, alg: publicJwk.alg, privateJwk: stored.privateJwk, publicJwk };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') fail(`cannot read ${file}: ${(error as Error).message}`);
  }
  const pair = await generateDevKeyPair(alg);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(file, JSON.stringify({ privateJwk: pair.privateJwk, publicJwk: pair.publicJwk }, null, 2), { mode: 0o600 });
  process.stderr.write(`mint-token: created a dev key pair in ${file}\n`);
  return pair;
}

async function main(): Promise<void> {
  try {
    assertNotProduction(process.env.NODE_ENV);
  } catch (error) {
    fail((error as Error).message);
  }
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      role: { type: 'string', multiple: true },
      audience: { type: 'string' },
      subject: { type: 'string', default: 'dev-user' },
      department: { type: 'string' },
      centre: { type: 'string' },
      ttl: { type: 'string', default: '3600' },
      issuer: { type: 'string', default: 'govsvc-dev' },
      dir: { type: 'string', default: process.env.GOVSVC_DEV_KEYS_DIR ?? join(homedir(), '.config', 'govsvc', 'dev-keys') },
      alg: { type: 'string', default: 'EdDSA' },
    },
  });
  const alg = values.alg as JwtAlgorithm;
  if (!JWT_ALGORITHMS.includes(alg)) fail(`--alg must be one of ${JWT_ALGORITHMS.join(', ')}`);
  const keys = await loadOrCreateKeys(values.dir, alg);

  if (positionals[0] === 'keys') {
    process.stdout.write(`JWT_ISSUER=${values.issuer}\nJWT_ALGORITHMS=${keys.alg}\nJWT_PUBLIC_KEYS='${jwksOf(keys.publicJwk)}'\n`);
    return;
  }
  if (positionals.length > 0) fail(`unknown command ${positionals.join(' ')}; use "keys" or options only`);

  const roles = values.role ?? [];
  const problems: string[] = [];
  if (roles.length === 0) problems.push(`--role is required (one or more of ${ROLES.join(', ')})`);
  const unknown = roles.filter((r) => !isRole(r));
  if (unknown.length > 0) problems.push(`--role: unknown ${unknown.join(', ')}; known roles are ${ROLES.join(', ')}`);
  if (values.audience === undefined) problems.push('--audience is required (the SERVICE_NAME of the service to call)');
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > 7 * 24 * 3600) problems.push('--ttl must be a whole number of seconds, at most one week');
  if (problems.length > 0) fail(problems.join('\n  '));

  const token = await mintDevToken(keys, {
    issuer: values.issuer,
    audience: values.audience as string,
    subject: values.subject,
    roles: roles.filter(isRole),
    ttlSeconds: ttl,
    ...(values.department !== undefined && { department: values.department }),
    ...(values.centre !== undefined && { centre: values.centre }),
  });
  process.stdout.write(`${token}\n`);
}

await main();
