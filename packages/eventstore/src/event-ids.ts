/**
 * Event ids. Random by default; deterministic when an append must be
 * idempotent across retries (a command id, a Kafka message id): the same seed
 * yields the same ids, so the store recognises the retry.
 */
import * as crypto from 'node:crypto';

export const newEventId = (): string => crypto.randomUUID();

// The one-shot crypto.hash (Node >= 20.12) gives createHash's digest without a Hash object: 1.6 against
// 2.5 µs here, and every command computes at least one of these (issue 8). Older Nodes keep createHash.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'buffer') => Buffer }).hash;
const sha256 = (text: string): Buffer => (oneShot ? oneShot('sha256', text, 'buffer') : crypto.createHash('sha256').update(text, 'utf8').digest());

/**
 * The UUID for event `index` of the effect identified by `seed`: a name-based
 * UUID (RFC 9562 version 8 layout) from SHA-256 of the seed and index.
 */
export function deterministicEventId(seed: string, index: number): string {
  const bytes = sha256(`${seed}\u0000${index}`).subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8 (custom, name-based)
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `(index) => id` for `handleCommand`'s `eventIds` option. */
export const deterministicEventIds =
  (seed: string) =>
  (index: number): string =>
    deterministicEventId(seed, index);
