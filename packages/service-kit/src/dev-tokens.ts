/**
 * Development tokens: a key pair and signed JWTs for local runs and tests.
 * Never for production: `assertNotProduction` guards the CLI, and a
 * production deployment configures only the real issuer's public keys.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { JwtAlgorithm, PublicJwk } from './config.ts';
import type { Role } from './principal.ts';

export interface DevKeyPair {
  readonly kid: string;
  readonly alg: JwtAlgorithm;
  /** Private JWK (with `d`): keep it out of service configuration. */
  readonly privateJwk: JWK & { kid: string; alg: JwtAlgorithm };
  /** Public JWK for `JWT_PUBLIC_KEYS`. */
  readonly publicJwk: PublicJwk;
}

/** Refuses to go on when `nodeEnv` is production. */
export function assertNotProduction(nodeEnv: string | undefined): void {
  if (nodeEnv === 'production') {
    throw new Error('dev tokens are refused when NODE_ENV=production: use the real identity provider');
  }
}

/** Generates a signing key pair (EdDSA by default) with a fresh `kid`. */
export async function generateDevKeyPair(alg: JwtAlgorithm = 'EdDSA', kid = `dev-${randomUUID().slice(0, 8)}`): Promise<DevKeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } as PublicJwk;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateJwk, publicJwk };
}

/** A JWK Set string for `JWT_PUBLIC_KEYS`. */
export function jwksOf(...keys: PublicJwk[]): string {
  return JSON.stringify({ keys });
}

export interface MintOptions {
  readonly issuer: string;
  /** The service the token is for (its SERVICE_NAME). */
  readonly audience: string;
  readonly subject: string;
  readonly roles: readonly Role[];
  readonly department?: string;
  readonly centre?: string;
  /** Lifetime in seconds; default one hour. */
  readonly ttlSeconds?: number;
  /** Issue time in seconds since the epoch; default now (tests pass past times for expired tokens). */
  readonly issuedAt?: number;
  /** `nbf` in seconds since the epoch, when the token should not be valid before it. */
  readonly notBefore?: number;
}

/** Signs a token with the dev private key. */
export async function mintDevToken(key: Pick<DevKeyPair, 'privateJwk'>, options: MintOptions): Promise<string> {
  const { privateJwk } = key;
  const privateKey = await importJWK(privateJwk, privateJwk.alg);
  const issuedAt = options.issuedAt ?? Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({
    roles: [...options.roles],
    ...(options.department !== undefined && { department: options.department }),
    ...(options.centre !== undefined && { centre: options.centre }),
  })
    .setProtectedHeader({ alg: privateJwk.alg, kid: privateJwk.kid, typ: 'JWT' })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(options.subject)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (options.ttlSeconds ?? 3600));
  if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
  return jwt.sign(privateKey);
}
