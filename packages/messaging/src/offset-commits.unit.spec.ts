import { describe, expect, it } from 'vitest';
import { createOffsetCommits, type OffsetCommitTarget } from './offset-commits.ts';

type Sent = { topic: string; partition: number; offset: string }[];

/** A commit target that records each request and settles it when the test says so. */
function recordingTarget() {
  const requests: Sent[] = [];
  const settle: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  const target: OffsetCommitTarget = {
    commitOffsets: (offsets) =>
      new Promise<void>((resolve, reject) => {
        requests.push(offsets);
        settle.push({ resolve, reject });
      }),
  };
  return { target, requests, settle };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('offset commits of one consumer (issue 8: one request for many batches and partitions)', () => {
  it('sends the commits asked for within the linger as one request, each partition at its latest offset', async () => {
    const { target, requests, settle } = recordingTarget();
    const commits = createOffsetCommits(target, { lingerMs: 20, rewind: () => undefined });
    commits.commitBehind('t', 0, 5n, 3n);
    commits.commitBehind('t', 1, 9n, 8n);
    commits.commitBehind('t', 0, 7n, 5n);
    await tick(5);
    expect(requests).toHaveLength(0);
    await tick(30);
    expect(requests).toEqual([[{ topic: 't', partition: 0, offset: '7' }, { topic: 't', partition: 1, offset: '9' }]]);
    settle[0]!.resolve();
    await commits.flush();
    expect(requests).toHaveLength(1);
  });

  it('sends a commit the caller waits for at once, with what lingers, and resolves when the broker took it', async () => {
    const { target, requests, settle } = recordingTarget();
    const commits = createOffsetCommits(target, { lingerMs: 10_000, rewind: () => undefined });
    commits.commitBehind('t', 1, 4n, 2n);
    let done = false;
    const now = commits.commitNow('t', 0, 12n).then(() => (done = true));
    expect(requests).toEqual([[{ topic: 't', partition: 1, offset: '4' }, { topic: 't', partition: 0, offset: '12' }]]);
    await tick();
    expect(done).toBe(false);
    settle[0]!.resolve();
    await now;
    expect(done).toBe(true);
  });

  it('keeps one request in flight; what is asked meanwhile goes next, so committed offsets only move forward', async () => {
    const { target, requests, settle } = recordingTarget();
    const commits = createOffsetCommits(target, { lingerMs: 10_000, rewind: () => undefined });
    const first = commits.commitNow('t', 0, 3n);
    const second = commits.commitNow('t', 0, 6n);
    const third = commits.commitNow('t', 0, 8n);
    expect(requests).toHaveLength(1);
    settle[0]!.resolve();
    await first;
    await tick();
    expect(requests).toEqual([[{ topic: 't', partition: 0, offset: '3' }], [{ topic: 't', partition: 0, offset: '8' }]]);
    settle[1]!.resolve();
    await Promise.all([second, third]);
    expect(requests).toHaveLength(2);
  });

  it('rewinds each partition of a failed lingering commit to the first record it covered, and rejects those who wait', async () => {
    const { target, settle } = recordingTarget();
    const rewound: [string, number, string][] = [];
    const commits = createOffsetCommits(target, { lingerMs: 10_000, rewind: (topic, partition, offset) => rewound.push([topic, partition, offset]) });
    commits.commitBehind('t', 0, 5n, 3n);
    commits.commitBehind('t', 0, 9n, 5n);
    const waited = commits.commitNow('t', 1, 4n);
    settle[0]!.reject(new Error('REBALANCE_IN_PROGRESS'));
    await expect(waited).rejects.toThrow('REBALANCE_IN_PROGRESS');
    // Partition 1 had no lingering commit: its caller handles the failure (the batch rewinds itself).
    expect(rewound).toEqual([['t', 0, '3']]);
  });

  it('flush sends what lingers and resolves once everything asked for has settled', async () => {
    const { target, requests, settle } = recordingTarget();
    const commits = createOffsetCommits(target, { lingerMs: 10_000, rewind: () => undefined });
    commits.commitBehind('t', 2, 11n, 10n);
    let flushed = false;
    const flushing = commits.flush().then(() => (flushed = true));
    expect(requests).toEqual([[{ topic: 't', partition: 2, offset: '11' }]]);
    await tick();
    expect(flushed).toBe(false);
    settle[0]!.resolve();
    await flushing;
    expect(flushed).toBe(true);
  });
});
