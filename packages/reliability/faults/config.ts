/**
 * The harness's one touch of the environment: the distributed run finds Redis,
 * Kafka and PostgreSQL through `REDIS_URL`, `KAFKA_BROKERS` and `DATABASE_URL` (via `infra/local/local.mjs
 * env`), so the harness points them at its own servers for the run and
 * restores them afterwards.
 */
export function pointInfraAt(urls: { readonly redis: string; readonly kafka: string; readonly database: (current: string) => string }): () => void {
  const previous = { REDIS_URL: process.env.REDIS_URL, KAFKA_BROKERS: process.env.KAFKA_BROKERS, DATABASE_URL: process.env.DATABASE_URL };
  process.env.REDIS_URL = urls.redis;
  process.env.KAFKA_BROKERS = urls.kafka;
  process.env.DATABASE_URL = urls.database(previous.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
