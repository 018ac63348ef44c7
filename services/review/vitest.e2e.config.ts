import { defineConfig } from 'vitest/config';
import { testkitGlobalSetup, testkitKafkaGlobalSetup } from '../../vitest.shared.ts';

// End-to-end: the review process started as a child process against the real PostgreSQL and Kafka.
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
