/** The bench's only reader of the environment. */
export interface BenchConfig {
  readonly databaseUrl: string;
  readonly kafkaBrokers: string;
  readonly pgTestFsync: string;
  /** Where the relay's producer runs: the relay's thread (`inline`, the default) or a thread of its own (`worker`). */
  readonly relayProducer: 'worker' | 'inline';
  /** Events the replay scenario loads (default 1,000,000; 100,000 with --quick). 10,000,000 measures the target instead of extrapolating. */
  readonly replayEvents: number | undefined;
  /** Untimed appends per writer before append-1's timed slices (default 3,000; see the scenario). */
  readonly appendWarmUp: number | undefined;
}

export const config: BenchConfig = {
  databaseUrl: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
  kafkaBrokers: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
  pgTestFsync: process.env['PG_TEST_FSYNC'] ?? '/usr/lib/postgresql/15/bin/pg_test_fsync',
  relayProducer: process.env['BENCH_RELAY_PRODUCER'] === 'worker' ? 'worker' : 'inline',
  replayEvents: positiveInteger(process.env['BENCH_REPLAY_EVENTS'], 'BENCH_REPLAY_EVENTS'),
  appendWarmUp: positiveInteger(process.env['BENCH_APPEND_WARM_UP'], 'BENCH_APPEND_WARM_UP'),
};

function positiveInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/** The database URL with its own search_path, so each system under test has its own tables. */
export function inSchema(schema: string): string {
  const url = new URL(config.databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}
