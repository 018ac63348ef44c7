/**
 * The contract every `RateLimitStore` adapter passes (in-memory in
 * `rate-limit.unit.spec.ts`, Redis in `rate-limit-redis.int.spec.ts`).
 */
import { describe, expect, it } from 'vitest';
import type { RateLimitStore } from './rate-limit.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeRateLimitStoreContract(name: string, factory: () => Promise<{ store: RateLimitStore; teardown: () => Promise<void> }>): void {
  describe(`RateLimitStore contract: ${name}`, () => {
    const withStore = async (body: (store: RateLimitStore) => Promise<void>) => {
      const { store, teardown } = await factory();
      try {
        await body(store);
      } finally {
        await teardown();
      }
    };

    it('counts hits per key within a window and reports the time left', () =>
      withStore(async (store) => {
        expect((await store.hit('a', 10_000)).count).toBe(1);
        const second = await store.hit('a', 10_000);
        expect(second.count).toBe(2);
        expect(second.resetInMs).toBeGreaterThan(8_000);
        expect(second.resetInMs).toBeLessThanOrEqual(10_000);
        expect((await store.hit('b', 10_000)).count).toBe(1);
      }));

    it('peek reads without counting; an unknown key reads 0', () =>
      withStore(async (store) => {
        expect(await store.peek('nobody')).toEqual({ count: 0, resetInMs: 0 });
        await store.hit('c', 10_000);
        expect((await store.peek('c')).count).toBe(1);
        expect((await store.peek('c')).count).toBe(1);
      }));

    it('starts over once the window ends', () =>
      withStore(async (store) => {
        await store.hit('d', 150);
        await store.hit('d', 150);
        await sleep(220);
        expect((await store.peek('d')).count).toBe(0);
        expect((await store.hit('d', 150)).count).toBe(1);
      }));

    it('concurrent hits on one key each get a distinct count (atomic)', () =>
      withStore(async (store) => {
        const counts = await Promise.all(Array.from({ length: 50 }, () => store.hit('e', 10_000)));
        expect(counts.map((s) => s.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      }));
  });
}
