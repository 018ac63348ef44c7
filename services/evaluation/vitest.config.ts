import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig, testkitKafkaGlobalSetup } from '../../vitest.shared.ts';

// Kafka too: the integration suite consumes delivery's contract and publishes evaluation's on the real broker.
export default mergeConfig(sharedTestConfig, defineConfig({ test: { globalSetup: [testkitKafkaGlobalSetup] } }));
