/** Small statistics helpers (percentiles, per-second buckets). */

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Counts per whole second since `startMs`. */
export class SecondBuckets {
  readonly counts: number[] = [];
  constructor(readonly startMs: number) {}
  add(atMs: number, n = 1): void {
    const i = Math.max(0, Math.floor((atMs - this.startMs) / 1000));
    while (this.counts.length <= i) this.counts.push(0);
    this.counts[i]! += n;
  }
}

/** A deterministic generator (mulberry32), so a run's case mix is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
