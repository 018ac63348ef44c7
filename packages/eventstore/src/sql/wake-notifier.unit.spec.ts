/**
 * The wake notifier sends hints after commits, one at a time, merging whatever commits while one
 * is on its way (ADR 0002, addendum of 2026-11-27). The wire is a function here; the int tests
 * (wake-hints.int.spec.ts) show the hints reaching a real LISTEN.
 */
import { describe, expect, it } from 'vitest';
import { createWakeNotifier } from './wake-notifier.ts';

/** A send whose calls wait until the test lets them through. */
function gatedSend() {
  const sent: string[] = [];
  const gates: (() => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const send = (payload: string) =>
    new Promise<void>((resolve) => {
      sent.push(payload);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      gates.push(() => {
        inFlight -= 1;
        resolve();
      });
    });
  return { send, sent, release: () => gates.shift()?.(), maxInFlight: () => maxInFlight };
}

describe('wake notifier', () => {
  it('sends a hint at once, and merges the hints given while it is on its way into one next send', async () => {
    const wire = gatedSend();
    const notifier = createWakeNotifier(wire.send);
    notifier.hint(['application']);
    expect(wire.sent).toEqual(['application']);
    notifier.hint(['deadline']);
    notifier.hint(['application', 'deadline']);
    notifier.hint(['delivery']);
    expect(wire.sent).toHaveLength(1);
    wire.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(wire.sent).toEqual(['application', 'deadline,application,delivery']);
    wire.release();
    await notifier.flush();
    expect(wire.maxInFlight()).toBe(1);
    expect(notifier.stats()).toEqual({ sent: 2, failed: 0 });
  });

  it('sends nothing for a commit that wrote no category', async () => {
    const wire = gatedSend();
    const notifier = createWakeNotifier(wire.send);
    notifier.hint([]);
    await notifier.flush();
    expect(wire.sent).toEqual([]);
  });

  it('says nothing (wakes everyone) when the categories would not fit a NOTIFY payload', async () => {
    const sent: string[] = [];
    const notifier = createWakeNotifier(async (payload) => {
      sent.push(payload);
    });
    notifier.hint(Array.from({ length: 400 }, (_, i) => `category${i}-with-a-long-name`));
    await notifier.flush();
    expect(sent).toEqual(['']);
  });

  it('counts a failed send and still sends the next hint', async () => {
    const sent: string[] = [];
    let fail = true;
    const notifier = createWakeNotifier(async (payload) => {
      sent.push(payload);
      if (fail) throw new Error('connection refused');
    });
    notifier.hint(['application']);
    await notifier.flush();
    fail = false;
    notifier.hint(['review']);
    await notifier.flush();
    expect(sent).toEqual(['application', 'review']);
    expect(notifier.stats()).toEqual({ sent: 1, failed: 1 });
  });

  it('flush waits for a hint given while the previous send was finishing', async () => {
    const wire = gatedSend();
    const notifier = createWakeNotifier(wire.send);
    notifier.hint(['application']);
    const flushed = notifier.flush();
    notifier.hint(['review']);
    let done = false;
    void flushed.then(() => (done = true));
    wire.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    expect(wire.sent).toEqual(['application', 'review']);
    wire.release();
    await flushed;
    expect(notifier.stats().sent).toBe(2);
  });
});
