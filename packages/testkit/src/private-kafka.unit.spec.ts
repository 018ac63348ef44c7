import { describe, expect, it } from 'vitest';
import { clusterId } from './private-kafka.ts';

describe('private Kafka cluster ids', () => {
  it('never start with "-", which the storage tool would read as an option (one in 64 random ids does)', () => {
    const ids = Array.from({ length: 5_000 }, () => clusterId());
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
    expect(ids.every((id) => /^[A-Za-z0-9_-]{22}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
