/**
 * The distributed run as `pnpm start:distributed` starts it (the runner as a
 * child process; every service its own process on the real PostgreSQL, Kafka
 * and Redis), on its own ports, PostgreSQL schema and run folder, driving one
 * case through every service there is: the catalog's fixture guide reaches
 * intake over Kafka, the applicant applies, the clerk accepts, review opens
 * the case from intake's contract, the lead department signs twice, the
 * licence verifies, delivery takes the decision, supervision replays the
 * whole history. Then the same journey, same inputs, same controlled clock,
 * through the standalone process (every module in one process, embedded
 * PGlite and the in-process bus): each stream of the case holds the same
 * events with the same data, ids aside (issue 8). Then SIGTERM stops every
 * service cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveComponent } from '@govsvc/testkit/infra';
import { uniqueName } from '@govsvc/testkit/unique';
import { distributedTopology, eventually, GovsvcClient, readDevKeyPair, standaloneTopology } from '../src/client.ts';
import { collaborate, decide, ensureItemProfile, expectStatus, PEOPLE, reviewOpened, submitOnline } from '../src/journeys.ts';
import { SERVICES } from '../src/modules.ts';
import { comparableHistory, type TimelineEntryLike } from './comparable-history.ts';
import { startStandalone, type RunningStandalone } from './standalone-process.ts';

/** Both runs start their controlled clocks here: a Thursday, a working day, at the centre's opening hour. */
const CLOCK_START = '2026-11-26T09:30:00+08:00';

// Other runs (the fault-injection harness, a developer's own run on 3101–3107) may hold a range: take the first free one.
const PORT_BASES = [3400, 3500, 3600, 3700, 3800];
const packageDir = fileURLToPath(new URL('../', import.meta.url));

let PORT_BASE = PORT_BASES[0]!;
let runDir: string;
let schema: string;
let runner: ChildProcess;
let output = '';
let client: GovsvcClient;
let ports: Record<string, number> = {};
let standalone: RunningStandalone | undefined;
let standaloneDir: string | undefined;
const portsFrom = (base: number) => Object.fromEntries(SERVICES.map((s) => [s.name, base + (s.distributedPort - 3100)]));

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

