import { describe, expect, it } from 'vitest';
import { RecencyCache } from './recency-cache.ts';

describe('RecencyCache', () => {
  it('holds at most its capacity, and keeps what is used while others come and go', () => {
    const cache = new RecencyCache<string, number>(4);
    for (let i = 0; i < 100; i++) {
      cache.set(`k${i}`, i);
      expect(cache.get('hot') ?? (cache.set('hot', -1), -1)).toBe(-1); // used between every insertion
      expect(cache.size).toBeLessThanOrEqual(4);
    }
    expect(cache.get('hot')).toBe(-1);
    expect(cache.get('k99')).toBe(99);
    expect(cache.get('k0')).toBeUndefined();
  });

  it('an entry survives at least capacity / 2 insertions of others, and is gone after capacity of them', () => {
    const cache = new RecencyCache<string, number>(10);
    cache.set('a', 1);
    for (let i = 0; i < 4; i++) cache.set(`x${i}`, i);
    expect(cache.get('a')).toBe(1); // moved to the young generation again
    for (let i = 0; i < 10; i++) cache.set(`y${i}`, i);
    expect(cache.get('a')).toBeUndefined();
  });

  it('set replaces, delete forgets, and a capacity of 0 holds nothing', () => {
    const cache = new RecencyCache<string, number>(6);
    cache.set('a', 1);
    cache.set('a', 2);
    expect(cache.get('a')).toBe(2);
    for (let i = 0; i < 3; i++) cache.set(`x${i}`, i); // 'a' now in the old generation
    cache.set('a', 3);
    expect(cache.get('a')).toBe(3);
    expect(cache.size).toBe(4);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    const none = new RecencyCache<string, number>(0);
    none.set('a', 1);
    expect(none.get('a')).toBeUndefined();
    expect(none.size).toBe(0);
  });
});
