import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig, testkitGlobalSetup } from '../../vitest.shared.ts';

// globalSetup: the readiness suite probes the real Redis through the testkit.
export default mergeConfig(sharedTestConfig, defineConfig({ test: { globalSetup: [testkitGlobalSetup] } }));
