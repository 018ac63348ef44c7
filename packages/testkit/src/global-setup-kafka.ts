/** vitest globalSetup for suites that need the real Kafka broker as well. */
import { resolveInfra } from './infra.ts';

export default async function setup(): Promise<void> {
  await resolveInfra(['postgres', 'redis', 'kafka']);
}
