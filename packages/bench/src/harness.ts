/**
 * Measuring helpers and the result model every scenario reports in: one row per figure,
 * ours against its peer, the ratio, the target and a verdict.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export type Verdict = 'PASS' | 'MISS' | 'INFO' | 'FAIL';

export interface Row {
  readonly metric: string;
  readonly ours: number;
  readonly peer?: number;
  readonly peerName?: string;
  readonly unit: string;
  /** ours / peer (or peer / ours for "lower is better" units, so > 1 always means we are faster). */
  readonly ratio?: number;
  readonly target: string;
  readonly verdict: Verdict;
  /** Individual runs (ours), to show the spread behind a median. */
  readonly runs?: readonly number[];
  readonly peerRuns?: readonly number[];
}

export interface ScenarioResult {
  readonly name: string;
  readonly title: string;
  readonly rows: Row[];
  /** Correctness checks after the run: each a sentence; a failed one makes the scenario FAIL. */
  readonly checks: { readonly ok: boolean; readonly what: string }[];
  readonly notes: string[];
  /** Set by the runner: when it ran, and the 1-minute load average at its start and end. */
  measuredAt?: string;
  load?: readonly number[];
}

export interface RunOptions {
  readonly quick: boolean;
  /** Repetitions of each measurement (median reported). */
  readonly repeats: number;
  /** Events for the memory scenario (default 1,000,000; 100,000 with --quick). */
  readonly memoryEvents?: number;
}

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
};

export const now = (): number => performance.now();

/**
 * A full garbage collection, on demand. Scenarios run one after another in this process, and
 * one that held hundreds of MiB (the relay's 300,000 messages) would otherwise leave them to be
 * collected during the next one's measurement.
 */
export function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Higher is better: ours ÷ peer ≥ min. */
export function atLeast(metric: string, ours: number[], peer: number[], peerName: string, unit: string, min: number): Row {
  const o = median(ours);
  const p = median(peer);
  const ratio = o / p;
  return { metric, ours: o, peer: p, peerName, unit, ratio, target: `≥ ${min}× ${peerName}`, verdict: ratio >= min ? 'PASS' : 'MISS', runs: ours, peerRuns: peer };
}

/** An absolute bound on ours. */
export function bound(metric: string, ours: number[], unit: string, op: '<' | '≥', limit: number): Row {
  const o = median(ours);
  const ok = op === '<' ? o < limit : o >= limit;
  return { metric, ours: o, unit, target: `${op} ${limit} ${unit}`, verdict: ok ? 'PASS' : 'MISS', runs: ours };
}

export function info(metric: string, ours: number[], unit: string, peer?: { values: number[]; name: string }): Row {
  const o = median(ours);
  if (!peer) return { metric, ours: o, unit, target: '—', verdict: 'INFO', runs: ours };
  const p = median(peer.values);
  return { metric, ours: o, peer: p, peerName: peer.name, unit, ratio: o / p, target: '—', verdict: 'INFO', runs: ours, peerRuns: peer.values };
}

/** Zipf(s) over n items: item 0 is the hottest. */
export function zipf(n: number, s: number, random: () => number = Math.random): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += 1 / Math.pow(i + 1, s);
    cdf[i] = total;
  }
  for (let i = 0; i < n; i++) cdf[i]! /= total;
  return () => {
    const u = random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export const fmt = (value: number | undefined, digits = 0): string => {
  if (value === undefined || Number.isNaN(value)) return '—';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(Math.abs(value) < 10 && digits === 0 ? 2 : digits);
};
