import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

// Every row here runs against the whole system composed in-process (memory store, in-process bus):
// no external infrastructure, so no global setup.
export default mergeConfig(sharedTestConfig, defineConfig({ test: { testTimeout: 60_000 } }));
