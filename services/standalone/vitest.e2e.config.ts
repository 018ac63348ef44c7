import { defineConfig } from 'vitest/config';
import { testkitGlobalSetup, testkitKafkaGlobalSetup } from '../../vitest.shared.ts';

// End-to-end: the distributed run (every service its own process) on the real PostgreSQL, Redis and Kafka.
export default defineConfig({
  test: {
    include: ['src/**/*.e2e.spec.ts', 'test/**/*.e2e.spec.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: [testkitGlobalSetup, testkitKafkaGlobalSetup],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
