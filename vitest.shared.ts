// Shared vitest settings. Each package's vitest.config.ts spreads this, so all
// suites find real infrastructure the same way (testkit global setup).
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export const testkitGlobalSetup = fileURLToPath(new URL('./packages/testkit/src/global-setup.ts', import.meta.url));

export const sharedTestConfig = defineConfig({
  test: {
    include: ['src/**/*.{unit,int}.spec.ts', 'test/**/*.{unit,int}.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});

export const testkitKafkaGlobalSetup = fileURLToPath(new URL('./packages/testkit/src/global-setup-kafka.ts', import.meta.url));
