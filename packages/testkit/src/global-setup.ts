/**
 * vitest globalSetup: resolves PostgreSQL and Redis once per test run and
 * hands the connection strings to the workers through the environment.
 * Kafka is resolved by `global-setup-kafka.ts`, used only by suites that need
 * the broker, so a package without Kafka tests never waits for a JVM.
 */
import { resolveInfra } from './infra.ts';

export default async function setup(): Promise<void> {
  await resolveInfra(['postgres', 'redis']);
}