beforeAll(async () => {
  let found = false;
  for (const base of PORT_BASES) {
    const free = await Promise.all(Object.values(portsFrom(base)).map(portFree));
    if (free.every(Boolean)) {
      PORT_BASE = base;
      found = true;
      break;
    }
  }
  if (!found) throw new Error(`no free port range for the e2e run among ${PORT_BASES.map((b) => `${b + 1}–${b + 7}`).join(', ')}`);
  ports = portsFrom(PORT_BASE);
  runDir = await mkdtemp(join(tmpdir(), 'govsvc-distributed-'));
  schema = uniqueName('dist_e2e').toLowerCase();
  runner = spawn(process.execPath, ['--import', 'tsx', 'src/distributed.ts', '--run-dir', runDir, '--schema', schema, '--port-base', String(PORT_BASE), '--no-infra', '--isolate', schema.replace(/_/g, '-'), '--clock', `controlled@${CLOCK_START}`], {
    cwd: packageDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: await resolveComponent('postgres'),
      KAFKA_BROKERS: await resolveComponent('kafka'),
      REDIS_URL: await resolveComponent('redis'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  runner.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  runner.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await eventually('the distributed run to be ready', async () => {
    if (runner.exitCode !== null) throw new Error(`the runner exited with ${runner.exitCode}:\n${output}`);
    return output.includes('stop: Ctrl-C here');
  }, 240_000, 250);
  client = new GovsvcClient(distributedTopology(ports), await readDevKeyPair(join(runDir, 'keys')));
});

afterAll(async () => {
  await standalone?.stop();
  if (standaloneDir) await rm(standaloneDir, { recursive: true, force: true });
  if (runner && runner.exitCode === null) {
    runner.kill('SIGTERM');
    await new Promise((resolve) => runner.once('exit', resolve));
  }
  if (schema) {
    const admin = new pg.Client({ connectionString: await resolveComponent('postgres') });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => admin.end());
  }
  if (runDir) await rm(runDir, { recursive: true, force: true });
});

/** Application → acceptance → collaboration → approval → licence, then the case's history once supervision holds the decision and the licence. */
async function licenceJourney(c: GovsvcClient) {
  await ensureItemProfile(c);
  const { caseId } = await submitOnline(c);
  const accepted = expectStatus('accept', await c.post(`/intake/applications/${caseId}/accept`, PEOPLE.clerk, {}), 200);
  expect(accepted.json.document).toMatchObject({ kind: 'acceptance-receipt' });
  await reviewOpened(c, caseId);
  await collaborate(c, caseId); // the fire brigade's opinion first (R-COLLAB-1)
  const decided = await decide(c, caseId, 'approve');
  expect(decided.json).toMatchObject({ status: 'decided', decision: { outcome: 'approve' } });
  const licence = await c.get(`/review/licences/LIC-${caseId}/verify`, null);
  expect(licence.json).toMatchObject({ signatureValid: true, inForce: true });
  // Delivery learns the decision from review's contract, supervision from everyone's.
  await eventually('delivery to know the case', async () => (await c.get(`/delivery/cases/${caseId}`, PEOPLE.applicant)).status === 200, 90_000, 300);
  const history = await eventually('supervision to hold the history', async () => {
    const reply = await c.get(`/supervision/cases/${caseId}/history`, PEOPLE.supervisor);
    const text = reply.status === 200 ? reply.text : '';
    return text.includes('ApplicationSubmitted') && text.includes('DecisionMade') && text.includes('LicenceIssued') && text.includes('ResultDeliveryScheduled') ? reply : undefined;
  }, 90_000, 300);
  // The services settle at their own pace: take the history once it has stopped growing for three seconds.
  let settled = history.json;
  for (let quiet = 0; quiet < 3; ) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const again = (await c.get(`/supervision/cases/${caseId}/history`, PEOPLE.supervisor)).json;
    quiet = (again.entries as unknown[]).length === (settled.entries as unknown[]).length ? quiet + 1 : 0;
    settled = again;
  }
  return { caseId, history: settled };
}

describe('the distributed run', () => {
  it('runs every service as its own process on its own port, ready, with its own log', async () => {
    for (const service of SERVICES) {
      const ready = await fetch(`http://127.0.0.1:${ports[service.name]}/health/ready`);
      expect(ready.status, service.name).toBe(200);
      expect(output).toContain(join(runDir, 'logs', `${service.name}.log`));
    }
    const state = JSON.parse(await readFile(join(runDir, 'distributed.json'), 'utf8')) as { services: { name: string; pid: number }[] };
    expect(new Set(state.services.map((s) => s.pid)).size).toBe(SERVICES.length);
  });

  it('takes one case from application to licence across the services, over Kafka', async () => {
    const { caseId, history } = await licenceJourney(client);
    const streams = new Set((history.entries as { stream: string }[]).map((e) => e.stream.split('-')[0]));
    expect([...streams]).toEqual(expect.arrayContaining(['application', 'review']));
    const verified = await client.get(`/supervision/cases/${caseId}/verify`, PEOPLE.supervisor);
    expect(verified.json).toMatchObject({ valid: true });
  });

  it('gives the same case history as the standalone process for the same inputs on the same clock', async () => {
    standaloneDir = await mkdtemp(join(tmpdir(), 'govsvc-same-history-'));
    standalone = await startStandalone({ GOVSVC_DATA_DIR: standaloneDir, GOVSVC_CLOCK: 'controlled', GOVSVC_CLOCK_START: CLOCK_START }, 180_000);
    const single = new GovsvcClient(standaloneTopology(standalone.url), await readDevKeyPair(join(standaloneDir, 'keys')));
    const [distributed, alone] = [await licenceJourney(client), await licenceJourney(single)];
    const a = comparableHistory(distributed.caseId, distributed.history.entries as TimelineEntryLike[]);
    const b = comparableHistory(alone.caseId, alone.history.entries as TimelineEntryLike[]);
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    const differing = Object.keys(a).filter((stream) => JSON.stringify(a[stream]) !== JSON.stringify(b[stream]));
    for (const stream of differing) expect.soft(a[stream], `${stream} (differing: ${differing.join(', ')})`).toEqual(b[stream]);
    expect(differing).toEqual([]);
    // Not vacuous: the intake, review and deadline streams are all compared.
    expect(Object.keys(a).some((s) => s.startsWith('application-'))).toBe(true);
    expect(Object.keys(a).some((s) => s.startsWith('review-'))).toBe(true);
    expect(Object.keys(a).some((s) => s.startsWith('deadline-'))).toBe(true);
  });

  it('stops every service cleanly on SIGTERM', async () => {
    const state = JSON.parse(await readFile(join(runDir, 'distributed.json'), 'utf8')) as { services: { name: string; pid: number }[] };
    const exit = new Promise<number | null>((resolve) => runner.once('exit', (code) => resolve(code)));
    runner.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(output).toContain('every service stopped');
    for (const s of state.services) expect(() => process.kill(s.pid, 0), s.name).toThrow();
    for (const service of SERVICES) {
      const log = await readFile(join(runDir, 'logs', `${service.name}.log`), 'utf8');
      expect(log, service.name).toContain('"clean":true');
    }
  });
});
