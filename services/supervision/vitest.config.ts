import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig, testkitGlobalSetup } from '../../vitest.shared.ts';

export default mergeConfig(sharedTestConfig, defineConfig({ test: { globalSetup: [testkitGlobalSetup] } }));
