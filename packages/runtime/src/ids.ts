/**
 * Ids are a port too: production uses random UUIDs; tests use a sequence so
 * expected events can be written down. Deterministic ids derived from a name
 * (UUID v5-style over SHA-1) make retried commands and redelivered messages
 * produce the same event ids, which the event store deduplicates.
 */
import * as crypto from 'node:crypto';

export interface IdGenerator {
  next(): string;
}

export const randomIds: IdGenerator = { next: () => crypto.randomUUID() };

/** `00000000-0000-4000-8000-000000000001`, `…002`, …: readable ids for tests. */
export function sequentialIds(start = 1): IdGenerator {
  let n = start;
  return { next: () => `00000000-0000-4000-8000-${(n++).toString(16).padStart(12, '0')}` };
}

// The one-shot crypto.hash (Node >= 20.12): the same digest without a Hash object (issue 8). Older Nodes keep createHash.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'buffer') => Buffer }).hash;
const sha1 = (text: string): Buffer => (oneShot ? oneShot('sha1', text, 'buffer') : crypto.createHash('sha1').update(text, 'utf8').digest());

/** A stable UUID (version 5 layout) for a name inside a namespace, e.g. (`relay`, `${eventId}`). */
export function deterministicId(namespace: string, name: string): string {
  const bytes = sha1(`${namespace}\u0000${name}`).subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
