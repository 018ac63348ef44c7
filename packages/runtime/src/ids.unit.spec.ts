import { describe, expect, it } from 'vitest';
import { deterministicId, randomIds, sequentialIds } from './ids.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[45][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('runtime: ids', () => {
  it('deterministic ids are stable per (namespace, name) and differ otherwise', () => {
    const a = deterministicId('relay', 'event-1');
    expect(a).toMatch(uuid);
    expect(deterministicId('relay', 'event-1')).toBe(a);
    expect(deterministicId('relay', 'event-2')).not.toBe(a);
    expect(deterministicId('other', 'event-1')).not.toBe(a);
  });

  it('deterministic ids never change between releases: stored events and retries spanning an upgrade rely on them', () => {
    expect(deterministicId('intake-case', 'applicant|key-1')).toBe('e17cfed2-6c00-59c0-bb2b-bbc385f1730b');
    expect(deterministicId('relay', '中文')).toBe('63c13ce2-abdd-52cc-88bd-4db1f3037619');
  });

  it('sequential ids count up and random ids are UUIDs', () => {
    const ids = sequentialIds();
    expect([ids.next(), ids.next()]).toEqual(['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002']);
    expect(randomIds.next()).toMatch(uuid);
  });
});
