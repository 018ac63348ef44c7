/**
 * The key material of a standalone run. A deployment gives every secret in
 * the environment (and production refuses to start otherwise, see
 * `config.ts`). A development run generates what is missing on its first
 * start into `<data>/keys` (mode 0600) and reuses it afterwards, because a
 * restart must keep working with what it wrote before: contacts sealed by
 * intake must still open in delivery and courier, documents sealed before the
 * restart must still verify, tokens printed before must still be accepted.
 *
 * The JWT key pair uses the file name and format of the service kit's
 * `mint-token` (`signing-key.json`), so `mint-token --dir data/keys` mints
 * tokens this process accepts.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_SEALS } from '@govsvc/intake/app/defaults';
import { generateSealKey, sealKeySchema, type SealKey } from '@govsvc/intake/app/seal';
import { generateSealKeySet, SealKeySet } from '@govsvc/review/app/seal-signer';
import { publicJwkSchema } from '@govsvc/service-kit/config';
import { assertNotProduction, generateDevKeyPair, type DevKeyPair } from '@govsvc/service-kit/dev-tokens';
import type { StandaloneConfig } from './config.ts';

export interface StandaloneSecrets {
  /** Present when this run signs its own dev tokens (no JWT_PUBLIC_KEYS given). */
  readonly devJwt: DevKeyPair | null;
  /** `id:base64(32 bytes)[,…]`: intake seals applicants' contacts with it, delivery and courier open them. */
  readonly contactKeys: string;
  readonly intakeSealKeys: readonly SealKey[];
  readonly reviewSealKeys: SealKeySet;
  readonly documentSigningKeyPem: string;
  /** Webhook secret per carrier (the local carrier's among them). */
  readonly carrierSecrets: ReadonlyMap<string, string>;
  readonly consoleSecret: string;
}

const JWT_KEY_FILE = 'signing-key.json';
const SECRETS_FILE = 'secrets.json';

const storedSecretsSchema = z.object({
  contactKeys: z.string().min(1),
  intakeSealKeys: z.array(sealKeySchema).min(1),
  reviewSealKeys: SealKeySet,
  documentSigningKeyPem: z.string().min(1),
  carrierSecrets: z.string().min(1),
  consoleSecret: z.string().min(32),
});
type StoredSecrets = z.infer<typeof storedSecretsSchema>;

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
}

async function writeSecret(file: string, value: unknown): Promise<void> {
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}

/** The dev JWT key pair in `<keysDir>/signing-key.json`, created on first use. */
export async function loadOrCreateDevJwtKeys(keysDir: string): Promise<{ pair: DevKeyPair; created: boolean }> {
  const file = join(keysDir, JWT_KEY_FILE);
  const stored = (await readJson(file)) as { privateJwk: DevKeyPair['privateJwk']; publicJwk: unknown } | undefined;
  if (stored) {
    const publicJwk = publicJwkSchema.parse(stored.publicJwk);
    return { pair: { kid: publicJwk.kid, alg: publicJwk.alg, privateJwk: stored.privateJwk, publicJwk }, created: false };
  }
  const pair = await generateDevKeyPair('EdDSA');
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  await writeSecret(file, { privateJwk: pair.privateJwk, publicJwk: pair.publicJwk });
  return { pair, created: true };
}

function generateSecrets(): StoredSecrets {
  const documentKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    contactKeys: `dev-contact-1:${randomBytes(32).toString('base64')}`,
    intakeSealKeys: DEFAULT_SEALS.map((seal) => generateSealKey(`dev-${seal.sealId}`, seal.sealId)),
    reviewSealKeys: generateSealKeySet(),
    documentSigningKeyPem: documentKey,
    carrierSecrets: `local:${randomBytes(32).toString('base64url')}`,
    consoleSecret: randomBytes(32).toString('base64url'),
  };
}

/** `carrier:secret[,…]`, the courier's format. */
export function parseCarrierSecrets(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of text.split(',').filter(Boolean)) {
    const at = pair.indexOf(':');
    if (at <= 0 || pair.length - at - 1 < 32) throw new Error('CARRIER_SECRETS: each entry is <carrier>:<secret of 32+ characters>');
    map.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return map;
}

/**
 * Every secret: from the environment when given, else from `<data>/keys`
 * (generated there on first start). Generation is refused in production.
 */
export async function loadSecrets(config: StandaloneConfig): Promise<{ secrets: StandaloneSecrets; generated: string[] }> {
  const keysDir = join(config.GOVSVC_DATA_DIR, 'keys');
  const generated: string[] = [];
  let devJwt: DevKeyPair | null = null;
  if (!config.JWT_PUBLIC_KEYS) {
    assertNotProduction(config.NODE_ENV);
    const { pair, created } = await loadOrCreateDevJwtKeys(keysDir);
    if (created) generated.push(join(keysDir, JWT_KEY_FILE));
    devJwt = pair;
  }

  const fromEnv = {
    contactKeys: config.APPLICANT_CONTACT_KEYS,
    intakeSealKeys: config.INTAKE_SEAL_KEYS === undefined ? undefined : z.array(sealKeySchema).min(1).parse(JSON.parse(config.INTAKE_SEAL_KEYS)),
    reviewSealKeys: config.REVIEW_SEAL_KEYS === undefined ? undefined : SealKeySet.parse(JSON.parse(config.REVIEW_SEAL_KEYS)),
    documentSigningKeyPem: config.DOCUMENT_SIGNING_KEY_PEM,
    carrierSecrets: config.CARRIER_SECRETS,
    consoleSecret: config.CONSOLE_SESSION_SECRET,
  };
  let stored: StoredSecrets | undefined;
  if (Object.values(fromEnv).some((value) => value === undefined)) {
    assertNotProduction(config.NODE_ENV);
    const file = join(keysDir, SECRETS_FILE);
    const existing = await readJson(file);
    if (existing === undefined) {
      stored = generateSecrets();
      await mkdir(keysDir, { recursive: true, mode: 0o700 });
      await writeSecret(file, stored);
      generated.push(file);
    } else {
      stored = storedSecretsSchema.parse(existing);
    }
  }
  const pick = <K extends keyof StoredSecrets>(key: K): StoredSecrets[K] => (fromEnv[key] as StoredSecrets[K] | undefined) ?? stored![key];
  return {
    secrets: {
      devJwt,
      contactKeys: pick('contactKeys'),
      intakeSealKeys: pick('intakeSealKeys'),
      reviewSealKeys: pick('reviewSealKeys'),
      documentSigningKeyPem: pick('documentSigningKeyPem'),
      carrierSecrets: parseCarrierSecrets(pick('carrierSecrets')),
      consoleSecret: pick('consoleSecret'),
    },
    generated,
  };
}
