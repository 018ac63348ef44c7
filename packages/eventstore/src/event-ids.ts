/**
 * Event ids. Random by default; deterministic when an append must be
 * idempotent across retries (a command id, a Kafka message id): the same seed
 * yields the same ids, so the store recognises the retry.
 */
import { randomUUID } from 'node:crypto';
import { sha256Bytes } from './sha256.ts';

export const newEventId = (): string => randomUUID();

/**
 * The UUID for event `index` of the effect identified by `seed`: a name-based
 * UUID (RFC 9562 version 8 layout) from SHA-256 of the seed and index.
 */
export function deterministicEventId(seed: string, index: number): string {
  const bytes = sha256Bytes(`${seed}\u0000${index}`).subarray(0, 16);
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
