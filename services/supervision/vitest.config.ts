import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig, testkitKafkaGlobalSetup } from '../../vitest.shared.ts';

// PostgreSQL, Redis and Kafka are resolved once per run (the Kafka suite needs the broker).
// The console's browser test drives Debian's chromium: the set-up installs it when missing.
const chromiumSetup = fileURLToPath(new URL('./test/global-setup-chromium.ts', import.meta.url));

export default mergeConfig(sharedTestConfig, defineConfig({ test: { globalSetup: [testkitKafkaGlobalSetup, chromiumSetup] } }));
