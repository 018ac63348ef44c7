import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../vitest.shared.ts';

// Unit tests only: the compose check reads files and needs no Docker engine
// and no running infrastructure, so there is no global setup. (Spread, not
// mergeConfig: mergeConfig would append to the shared include list.)
export default defineConfig({
  ...sharedTestConfig,
  test: { ...sharedTestConfig.test, include: ['test/**/*.unit.spec.ts'] },
});
