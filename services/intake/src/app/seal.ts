/**
 * Electronic seals (R-ACC-3, R-PLAT-4 / measures Art. 34). The SealSigner
 * port signs a document's canonical content with the key of the seal the
 * document bears. This adapter signs with Ed25519 keys from configuration,
 * each with a key id; a deployment plugs the government's unified e-seal
 * system (SM2/SM3, GB/T 38540) in behind the same port.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { RuleViolation } from '@govsvc/errors/errors';
import { canonicalJson } from '../domain/canonical-json.ts';
import { SEAL_KINDS, type DocumentContent, type Seal, type SealedDocument, type SealKind } from '../domain/document.ts';

/** A seal's public verification key, as published at `GET /intake/seal-keys`. */
export interface SealPublicKey {
  readonly keyId: string;
  readonly sealId: string;
  readonly algorithm: 'Ed25519';
  /** Public key as a JWK (`kty: OKP`, `crv: Ed25519`, `x`). */
  readonly jwk: { readonly kty: 'OKP'; readonly crv: 'Ed25519'; readonly x: string };
}

export interface SealSigner {
  /** Seals `content` with the key of `content.seal.sealId`; refuses a seal it holds no key for. */
  seal(content: DocumentContent): Promise<SealedDocument>;
  publicKeys(): readonly SealPublicKey[];
}

export const sealKeySchema = z.object({
  keyId: z.string().min(1).max(100),
  sealId: z.string().min(1).max(100),
  /** Ed25519 private key as a JWK (with `d`). Secret: comes from the environment, never from the repository. */
  privateJwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string().min(1), d: z.string().min(1) }),
});
export type SealKey = z.infer<typeof sealKeySchema>;

/** Which seal a body uses for which purpose: the seal register. */
export const sealRegistrationSchema = z.object({
  sealId: z.string().min(1).max(100),
  kind: z.enum(Object.keys(SEAL_KINDS) as [SealKind, ...SealKind[]]),
  /** Legend on the seal, e.g. 北京市朝阳区市场监督管理局审批业务专用章. */
  name: z.string().min(1).max(200),
  /** The body (implementing department or entrusted body) the seal belongs to. */
  owner: z.string().min(1).max(200),
});
export type SealRegistration = z.infer<typeof sealRegistrationSchema>;

export function ed25519SealSigner(keys: readonly SealKey[]): SealSigner {
  const bySeal = new Map<string, { key: SealKey; privateKey: KeyObject }>();
  for (const key of keys) {
    if (bySeal.has(key.sealId)) throw new Error(`two keys configured for seal ${key.sealId}`);
    bySeal.set(key.sealId, { key, privateKey: createPrivateKey({ key: key.privateJwk as JsonWebKey, format: 'jwk' }) });
  }
  const publicKeys: SealPublicKey[] = keys.map((k) => ({
    keyId: k.keyId,
    sealId: k.sealId,
    algorithm: 'Ed25519',
    jwk: { kty: 'OKP', crv: 'Ed25519', x: k.privateJwk.x },
  }));
  return {
    async seal(content) {
      const entry = bySeal.get(content.seal.sealId);
      if (!entry) throw new RuleViolation('R-ACC-3', `no signing key is configured for seal ${content.seal.sealId}`);
      const value = sign(null, Buffer.from(canonicalJson(content), 'utf8'), entry.privateKey).toString('base64url');
      return { content, signature: { algorithm: 'Ed25519', keyId: entry.key.keyId, value } };
    },
    publicKeys: () => publicKeys,
  };
}

/** A fresh Ed25519 seal key (development and tests; production keys come from the e-seal system). */
export function generateSealKey(keyId: string, sealId: string): SealKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' }) as { x: string; d: string };
  return { keyId, sealId, privateJwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d } };
}

export type Verification =
  | { readonly valid: true; readonly keyId: string; readonly sealId: string }
  | { readonly valid: false; readonly reason: string };

/** Checks that the signature is the named key's over this exact content, and that the key belongs to the seal shown. */
export function verifySealedDocument(document: SealedDocument, keys: readonly SealPublicKey[]): Verification {
  const key = keys.find((k) => k.keyId === document.signature.keyId);
  if (!key) return { valid: false, reason: `unknown key ${document.signature.keyId}` };
  if (key.sealId !== document.content.seal.sealId) return { valid: false, reason: `key ${key.keyId} belongs to seal ${key.sealId}, not ${document.content.seal.sealId}` };
  const publicKey = createPublicKey({ key: key.jwk as JsonWebKey, format: 'jwk' });
  const ok = verify(null, Buffer.from(canonicalJson(document.content), 'utf8'), publicKey, Buffer.from(document.signature.value, 'base64url'));
  return ok ? { valid: true, keyId: key.keyId, sealId: key.sealId } : { valid: false, reason: 'the signature does not match the content' };
}

/**
 * The seal an acceptance document bears (R-ACC-3): the 审批业务专用章 of the
 * implementing body, else its department seal; when acceptance is entrusted,
 * the entrusted body's seal, else the 审批业务专用章.
 */
export function chooseSeal(register: readonly SealRegistration[], implementingBody: string, entrustedBody: string | null): Seal {
  const find = (owner: string, kind: SealKind) => register.find((s) => s.owner === owner && s.kind === kind);
  const chosen =
    entrustedBody !== null
      ? (find(entrustedBody, 'entrusted-body') ?? find(implementingBody, 'approval-business'))
      : (find(implementingBody, 'approval-business') ?? find(implementingBody, 'department'));
  if (!chosen) {
    throw new RuleViolation('R-ACC-3', `no seal is registered for ${entrustedBody ?? implementingBody}: documents cannot be issued without one`);
  }
  return { kind: chosen.kind, sealId: chosen.sealId, name: chosen.name };
}
