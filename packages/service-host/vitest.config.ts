import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig, testkitKafkaGlobalSetup } from '../../vitest.shared.ts';

export default mergeConfig(sharedTestConfig, defineConfig({ test: { globalSetup: [testkitKafkaGlobalSetup] } }));
