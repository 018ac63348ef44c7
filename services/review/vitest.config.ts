import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig, testkitKafkaGlobalSetup } from '../../vitest.shared.ts';

// Kafka too: the integration suite consumes intake's contract and publishes review's from the real broker.
export default mergeConfig(sharedTestConfig, defineConfig({ test: { globalSetup: [testkitKafkaGlobalSetup] } }));
