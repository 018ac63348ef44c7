import { defineConfig } from 'vitest/config';
import { testkitGlobalSetup, testkitKafkaGlobalSetup } from '../../vitest.shared.ts';

// Journeys that start src/main.ts as a child process on the real PostgreSQL, Redis and Kafka: one at a time.
export default defineConfig({
  test: {
    include: ['src/**/*.e2e.spec.ts', 'test/**/*.e2e.spec.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: [testkitGlobalSetup, testkitKafkaGlobalSetup],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
