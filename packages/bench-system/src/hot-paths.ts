/**
 * The focused HTTP hot-path measurement of issue 8 (`pnpm --filter @govsvc/bench-system bench:hot-paths`):
 * intake alone in its own process (`services/intake/bench/hot-paths-server.ts`: real app, JWT, logger at warn, PostgreSQL store in
 * a schema of its own) and the bare fastify hello-world in another, measured by the same autocannon
 * settings as `bench:system` in one run: hello-world, POST /intake/applications (durable append), the
 * case-state read, hello-world again. Ratios use the better hello-world. Prints a Markdown table and the
 * store's group-commit counts (appends per commit) for the POST phase, and who had the cores in each
 * timed phase (CPU of the load generator, the hello-world server, intake, PostgreSQL, Redis, the rest):
 * on two cores the ratio to hello-world is only as telling as the share each side got.
 *
 *   --seconds 10 --connections 100 --only read,post --profile <dir> (intake's CPU profile and its SQL
 *   statement counts, written by the same preload as `bench:system --profile-services`)
 *   HOT_PATHS_NODE_OPTIONS: Node options for the intake process alone (e.g. `--require <preload>` that
 *   samples the heap during a phase, to see what a request allocates)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { hotPathsEnv, REPO_ROOT } from './config.ts';
import { cpuBetween, cpuSnapshot, type CpuGroups, type CpuSnapshot } from './cpu.ts';
import { measure, type LoadOptions, type LoadResult } from './load.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '100' },
    only: { type: 'string', default: 'post,read' },
    profile: { type: 'string' },
    'log-level': { type: 'string', default: 'warn' },
    'hello-port': { type: 'string', default: '3970' },
    port: { type: 'string', default: '3971' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const phases = new Set(values.only.split(',').map((p) => p.trim()));
const dir = join(REPO_ROOT, 'packages', 'bench-system');
const intakeDir = join(REPO_ROOT, 'services', 'intake');
const tsx = join(dir, 'node_modules/tsx/dist/esm/index.mjs');
const { databaseUrl: baseUrl, childEnv, keepSchema, intakeNodeOptions } = hotPathsEnv();
const schema = `hot_paths_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;

const admin = new pg.Client({ connectionString: baseUrl });
await admin.connect();
await admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
const url = new URL(baseUrl);
url.searchParams.set('options', `-c search_path=${schema}`);

function start(cwd: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', tsx, ...args], { cwd, env: { ...childEnv, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
}
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

if (values.profile) await mkdir(values.profile, { recursive: true });
const hello = start(dir, ['src/hello-server.ts', values['hello-port']], {});
// Both kinds of Node options together: HOT_PATHS_NODE_OPTIONS does not silently drop the profiling preload, nor the reverse.
const intakeNodeOptionsAll = [intakeNodeOptions, values.profile && `--require ${join(dir, 'scripts/service-profile-preload.cjs')}`].filter(Boolean).join(' ');
const intake = start(intakeDir, ['bench/hot-paths-server.ts', values.port], {
  ...(intakeNodeOptionsAll && { NODE_OPTIONS: intakeNodeOptionsAll }),
  DATABASE_URL: url.toString(),
  LOG_LEVEL: values['log-level'],
  ...(values.profile && { GOVSVC_PROFILE_DIR: values.profile, SERVICE_NAME: 'intake' }),
});
const lines = createInterface({ input: intake.stdout! });
const firstLine = new Promise<string>((resolve, reject) => {
  lines.once('line', resolve);
  intake.once('exit', (code) => reject(new Error(`intake exited (${code}) before it listened`)));
});
const statsLines: ((line: string) => void)[] = [];
const { token, body } = JSON.parse(await firstLine) as { token: string; body: unknown };
const APPLICATION_BODY = JSON.stringify(body);
lines.on('line', (line) => statsLines.shift()?.(line));
const appendStats = async (): Promise<{ groups: number; fast: number; locked: number }> => {
  const line = new Promise<string>((resolve) => statsLines.push(resolve));
  intake.kill('SIGUSR2');
  return JSON.parse(await line) as { groups: number; fast: number; locked: number };
};
for (let i = 0; ; i++) {
  if (await fetch(`http://127.0.0.1:${values['hello-port']}/`).then((r) => r.ok, () => false)) break;
  if (i > 200) throw new Error('hello-world never listened');
  await new Promise((r) => setTimeout(r, 100));
}

const intakeUrl = `http://127.0.0.1:${values.port}/intake`;
const auth = { authorization: `Bearer ${token}` };
const first = await fetch(`${intakeUrl}/applications`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: APPLICATION_BODY });
if (first.status !== 201) throw new Error(`first submission: ${first.status} ${await first.text()}`);
const { caseId } = (await first.json()) as { caseId: string };

const results: LoadResult[] = [];
const note = (r: LoadResult) => {
  results.push(r);
  process.stderr.write(`${r.label}: ${r.requestsPerSecond.toFixed(0)} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, non-2xx ${r.non2xx}, errors ${r.errors}\n`);
};
// CPU of each side over each timed phase (warm-up excluded). autocannon runs in this process, so its
// share is cpu.ts's 'bench driver'.
const cpuGroups: CpuGroups = { services: [{ name: 'hello-world server', pid: hello.pid! }, { name: 'intake', pid: intake.pid! }], kafkaPid: null };
const cpuByPhase: { label: string; shares: Map<string, number> }[] = [];
async function measured(options: LoadOptions): Promise<LoadResult> {
  let start: CpuSnapshot | undefined;
  const result = await measure({ ...options, beforeTimed: async () => void (start = await cpuSnapshot(cpuGroups)) });
  const end = await cpuSnapshot(cpuGroups);
  const phaseSeconds = (end.atMs - start!.atMs) / 1000;
  cpuByPhase.push({ label: options.label, shares: new Map(cpuBetween(start!, end).map(({ group, seconds }) => [group, seconds / phaseSeconds])) });
  return result;
}
const load = loadavg().map((l) => l.toFixed(2)).join(' ');
note(await measured({ label: 'hello-world GET /', url: `http://127.0.0.1:${values['hello-port']}/`, connections, seconds }));
let commits = '';
if (phases.has('post')) {
  const before = await appendStats();
  note(await measured({ label: 'intake POST /intake/applications (durable append)', url: `${intakeUrl}/applications`, method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: APPLICATION_BODY, connections, seconds }));
  const after = await appendStats();
  const appends = after.fast - before.fast;
  const groups = after.groups - before.groups;
  commits = `group commit during POST (warm-up included): ${appends} appends in ${groups} commits (${(appends / Math.max(1, groups)).toFixed(1)} per commit), ${after.locked - before.locked} via the locked path`;
  process.stderr.write(`${commits}\n`);
}
if (phases.has('read')) note(await measured({ label: 'intake GET /intake/applications/:caseId', url: `${intakeUrl}/applications/${caseId}`, headers: auth, connections, seconds }));
note(await measured({ label: 'hello-world GET /, again', url: `http://127.0.0.1:${values['hello-port']}/`, connections, seconds }));

await stop(intake);
await stop(hello);
if (!keepSchema) await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
await admin.end();

const best = Math.max(...results.filter((r) => r.label.startsWith('hello')).map((r) => r.requestsPerSecond));
console.log(`\nload average at start: ${load}; ${connections} connections, ${seconds} s each\n`);
console.log('| measured | req/s | × hello-world | p50 ms | p99 ms | non-2xx |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of results) console.log(`| ${r.label} | ${r.requestsPerSecond.toFixed(0)} | ${(r.requestsPerSecond / best).toFixed(2)} | ${r.p50Ms} | ${r.p99Ms} | ${r.non2xx} |`);
if (commits) console.log(`\n${commits}`);
const cpuColumns: [string, string][] = [
  ['bench driver', 'load generator'],
  ['hello-world server', 'hello-world server'],
  ['intake', 'intake'],
  ['PostgreSQL', 'PostgreSQL'],
  ['Redis', 'Redis'],
];
const pct = (share: number | undefined) => `${Math.round(100 * (share ?? 0))} %`;
console.log('\nCPU during each timed phase, % of one core (two cores: 200 %; "rest": the kernel, other processes)\n');
console.log(`| phase | ${cpuColumns.map(([, title]) => title).join(' | ')} | rest |`);
console.log(`|---|${cpuColumns.map(() => '---:').join('|')}|---:|`);
for (const { label, shares } of cpuByPhase) {
  const rest = [...shares].filter(([group]) => group.startsWith('other')).reduce((sum, [, v]) => sum + v, 0);
  console.log(`| ${label} | ${cpuColumns.map(([group]) => pct(shares.get(group))).join(' | ')} | ${pct(rest)} |`);
}
