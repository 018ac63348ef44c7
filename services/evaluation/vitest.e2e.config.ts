import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig, testkitKafkaGlobalSetup } from '../../vitest.shared.ts';

// Journeys that start src/main.ts as a child process on the real PostgreSQL and Kafka.
export default mergeConfig(
  sharedTestConfig,
  defineConfig({ test: { include: ['test/**/*.e2e.spec.ts'], globalSetup: [testkitKafkaGlobalSetup], testTimeout: 60_000 } }),
);
