/**
 * The contract suite against a real EventStoreDB: the server named by
 * EVENTSTOREDB_CONNECTION_STRING, else a throwaway container when a Docker
 * engine answers, else skipped, saying why in the run's output.
 */
import { spawnSync } from 'node:child_process';
import { describeEventStoreContract } from '../contract/event-store-contract.ts';
import { createEventStoreDbEventStore } from './eventstoredb-event-store.ts';

const IMAGE = 'eventstore/eventstore:24.10';

const dockerAnswers = (): boolean => spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 5_000 }).status === 0;

const fromEnv = process.env.EVENTSTOREDB_CONNECTION_STRING;
const docker = !fromEnv && dockerAnswers();

async function startContainer(): Promise<{ connectionString: string; stop: () => Promise<void> }> {
  const run = spawnSync('docker', ['run', '-d', '--rm', '-p', '127.0.0.1::2113', IMAGE, '--insecure', '--mem-db', '--run-projections=None'], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (run.status !== 0) throw new Error(`docker run ${IMAGE} failed: ${run.stderr}`);
  const id = run.stdout.trim();
  const stop = async () => void spawnSync('docker', ['rm', '-f', id], { timeout: 30_000 });
  const port = spawnSync('docker', ['port', id, '2113'], { encoding: 'utf8' }).stdout.trim().split(':').pop();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const live = await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => null);
    if (live?.ok) return { connectionString: `esdb://127.0.0.1:${port}?tls=false`, stop };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await stop();
  throw new Error(`EventStoreDB in container ${id} did not become live within 60 s`);
}

describeEventStoreContract(
  'EventStoreDB (server)',
  async () => {
    if (fromEnv) return createEventStoreDbEventStore(fromEnv, { pollIntervalMs: 100 });
    const container = await startContainer();
    const store = await createEventStoreDbEventStore(container.connectionString, { pollIntervalMs: 100 });
    return { store, teardown: container.stop };
  },
  {
    skipReason:
      fromEnv || docker
        ? undefined
        : 'no EventStoreDB reachable: EVENTSTOREDB_CONNECTION_STRING is not set and no Docker engine answers on this machine',
    globallyUniqueEventIds: false,
    propertyRuns: 10,
  },
);
