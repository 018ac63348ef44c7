import { describe, expect, it } from 'vitest';
import { FreshRead } from './fresh-read.ts';

/** A read that resolves when told to, recording when each read started. */
function controlledReads() {
  const started: number[] = [];
  const finish: (() => void)[] = [];
  let version = 0;
  const reads = new FreshRead<string>(async () => {
    started.push(version);
    await new Promise<void>((resolve) => finish.push(resolve));
  });
  return { reads, started, finish, bump: () => version++ };
}

describe('FreshRead', () => {
  it('callers during a running read share one next read, which starts after the running one ends', async () => {
    const { reads, started, finish, bump } = controlledReads();
    const first = reads.read('a');
    bump(); // something committed after the first read started
    const late = [reads.read('a'), reads.read('a'), reads.read('a')];
    expect(started).toEqual([0]);
    finish[0]!();
    await first;
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    // One more read for the three late callers, started after the commit they must see.
    expect(started).toEqual([0, 1]);
    finish[1]!();
    await Promise.all(late);
    expect(started).toHaveLength(2);
  });

  it('keys are read independently; a failed read fails its callers and the next call reads again', async () => {
    let fail = true;
    const keys: string[] = [];
    const reads = new FreshRead<string>(async (key) => {
      keys.push(key);
      if (fail) throw new Error('store down');
    });
    await expect(reads.read('a')).rejects.toThrow('store down');
    fail = false;
    await reads.read('a');
    await reads.read('b');
    expect(keys).toEqual(['a', 'a', 'b']);
  });
});
