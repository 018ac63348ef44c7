/**
 * Signed global audit checkpoints (ADR 0003). A per-stream hash chain cannot
 * see its own tail deleted, nor a whole stream; so, periodically, the system
 * signs what every stream looked like: a map stream → (last revision, last
 * hash), and ships the signature somewhere the event store's operators cannot
 * rewrite (a file on another volume, a compacted Kafka topic).
 *
 * The signature covers the map's digest, not the map itself, so a sink may
 * carry the map apart from the signed record (a large map in chunks on Kafka).
 * Each checkpoint also links to the previous one (`previousDigest`), so the
 * sink's own history is a chain.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.ts';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hex digest');
const unsignedInteger = z.string().regex(/^(0|[1-9][0-9]*)$/, 'a non-negative integer as a string');

/** What the checkpoint says about one stream. */
export const streamCheckpointSchema = z.strictObject({
  /** Last revision covered (the stream had revision + 1 events). */
  revision: unsignedInteger,
  /** Hash of the event at that revision: it commits to the whole chain before it. */
  hash: hex64,
});

/** The published record (what sinks store and `verifyAll` reads). */
export const auditCheckpointSchema = z.strictObject({
  format: z.literal('govsvc.audit-checkpoint.v1'),
  /** 1, 2, 3 … per system; with `previousDigest`, a gap or a fork in the sink is visible. */
  sequence: z.number().int().min(1),
  previousDigest: hex64.nullable(),
  /** When it was signed (the checkpointer's clock). */
  createdAt: z.iso.datetime({ offset: true }),
  /** Global position of the last event covered (where the next checkpoint continues). */
  position: unsignedInteger,
  /** Events covered: the sum over streams of revision + 1. */
  eventCount: z.number().int().min(0),
  /** SHA-256 of the canonical JSON of `streams`. */
  streamsDigest: hex64,
  streams: z.record(z.string(), streamCheckpointSchema),
  /** Which audit key signed it (keys rotate; old checkpoints keep verifying with old public keys). */
  keyId: z.string().min(1).max(100),
  /** Ed25519 over the canonical JSON of every other field except `streams` (base64). */
  signature: z.string().min(1),
});

export type StreamCheckpoint = z.infer<typeof streamCheckpointSchema>;
export type AuditCheckpoint = z.infer<typeof auditCheckpointSchema>;

/** The system's audit signing key, from configuration. */
export interface AuditSigningKey {
  readonly keyId: string;
  /** Ed25519 private key: PKCS#8 PEM or a KeyObject. */
  readonly privateKey: string | KeyObject;
}

/** Public keys by key id: every key that ever signed, so rotated-out keys still verify their checkpoints. */
export type AuditKeyring = Readonly<Record<string, string | KeyObject>>;

/** A fresh Ed25519 key pair as PEM (for `pnpm govsvc`-style key ceremonies and tests). */
export function generateAuditKeyPair(keyId: string): { keyId: string; privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    keyId,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export const publicKeyOf = (key: AuditSigningKey): KeyObject => createPublicKey(typeof key.privateKey === 'string' ? createPrivateKey(key.privateKey) : key.privateKey);

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export const streamsDigestOf = (streams: AuditCheckpoint['streams']): string => sha256(canonicalJson(streams));

/** The exact bytes that are signed. */
export function signedBytes(checkpoint: Omit<AuditCheckpoint, 'signature' | 'streams'>): Buffer {
  const { format, sequence, previousDigest, createdAt, position, eventCount, streamsDigest, keyId } = checkpoint;
  return Buffer.from(canonicalJson({ format, sequence, previousDigest, createdAt, position, eventCount, streamsDigest, keyId }), 'utf8');
}

/** Digest of a whole checkpoint, which the next one links to. */
export const checkpointDigest = (checkpoint: AuditCheckpoint): string =>
  sha256(canonicalJson({ signed: signedBytes(checkpoint).toString('utf8'), signature: checkpoint.signature }));

export interface CheckpointContent {
  readonly sequence: number;
  readonly previousDigest: string | null;
  readonly createdAt: Date;
  readonly position: bigint;
  readonly streams: ReadonlyMap<string, { readonly revision: bigint; readonly hash: string }>;
}

export function signCheckpoint(content: CheckpointContent, key: AuditSigningKey): AuditCheckpoint {
  const streams: AuditCheckpoint['streams'] = {};
  let eventCount = 0;
  for (const [stream, { revision, hash }] of [...content.streams].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // defineProperty, not assignment: a stream named `__proto__` must stay a plain key.
    Object.defineProperty(streams, stream, { value: { revision: revision.toString(), hash }, enumerable: true, writable: true, configurable: true });
    eventCount += Number(revision) + 1;
  }
  const unsigned = {
    format: 'govsvc.audit-checkpoint.v1' as const,
    sequence: content.sequence,
    previousDigest: content.previousDigest,
    createdAt: content.createdAt.toISOString(),
    position: content.position.toString(),
    eventCount,
    streamsDigest: streamsDigestOf(streams),
    keyId: key.keyId,
  };
  const privateKey = typeof key.privateKey === 'string' ? createPrivateKey(key.privateKey) : key.privateKey;
  return { ...unsigned, streams, signature: sign(null, signedBytes(unsigned), privateKey).toString('base64') };
}

export type CheckpointCheck =
  | { readonly ok: true; readonly checkpoint: AuditCheckpoint }
  | { readonly ok: false; readonly kind: 'checkpoint-malformed' | 'unknown-key' | 'bad-signature'; readonly message: string };

/** Parses and authenticates a checkpoint: schema, known key, signature, map digest. */
export function checkCheckpoint(candidate: unknown, keyring: AuditKeyring): CheckpointCheck {
  const parsed = auditCheckpointSchema.safeParse(candidate);
  if (!parsed.success) {
    return { ok: false, kind: 'checkpoint-malformed', message: `checkpoint does not match its schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  }
  const checkpoint = parsed.data;
  const publicKey = Object.hasOwn(keyring, checkpoint.keyId) ? keyring[checkpoint.keyId] : undefined;
  if (!publicKey) {
    return { ok: false, kind: 'unknown-key', message: `checkpoint ${checkpoint.sequence} is signed with unknown key id ${JSON.stringify(checkpoint.keyId)}` };
  }
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  let valid = false;
  try {
    valid = verify(null, signedBytes(checkpoint), key, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    valid = false;
  }
  if (!valid) {
    return { ok: false, kind: 'bad-signature', message: `checkpoint ${checkpoint.sequence}: signature does not verify with key ${checkpoint.keyId} (forged, or copied from another checkpoint)` };
  }
  if (streamsDigestOf(checkpoint.streams) !== checkpoint.streamsDigest) {
    return { ok: false, kind: 'bad-signature', message: `checkpoint ${checkpoint.sequence}: the stream map does not match its signed digest` };
  }
  return { ok: true, checkpoint };
}
