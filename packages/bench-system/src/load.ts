/**
 * The HTTP load generator: autocannon (a real one: keep-alive connections,
 * HDR histograms, pipelining available), the same settings for the baseline
 * and for the system in one run.
 */
import autocannon from 'autocannon';

export interface LoadResult {
  readonly label: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly seconds: number;
  readonly connections: number;
}

export interface LoadOptions {
  readonly label: string;
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly connections: number;
  readonly seconds: number;
  /** Called after the warm-up, just before the timed run starts (e.g. to take a CPU snapshot). */
  readonly beforeTimed?: () => Promise<void>;
}

export async function measure(options: LoadOptions): Promise<LoadResult> {
  // Warm-up (JIT, connection set-up), not counted.
  await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    ...(options.headers && { headers: options.headers }),
    ...(options.body !== undefined && { body: options.body }),
    connections: options.connections,
    duration: Math.min(3, options.seconds),
    timeout: 30,
  });
  await options.beforeTimed?.();
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    ...(options.headers && { headers: options.headers }),
    ...(options.body !== undefined && { body: options.body }),
    connections: options.connections,
    duration: options.seconds,
    pipelining: 1,
    timeout: 30,
  });
  const ok = result['2xx'];
  return {
    label: options.label,
    // 2xx answers only: a refused request is no throughput.
    requestsPerSecond: ok / options.seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: options.seconds,
    connections: options.connections,
  };
}
