/**
 * Signs the electronic result document (R-DELIV-1 electronic delivery,
 * R-PLAT-4): Ed25519 over the document bytes with a key the deployment gives
 * (the unified e-seal system plugs in behind the same port). The public key is
 * published so anyone holding the document can verify it.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

export interface DocumentSigner {
  readonly keyId: string;
  /** Base64 signature over `content`. */
  sign(content: Buffer): string;
  verify(content: Buffer, signature: string): boolean;
  /** PEM of the verification key. */
  publicKeyPem(): string;
}

export function createEd25519Signer(keyId: string, privateKeyPem?: string): DocumentSigner {
  const privateKey: KeyObject = privateKeyPem ? createPrivateKey(privateKeyPem) : generateKeyPairSync('ed25519').privateKey;
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the delivery signing key must be Ed25519');
  const publicKey = createPublicKey(privateKey);
  return {
    keyId,
    sign: (content) => sign(null, content, privateKey).toString('base64'),
    verify: (content, signature) => verify(null, content, publicKey, Buffer.from(signature, 'base64')),
    publicKeyPem: () => publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
