/**
 * Who else wants a hint (wake-interest.ts): the set arithmetic, and the writer's cached view of the
 * table (how stale it may be, when it is read again, and that it fails open). The table itself, on a
 * real PostgreSQL with several stores, is in postgres/wake-hints.int.spec.ts.
 */
import { describe, expect, it } from 'vitest';
import type { SqlDriver } from './executor.ts';
import { anyWants, createWakeInterest, grew, unionOf } from './wake-interest.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A driver that answers the table's read with `rows()` and counts the reads; writes are recorded. */
function tableDriver(rows: () => { categories: string[] | null }[] | Error) {
  let reads = 0;
  const writes: string[] = [];
  const query = async (text: string) => {
    if (text.startsWith('SELECT categories')) {
      reads += 1;
      const answer = rows();
      if (answer instanceof Error) throw answer;
      return answer;
    }
    writes.push(text.includes('pg_notify') ? 'notify' : text.startsWith('DELETE') ? 'delete' : 'upsert');
    return [];
  };
  const driver = { query, atomic: query, transaction: async () => Promise.reject(new Error('unused')), listen: async () => async () => undefined, close: async () => undefined };
  return { driver: driver as unknown as SqlDriver, reads: () => reads, writes };
}

describe('wake interest', () => {
  it('knows whether anyone follows a category written, and what subscriptions follow together', () => {
    expect(anyWants([new Set(['a']), new Set(['b'])], new Set(['c', 'b']))).toBe(true);
    expect(anyWants([new Set(['a'])], new Set(['c']))).toBe(false);
    expect(anyWants(['all'], new Set(['c']))).toBe(true);
    expect(anyWants([], new Set(['c']))).toBe(false);
    expect(unionOf([])).toBeUndefined();
    expect(unionOf([new Set(['a']), new Set(['b', 'a'])])).toEqual(new Set(['a', 'b']));
    expect(unionOf([new Set(['a']), 'all'])).toBe('all');
    expect(grew(undefined, new Set())).toBe(true);
    expect(grew(new Set(['a']), new Set(['a']))).toBe(false);
    expect(grew(new Set(['a']), new Set(['a', 'b']))).toBe(true);
    expect(grew(new Set(['a', 'b']), new Set(['a']))).toBe(false);
    expect(grew('all', new Set(['a']))).toBe(false);
    expect(grew(new Set(['a']), 'all')).toBe(true);
    expect(grew(new Set(['a']), undefined)).toBe(false);
  });

  it('reads the table at most once per refresh interval, again at once after invalidate, and once for callers asking together', async () => {
    const table = tableDriver(() => [{ categories: ['a'] }]);
    const interest = createWakeInterest(table.driver, { channel: 'c', listenerId: 'me', refreshMs: 150 });
    expect(await Promise.all([interest.othersWant(new Set(['a'])), interest.othersWant(new Set(['b']))])).toEqual([true, false]);
    expect(table.reads()).toBe(1);
    await interest.othersWant(new Set(['a']));
    expect(table.reads()).toBe(1);
    interest.invalidate();
    await interest.othersWant(new Set(['a']));
    expect(table.reads()).toBe(2);
    await sleep(200);
    await interest.othersWant(new Set(['a']));
    expect(table.reads()).toBe(3);
    expect(await interest.othersWant(new Set())).toBe(false);
    expect(table.reads()).toBe(3);
  });

  it('fails open: a table it cannot read means notify', async () => {
    const interest = createWakeInterest(tableDriver(() => new Error('relation "wake_listeners" does not exist')).driver, { channel: 'c', listenerId: 'me' });
    expect(await interest.othersWant(new Set(['a']))).toBe(true);
  });

  it('announces only a growing interest, applies declarations in order, and removes its row on close', async () => {
    const table = tableDriver(() => []);
    const interest = createWakeInterest(table.driver, { channel: 'c', listenerId: 'me' });
    void interest.declare(new Set(['a']));
    void interest.declare(new Set(['a', 'b']));
    void interest.declare(new Set(['b']));
    await interest.declare(undefined);
    expect(table.writes).toEqual(['upsert', 'notify', 'upsert', 'notify', 'upsert', 'delete']);
    await interest.close();
    expect(table.writes.at(-1)).toBe('delete');
    await interest.declare(new Set(['c']));
    expect(table.writes).toHaveLength(7);
  });
});
