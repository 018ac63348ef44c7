import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig, testkitGlobalSetup, testkitKafkaGlobalSetup } from '../../vitest.shared.ts';

// Unit and integration suites; the Kafka suites need the broker, so it is resolved once per run too.
export default mergeConfig(sharedTestConfig, defineConfig({ test: { globalSetup: [testkitGlobalSetup, testkitKafkaGlobalSetup] } }));
