import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

// Pure unit tests: no infrastructure, so no global setup.
export default mergeConfig(sharedTestConfig, defineConfig({}));
