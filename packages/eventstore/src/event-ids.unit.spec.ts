import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deterministicEventId, deterministicEventIds } from './event-ids.ts';

/** The definition: SHA-256 of `seed NUL index`, first 16 bytes, version 8 and the RFC variant. */
const reference = (seed: string, index: number): string => {
  const bytes = createHash('sha256').update(`${seed}\u0000${index}`, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

describe('deterministic event ids', () => {
  it('never change between releases: a retry spanning an upgrade must find the ids it stored', () => {
    expect(deterministicEventId('intake-case|submit', 0)).toBe('e1765aa0-eadd-8d0f-b8f0-82a595f7bb48');
    expect(deterministicEventId('中文|seed', 7)).toBe('7fba1a2f-f71c-8758-9994-69f22b3815f8');
  });

  it('are the SHA-256 name-based UUIDs of their seed and index, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.nat(1_000), (seed, index) => {
        expect(deterministicEventId(seed, index)).toBe(reference(seed, index));
        expect(deterministicEventIds(seed)(index)).toBe(reference(seed, index));
      }),
      { numRuns: 300 },
    );
  });
});
