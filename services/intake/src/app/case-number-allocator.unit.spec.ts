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

  it('R-ACC-1: after 99,999 numbers in a day the region gets none (the number would no longer be readable)', async () => {
    const numbers = new InMemoryCaseNumberAllocator();
    for (let i = 0; i < MAX_SEQUENCE; i++) await numbers.next('110105', '2026-11-26');
    await expect(numbers.next('110105', '2026-11-26')).rejects.toThrow(/no case numbers left for region 110105 on 2026-11-26/);
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
