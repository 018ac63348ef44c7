/**
 * The harness's one touch of the environment: the distributed run finds Redis
 * and Kafka through `REDIS_URL` and `KAFKA_BROKERS` (via `infra/local/local.mjs
 * env`), so the harness points them at its own servers for the run and
 * restores them afterwards.
 */
export function pointInfraAt(urls: { readonly redis: string; readonly kafka: string }): () => void {
  const previous = { REDIS_URL: process.env.REDIS_URL, KAFKA_BROKERS: process.env.KAFKA_BROKERS };
  process.env.REDIS_URL = urls.redis;
  process.env.KAFKA_BROKERS = urls.kafka;
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
