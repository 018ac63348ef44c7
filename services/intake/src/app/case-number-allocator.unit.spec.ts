import { describe, expect, it } from 'vitest';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import { defaultCaseNumberAllocator } from '../module.ts';
import { InMemoryCaseNumberAllocator } from './case-number-allocator.ts';
import { checkSequenceKey, formatCaseNumber, MAX_SEQUENCE } from '../domain/case-number.ts';

describe('case numbers', () => {
  it('R-ACC-1: the first case of the day in a region is 京<region><yyyymmdd>00001', async () => {
    expect(formatCaseNumber('110105', '2026-11-26', 1)).toBe('京1101052026112600001');
    expect(await new InMemoryCaseNumberAllocator().next('110105', '2026-11-26')).toBe('京1101052026112600001');
  });

  it('R-ACC-1: each region and day counts on its own; the next case takes the next number', async () => {
    const numbers = new InMemoryCaseNumberAllocator();
    expect(await numbers.next('110105', '2026-11-26')).toBe('京1101052026112600001');
    expect(await numbers.next('110105', '2026-11-26')).toBe('京1101052026112600002');
    expect(await numbers.next('110108', '2026-11-26')).toBe('京1101082026112600001');
    expect(await numbers.next('110105', '2026-11-27')).toBe('京1101052026112700001');
  });

  it('R-ACC-1, issue 8: past 99,999 in a day the sequence goes on with more digits, and no number repeats', async () => {
    const numbers = new InMemoryCaseNumberAllocator();
    const seen = new Set<string>();
    for (let i = 0; i < 99_999; i++) seen.add(await numbers.next('110105', '2026-11-26'));
    expect(seen.size).toBe(99_999);
    const next = await numbers.next('110105', '2026-11-26');
    expect(next).toBe('京11010520261126100000');
    expect(seen.has(next)).toBe(false);
  });

  it('writes the sequence with at least 5 digits, up to the 7 of the day’s last number', () => {
    expect(formatCaseNumber('110105', '2026-11-26', 99_999)).toBe('京1101052026112699999');
    expect(formatCaseNumber('110105', '2026-11-26', 100_000)).toBe('京11010520261126100000');
    expect(MAX_SEQUENCE).toBe(9_999_999);
    expect(formatCaseNumber('110105', '2026-11-26', MAX_SEQUENCE)).toBe('京1101052026112699999' + '99');
  });

  it('refuses a region or date that would not make a readable number', () => {
    expect(() => checkSequenceKey('11010', '2026-11-26')).toThrow(/6 digits/);
    expect(() => checkSequenceKey('110105"; DROP', '2026-11-26')).toThrow(/6 digits/);
    expect(() => checkSequenceKey('110105', '20261126')).toThrow(/YYYY-MM-DD/);
  });

  it('the default allocator: in memory for the in-memory store; refused for a store with no SQL database (no silent counter)', () => {
    expect(defaultCaseNumberAllocator(createInMemoryEventStore())).toBeInstanceOf(InMemoryCaseNumberAllocator);
    const { allEvents: _allEvents, ...withoutSql } = createInMemoryEventStore();
    expect(() => defaultCaseNumberAllocator(withoutSql as EventStore)).toThrow(/pass caseNumbers/);
  });
});
