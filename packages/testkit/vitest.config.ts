import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig, testkitKafkaGlobalSetup } from '../../vitest.shared.ts';

// The Kafka global setup also resolves PostgreSQL and Redis: this package tests all three.
export default mergeConfig(sharedTestConfig, defineConfig({ test: { globalSetup: [testkitKafkaGlobalSetup] } }));
