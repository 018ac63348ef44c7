/**
 * The SealSigner port: electronic seals (Art. 34; R-REV-2, R-REV-3) as
 * Ed25519 signatures over a canonical JSON document, by keys the deployment
 * gives us (a deployment may plug the government's unified e-seal system in
 * behind the same port). Keys carry ids, so a rotated key still verifies
 * what it signed.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '@govsvc/errors/errors';

/** JSON with object keys sorted at every level: the same document always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}

export interface SealSignature {
  readonly keyId: string;
  readonly algorithm: 'Ed25519';
  /** base64url */
  readonly signature: string;
}

export interface SealSigner {
  /** Id of the seal the signatures stand for (e.g. the 审批业务专用章 in the e-seal system). */
  readonly sealId: string;
  sign(document: unknown): Promise<SealSignature>;
  /** False for a wrong signature, a changed document or an unknown key id. */
  verify(document: unknown, signature: SealSignature): Promise<boolean>;
}

/** One seal key as an OKP/Ed25519 JWK; without `d` it only verifies (a retired key). */
export const SealKeyJwk = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  kid: z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/),
  x: z.string().min(1),
  d: z.string().min(1).optional(),
});

export const SealKeySet = z.object({
  sealId: z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/),
  /** kid of the key that signs now. */
  active: z.string().min(1),
  keys: z.array(SealKeyJwk).min(1),
});
export type SealKeySet = z.infer<typeof SealKeySet>;

export function ed25519SealSigner(config: SealKeySet): SealSigner {
  const publicKeys = new Map<string, KeyObject>();
  let signingKey: KeyObject | undefined;
  for (const jwk of config.keys) {
    publicKeys.set(jwk.kid, createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' }));
    if (jwk.kid === config.active) {
      if (!jwk.d) throw new ValidationError('the active seal key must be a private key', [{ path: '/keys', reason: `${jwk.kid} has no d` }]);
      signingKey = createPrivateKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d }, format: 'jwk' });
    }
  }
  if (!signingKey) throw new ValidationError('no active seal key', [{ path: '/active', reason: `no key ${config.active}` }]);
  const key = signingKey;
  return {
    sealId: config.sealId,
    async sign(document) {
      const signature = sign(null, Buffer.from(canonicalJson(document), 'utf8'), key);
      return { keyId: config.active, algorithm: 'Ed25519', signature: signature.toString('base64url') };
    },
    async verify(document, signature) {
      const publicKey = publicKeys.get(signature.keyId);
      if (!publicKey || signature.algorithm !== 'Ed25519') return false;
      try {
        return verify(null, Buffer.from(canonicalJson(document), 'utf8'), publicKey, Buffer.from(signature.signature, 'base64url'));
      } catch {
        return false;
      }
    },
  };
}

/** A fresh key set (development and tests only; a deployment configures REVIEW_SEAL_KEYS). */
export function generateSealKeySet(sealId = 'seal-review-dev', kid = 'seal-dev-1'): SealKeySet {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' }) as { x: string; d: string };
  return { sealId, active: kid, keys: [{ kty: 'OKP', crv: 'Ed25519', kid, x: jwk.x, d: jwk.d }] };
}
