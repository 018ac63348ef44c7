import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

// Unit tests of the checker and the chart only: no infrastructure.
export default mergeConfig(sharedTestConfig, defineConfig({ test: {} }));
