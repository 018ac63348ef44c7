import { describe, expect, it } from 'vitest';
import { createInMemoryProcessedMessages } from './processed-messages.ts';

describe('in-memory processed-message record', () => {
  it('runs an effect once per (consumer, event); a failed effect leaves no record', async () => {
    const processed = createInMemoryProcessedMessages();
    const effects: string[] = [];
    expect(await processed.processOnce('c1', 'e1', async () => void effects.push('c1/e1'))).toBe('processed');
    expect(await processed.processOnce('c1', 'e1', async () => void effects.push('again'))).toBe('duplicate');
    expect(await processed.processOnce('c2', 'e1', async () => void effects.push('c2/e1'))).toBe('processed');
    await expect(processed.processOnce('c1', 'e2', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await processed.wasProcessed('c1', 'e2')).toBe(false);
    expect(effects).toEqual(['c1/e1', 'c2/e1']);
  });

  it('race: concurrent deliveries of one event run the effect once', async () => {
    const processed = createInMemoryProcessedMessages();
    let effects = 0;
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () =>
        processed.processOnce('c', 'e', async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          effects += 1;
        }),
      ),
    );
    expect(effects).toBe(1);
    expect(outcomes.sort()).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'processed']);
  });

  it('stays bounded: beyond its capacity the oldest records are forgotten', async () => {
    const processed = createInMemoryProcessedMessages({ capacity: 1_000 });
    for (let i = 0; i < 5_000; i++) await processed.processOnce('c', `e${i}`, async () => undefined);
    expect(processed.size()).toBe(1_000);
    expect(await processed.wasProcessed('c', 'e4999')).toBe(true);
    expect(await processed.wasProcessed('c', 'e4000')).toBe(true);
    expect(await processed.wasProcessed('c', 'e3999')).toBe(false);
  });
});
