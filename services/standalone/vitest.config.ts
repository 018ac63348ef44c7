import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

// The standalone process on its embedded adapters: no external infrastructure needed.
export default mergeConfig(sharedTestConfig, defineConfig({ test: { testTimeout: 120_000, hookTimeout: 120_000, maxWorkers: 1 } }));
