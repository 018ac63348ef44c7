import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handleInKeyLanes } from './key-lanes.ts';

interface Msg {
  readonly i: number;
  readonly key: string | null;
  readonly fails: boolean;
}

const messagesArb = fc
  .array(fc.record({ key: fc.constantFrom<string | null>('a', 'b', 'c', 'd', null), fails: fc.integer({ min: 0, max: 9 }).map((n) => n === 0) }), { maxLength: 24 })
  .map((list) => list.map((m, i): Msg => ({ i, key: m.key, fails: m.fails })));

describe('handleInKeyLanes (the consumer side of per-case order, issue 3)', () => {
  it('keeps each key in order, never runs more than the concurrency, and reports the handled prefix', async () => {
    await fc.assert(
      fc.asyncProperty(messagesArb, fc.integer({ min: 1, max: 6 }), fc.scheduler(), async (messages, concurrency, s) => {
        const timeline: string[] = [];
        let running = 0;
        let mostRunning = 0;
        const progress: number[] = [];
        const run = handleInKeyLanes(messages, {
          concurrency,
          keyOf: (m) => m.key,
          handle: async (m) => {
            timeline.push(`start ${m.i}`);
            mostRunning = Math.max(mostRunning, ++running);
            try {
              await s.schedule(Promise.resolve(), `handler ${m.i}`);
              if (m.fails) throw new Error(`fails ${m.i}`);
              timeline.push(`ok ${m.i}`);
            } finally {
              running--;
              timeline.push(`end ${m.i}`);
            }
          },
          onProgress: (prefix) => {
            progress.push(prefix);
          },
        });
        await s.waitFor(run);
        const outcome = await run;

        expect(mostRunning).toBeLessThanOrEqual(concurrency);
        const at = (event: string) => timeline.indexOf(event);
        const started = messages.filter((m) => at(`start ${m.i}`) >= 0);
        // A key's message starts only after the one before it of the same key ended, and only if that one succeeded.
        for (const m of started) {
          const before = messages.filter((p) => p.i < m.i && p.key === m.key).pop();
          if (before) {
            expect(at(`ok ${before.i}`)).toBeGreaterThanOrEqual(0);
            expect(at(`start ${m.i}`)).toBeGreaterThan(at(`end ${before.i}`));
          }
        }
        // The prefix: every message before it handled, the one at it not.
        for (const m of messages.slice(0, outcome.prefix)) expect(at(`ok ${m.i}`)).toBeGreaterThanOrEqual(0);
        if (outcome.prefix < messages.length) expect(at(`ok ${outcome.prefix}`)).toBe(-1);
        const anyFailed = started.some((m) => m.fails);
        expect(outcome.failure !== undefined).toBe(anyFailed);
        if (!anyFailed) expect(outcome.prefix).toBe(messages.length);
        // Progress grows strictly and ends at the prefix.
        for (let k = 1; k < progress.length; k++) expect(progress[k]).toBeGreaterThan(progress[k - 1]!);
        expect(progress.at(-1) ?? 0).toBe(outcome.prefix);
      }),
      { numRuns: 300 },
    );
  });

  it('with concurrency 1 handles one message at a time, in partition order, whatever the keys', async () => {
    const timeline: string[] = [];
    const messages = ['a', 'b', 'a', null, 'c'].map((key, i) => ({ i, key }));
    const outcome = await handleInKeyLanes(messages, {
      concurrency: 1,
      keyOf: (m) => m.key,
      handle: async (m) => {
        timeline.push(`start ${m.i}`);
        await new Promise((resolve) => setTimeout(resolve, 1));
        timeline.push(`end ${m.i}`);
      },
    });
    expect(outcome).toEqual({ prefix: 5 });
    expect(timeline).toEqual(messages.flatMap((m) => [`start ${m.i}`, `end ${m.i}`]));
  });

  it('runs different keys at once: a slow head does not hold up the keys behind it', async () => {
    let releaseHead!: () => void;
    const head = new Promise<void>((resolve) => (releaseHead = resolve));
    const done: string[] = [];
    const run = handleInKeyLanes(['a1', 'b1', 'c1', 'a2'], {
      concurrency: 4,
      keyOf: (m) => m[0]!,
      handle: async (m) => {
        if (m === 'a1') await head;
        done.push(m);
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(done).toEqual(['b1', 'c1']);
    releaseHead();
    expect(await run).toEqual({ prefix: 4 });
    expect(done).toEqual(['b1', 'c1', 'a1', 'a2']);
  });

  it('stops starting messages when told to, and reports what was handled', async () => {
    let allowed = 2;
    const outcome = await handleInKeyLanes([1, 2, 3, 4], {
      concurrency: 1,
      keyOf: () => null,
      shouldContinue: () => allowed-- > 0,
      handle: async () => undefined,
    });
    expect(outcome).toEqual({ prefix: 2 });
  });

  it('rethrows a failed progress report once the messages in flight settled, and starts nothing after it', async () => {
    const handled: number[] = [];
    const run = handleInKeyLanes([1, 2, 3, 4], {
      concurrency: 1,
      keyOf: () => null,
      handle: async (m) => {
        handled.push(m);
      },
      onProgress: (prefix) => {
        if (prefix === 2) throw new Error('commit failed');
      },
    });
    await expect(run).rejects.toThrow('commit failed');
    expect(handled).toEqual([1, 2]);
  });
});
