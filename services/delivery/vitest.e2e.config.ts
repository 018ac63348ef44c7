import { defineConfig } from 'vitest/config';
import { testkitGlobalSetup, testkitKafkaGlobalSetup } from '../../vitest.shared.ts';

// End-to-end journeys across separately running services: one at a time, generous timeouts.
export default defineConfig({
  test: {
    include: ['**/*.e2e.spec.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: [testkitGlobalSetup, testkitKafkaGlobalSetup],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
