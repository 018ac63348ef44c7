/**
 * `pnpm bench:system` — the "megacity day" (issue 8).
 *
 *   pnpm bench:system                       250,000 cases at 20× the day's average rate (the full day)
 *   pnpm bench:system --cases 10000         a scaled-down day (same rate, same mix, the clock compressed to fit)
 *   options: --topology distributed|standalone (default distributed), --multiple <n> (× average rate, default 20)
 *            | --rate <cases/s>, --max-in-flight, --http-seconds, --connections (default 100), --skip-http,
 *            --skip-day, --own-kafka, --no-write
 *
 * What runs: the distributed run (every service its own process, as
 * `pnpm start:distributed` starts it) or, with `--topology standalone`, the
 * standalone process (every service module in one process); either on the
 * real PostgreSQL (its own schema), Kafka (its own topic and consumer-group
 * prefix, on the shared broker unless --own-kafka) and Redis (its own key
 * prefix), controlled clock(s) moved together, rate limit off.
 *
 * Phases: machine fingerprint → hello-world baseline and the system's HTTP
 * figures with autocannon (same generator, same run) → the day → the night
 * (clock day by day through the next week: warnings, breaches, automatic
 * outcomes) → checks (stored once, relayed, breach lag) → report, chart,
 * docs/benchmarks.md (appended under the git lock).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { distributedTopology, GovsvcClient, readDevKeyPair, standaloneTopology } from '@govsvc/standalone/client';
import type { DistributedRun } from '@govsvc/standalone/distributed';
import { ensureItemProfile, FOOD_LICENCE, PEOPLE, submitOnline } from '@govsvc/standalone/journeys';
// The kit's request augmentations (principal …), which its sources pulled in here rely on.
import type {} from '@govsvc/service-kit/auth';
import { renderChart } from './chart.ts';
import { allEvents, breachLag, breaches, checkRelayed, checkStored, deadlineCoverage, readTopics, storedRows, wallWhenPassed } from './check.ts';
import { DAY_CASES, loadBenchConfig, REPO_ROOT } from './config.ts';
import { dayVerdict } from './day-verdict.ts';
import { HYGIENE, runDay, runNight, type ClockMove, type DayResult, type SetClock } from './day.ts';
import { measure, type LoadResult } from './load.ts';
import { cpuBetween, cpuSnapshot, type CpuSnapshot } from './cpu.ts';
import { descendants, fingerprint, processTable, rssOf } from './machine.ts';
import { precreateTopics, startOwnBroker, type OwnBroker } from './kafka-broker.ts';
import { DAY_START, runIdentity, startDistributedRun, startHello, startStandalone, type Child } from './processes.ts';
import { percentile, SecondBuckets } from './stats.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);
const config = loadBenchConfig();
const machine = await fingerprint(config.databaseUrl);
log(`bench:system — ${machine.date} · ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.postgres}, ${machine.kafka}, load ${machine.load.map((l) => l.toFixed(2)).join(' ')}`);
const run = await runIdentity(config);
log(`run ${run.id}: ${config.topology}, schema ${run.schema}, topics and consumer groups ${run.topicPrefix}*, redis ${config.topology === 'distributed' ? `${run.isolate}:<service>:` : run.redisPrefix}*, logs ${run.runDir}`);

const children: Child[] = [];
let ownBroker: OwnBroker | null = null;
let distributed: DistributedRun | null = null;
const stopAll = async () => {
  for (const c of children.reverse()) await c.stop().catch(() => undefined);
  await distributed?.stop().catch(() => undefined);
  await ownBroker?.stop().catch(() => undefined);
};
/** The processes of the system under test (each with its children): the standalone process, or every service's. */
const systemRoots = (): number[] =>
  distributed ? distributed.services.map((s) => s.child.pid!) : children.filter((c) => c.name === 'standalone').map((c) => c.child.pid!);
process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

// ── memory: every process, sampled each second ────────────────────────────────
interface MemorySample {
  readonly atMs: number;
  readonly services: number;
  readonly driver: number;
  readonly infra: number;
}
const memory: MemorySample[] = [];
let infraPids: { pid: number; what: string }[] = [];
async function findInfra(): Promise<void> {
  const table = await processTable();
  const found: { pid: number; what: string }[] = [];
  for (const row of table) {
    if (row.comm === 'redis-server') found.push({ pid: row.pid, what: 'redis' });
    else if (row.comm === 'postgres') found.push({ pid: row.pid, what: 'postgres' });
    else if (row.comm === 'java') {
      const cmdline = await readFile(`/proc/${row.pid}/cmdline`, 'utf8').catch(() => '');
      const ours = ownBroker !== null && row.pid === ownBroker.child.pid;
      if (ownBroker ? ours : cmdline.includes('/infra/kafka/.run/server.properties')) found.push({ pid: row.pid, what: 'kafka' });
    }
  }
  infraPids = found;
}
/** Proportional set size: shared pages (PostgreSQL's shared buffers) counted once across its backends. */
async function pssOf(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
  const match = /Pss:\s+(\d+) kB/.exec(text);
  return match ? Number(match[1]) * 1024 : 0;
}
let sampling = false;
const sampler = setInterval(() => {
  if (sampling || systemRoots().length === 0) return;
  sampling = true;
  void (async () => {
    const table = await processTable();
    const system = systemRoots().flatMap((pid) => descendants(table, pid));
    let services = 0;
    for (const pid of system) services += await rssOf(pid);
    let infra = 0;
    for (const { pid } of infraPids) infra += await pssOf(pid);
    memory.push({ atMs: Date.now(), services, driver: await rssOf(process.pid), infra });
  })().finally(() => (sampling = false));
}, 1_000);

try {
  let kafkaBrokers = config.kafkaBrokers;
  if (config.ownKafka) {
    log(`starting a Kafka broker of the bench's own on 127.0.0.1:${config.ownKafkaPort} …`);
    ownBroker = await startOwnBroker(run.runDir, config.ownKafkaPort);
    kafkaBrokers = ownBroker.brokers;
  }
  await findInfra();
  const hello = await startHello(config, run);
  children.push(hello);
  const started = Date.now();
  let client: GovsvcClient;
  let setClock: SetClock;
  /** Every log the system under test writes (consumer crashes are counted in them). */
  let systemLogs: string[];
  if (config.topology === 'distributed') {
    log('starting the distributed run (every service its own process) on PostgreSQL, Kafka, Redis (controlled clocks) …');
    // startDistributed creates the run's topics (and dead-letter topics) before any service starts.
    const dist = await startDistributedRun(config, run, kafkaBrokers, log);
    distributed = dist;
    log(`  ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${dist.services.map((s) => `${s.name} :${s.port} (pid ${s.child.pid})`).join(', ')}`);
    client = new GovsvcClient(distributedTopology(Object.fromEntries(dist.services.map((s) => [s.name, s.port]))), await readDevKeyPair(dist.keysDir));
    setClock = async (instant) => {
      await dist.moveClocks({ set: instant });
    };
    systemLogs = dist.services.map((s) => s.logFile);
  } else {
    log('starting the standalone process on PostgreSQL, Kafka, Redis (controlled clock) …');
    await precreateTopics(kafkaBrokers, run.topicPrefix);
    let system: Child | null = null;
    for (let attempt = 1; system === null; attempt++) {
      try {
        system = await startStandalone(config, run, kafkaBrokers);
      } catch (error) {
        // A start can still stop on a transient Kafka metadata error (the service's ensureTopics does not retry it).
        if (attempt >= 3) throw error;
        log(`  start attempt ${attempt} failed (${(error as Error).message}); see ${run.runDir}/standalone.log — starting again`);
      }
    }
    children.push(system);
    log(`  ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${system.url}`);
    const standaloneClient = new GovsvcClient(standaloneTopology(system.url), await readDevKeyPair(join(run.runDir, 'data', 'keys')));
    client = standaloneClient;
    setClock = async (instant) => {
      const r = await standaloneClient.post('/admin/clock', PEOPLE.admin, { set: instant });
      if (r.status !== 200) throw new Error(`clock move: ${r.status} ${r.text}`);
    };
    systemLogs = [system.logFile];
  }
  const intakeUrl = client.topology.urlOf('intake');
  await ensureItemProfile(client, FOOD_LICENCE.itemCode);
  await ensureItemProfile(client, HYGIENE.itemCode);
  // Intake learns the guide from the catalog's contract on Kafka: the first submission waits for it.
  const warm = await submitOnline(client);
  for (const deadline = Date.now() + 120_000; (await fetch(`${intakeUrl}/intake/guides/${HYGIENE.itemCode}`)).status !== 200; ) {
    if (Date.now() > deadline) throw new Error('intake never learned the hygiene guide');
    await new Promise((r) => setTimeout(r, 500));
  }
  log(`  intake knows the guides (first case ${warm.caseNumber})`);

  const pool = new pg.Pool({ connectionString: run.databaseUrl, max: 4 });
  const head = async () => BigInt((await pool.query<{ h: string | null }>('SELECT max(global_position)::text AS h FROM events')).rows[0]!.h ?? '0');
  /** Waits until the store's head has not moved for `quietS` seconds (consumers, relays and the scheduler are done). */
  const quiet = async (quietS = 4, maxS = 600) => {
    const deadline = Date.now() + maxS * 1000;
    let last = await head();
    let still = 0;
    while (still < quietS && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      const now = await head();
      still = now === last ? still + 1 : 0;
      last = now;
    }
  };

  // ── HTTP figures: the baseline and the system, same generator, same run ────
  const http: LoadResult[] = [];
  if (!config.skipHttp) {
    const common = { connections: config.connections, seconds: config.httpSeconds };
    log(`autocannon: ${config.connections} connections, ${config.httpSeconds} s each`);
    http.push(await measure({ label: 'bare fastify hello-world (GET /)', url: hello.url, ...common }));
    log(`  ${http.at(-1)!.label}: ${http.at(-1)!.requestsPerSecond.toFixed(0)} req/s, p99 ${http.at(-1)!.p99Ms} ms`);
    const applicantToken = await client.token('intake', { role: 'applicant', subject: PEOPLE.applicant.subject });
    const body = JSON.stringify({
      itemCode: FOOD_LICENCE.itemCode,
      applicant: { kind: 'enterprise', id: '91110108551385082Q', name: '北京京味餐饮管理有限公司' },
      channel: 'online',
      materials: FOOD_LICENCE.materials.map((m) => ({ materialId: m, form: 'electronic', reference: `sha256:${m}` })),
      sharedConfirmations: [{ materialId: 'business-licence', recordId: 'samr-bl-91110108551385082Q', revision: FOOD_LICENCE.shared.recordSuffix }],
      delivery: { notificationChannels: ['sms'], resultDelivery: { method: 'electronic' }, contact: { name: '张经理', mobile: '13812345678' } },
    });
    const before = await head();
    http.push(await measure({ label: 'intake POST /intake/applications (durable append)', url: `${intakeUrl}/intake/applications`, method: 'POST', headers: { authorization: `Bearer ${applicantToken}`, 'content-type': 'application/json' }, body, ...common }));
    log(`  ${http.at(-1)!.label}: ${http.at(-1)!.requestsPerSecond.toFixed(0)} commands/s, p99 ${http.at(-1)!.p99Ms} ms, non-2xx ${http.at(-1)!.non2xx}, errors ${http.at(-1)!.errors}`);
    log(`  (store head moved ${(await head()) - before} positions during it; waiting for consumers and relays to drain …)`);
    await quiet();
    for (const connections of config.intakeConnections) {
      http.push(await measure({ label: `intake POST /intake/applications at ${connections} connection(s)`, url: `${intakeUrl}/intake/applications`, method: 'POST', headers: { authorization: `Bearer ${applicantToken}`, 'content-type': 'application/json' }, body, connections, seconds: config.httpSeconds }));
      log(`  ${http.at(-1)!.label}: ${http.at(-1)!.requestsPerSecond.toFixed(1)} commands/s, p50 ${http.at(-1)!.p50Ms} ms, p99 ${http.at(-1)!.p99Ms} ms`);
      await quiet();
    }
    http.push(await measure({ label: `case-state read GET /intake/applications/:caseId`, url: `${intakeUrl}/intake/applications/${warm.caseId}`, headers: { authorization: `Bearer ${applicantToken}` }, ...common }));
    log(`  ${http.at(-1)!.label}: ${http.at(-1)!.requestsPerSecond.toFixed(0)} req/s, p99 ${http.at(-1)!.p99Ms} ms, non-2xx ${http.at(-1)!.non2xx}`);
  }
  if (!config.skipHttp) {
    // The baseline again after the system's figures: the better of the two is the one the ratios use.
    http.push(await measure({ label: 'bare fastify hello-world (GET /), again', url: hello.url, connections: config.connections, seconds: config.httpSeconds }));
    log(`  ${http.at(-1)!.label}: ${http.at(-1)!.requestsPerSecond.toFixed(0)} req/s, p99 ${http.at(-1)!.p99Ms} ms`);
  }
  await hello.stop();
  children.splice(children.indexOf(hello), 1);

  // ── the day ────────────────────────────────────────────────────────────────
  let day: DayResult | null = null;
  let night: ClockMove[] = [];
  let dayEndMs = 0;
  let dayCpu: { before: CpuSnapshot; after: CpuSnapshot } | null = null;
  const cpuGroups = () => ({
    services: distributed ? distributed.services.map((s) => ({ name: s.name, pid: s.child.pid! })) : systemRoots().map((pid) => ({ name: 'standalone', pid })),
    kafkaPid: infraPids.find((p) => p.what === 'kafka')?.pid ?? null,
  });
  if (!config.skipDay) {
    await quiet();
    const cpuBefore = await cpuSnapshot(cpuGroups());
    log(`the day: ${config.cases} cases at ${config.rate.toFixed(1)} cases/s (${config.multiple.toFixed(1)}× the average of ${DAY_CASES} a day), at most ${config.maxInFlight} journeys in flight`);
    day = await runDay({ client, setClock, cases: config.cases, rate: config.rate, maxInFlight: config.maxInFlight, dayStartMs: Date.parse(DAY_START), log });
    log(`  journeys done: ${day.casesFinished} finished, ${day.casesFailed} failed, in ${((day.journeysEndedMs - day.startedMs) / 1000).toFixed(1)} s; waiting for the system to go quiet …`);
    await quiet();
    dayEndMs = Date.now() - 4_000;
    dayCpu = { before: cpuBefore, after: await cpuSnapshot(cpuGroups()) };
    log('the night: the clock goes day by day through the next week');
    night = await runNight(setClock, Date.parse(DAY_START), 9, () => quiet(4, 900), log);
  }
  clearInterval(sampler);

  // ── checks ───────────────────────────────────────────────────────────────────
  log('checking: store, topics, breach lag …');
  const events = await allEvents(pool);
  const rows = await storedRows(pool);
  const okIds = day ? day.commands.filter((c) => c.status >= 200 && c.status < 300).map((c) => c.correlationId) : [];
  const stored = checkStored(okIds, rows);
  const topics = await readTopics(kafkaBrokers.split(','), run.topicPrefix);
  const relayed = checkRelayed(events, topics.messages.map((m) => m.id));
  const { rows: checkpoints } = await pool.query<{ id: string; position: string }>("SELECT subscription_id AS id, position::text FROM subscription_checkpoints WHERE subscription_id LIKE 'relay%' ORDER BY 1");
  const storeHead = await head();
  const coverage = await deadlineCoverage(pool);
  const consumerCrashes: string[] = [];
  for (const file of systemLogs) consumerCrashes.push(...(await readFile(file, 'utf8').catch(() => '')).split('\n').filter((l) => /consumer \w+ crashed/.test(l)).map((l) => /consumer (\w+) crashed/.exec(l)![1]!));
  const allMoves = [...(day?.clockMoves ?? []), ...night];
  const breachLags = (await breaches(pool)).map((b) => {
    const passed = wallWhenPassed(allMoves, b.dueAtMs);
    if (passed === null) return null;
    const lag = breachLag(b, passed);
    return { lagMs: lag.fromDue, fromClockMs: lag.fromClock, openedLate: b.openedMs > passed, atMs: b.recordedMs };
  }).filter((b): b is { lagMs: number; fromClockMs: number; openedLate: boolean; atMs: number } => b !== null);
  await pool.end();

  // ── figures ─────────────────────────────────────────────────────────────────
  const t0 = day?.startedMs ?? Date.now();
  const dayEvents = events.filter((e) => e.recordedMs >= t0 && (dayEndMs === 0 || e.recordedMs <= dayEndMs));
  const lastDayEventMs = dayEvents.length > 0 ? dayEvents[dayEvents.length - 1]!.recordedMs : t0;
  const recordedOf = new Map(events.map((e) => [e.id, e.recordedMs]));
  const daySeconds = (lastDayEventMs - t0) / 1000;
  const storedPerS = new SecondBuckets(t0);
  for (const e of events) if (e.recordedMs >= t0) storedPerS.add(e.recordedMs);
  const relayedPerS = new SecondBuckets(t0);
  const relayLagBySecond: number[][] = [];
  const relayLags: number[] = [];
  for (const m of topics.messages) {
    if (m.timestampMs < t0) continue;
    relayedPerS.add(m.timestampMs);
    const recorded = recordedOf.get(m.id);
    if (recorded === undefined) continue;
    const lag = m.timestampMs - recorded;
    relayLags.push(lag);
    const i = Math.floor((recorded - t0) / 1000);
    (relayLagBySecond[i] ??= []).push(lag);
  }
  const ok2xx = day?.commands.filter((c) => c.status >= 200 && c.status < 300) ?? [];
  const latencies = ok2xx.map((c) => c.latencyMs);
  const peak = (pick: (s: MemorySample) => number) => Math.max(0, ...memory.map(pick));
  const peakServices = peak((s) => s.services);
  const peakInfra = peak((s) => s.infra);
  const peakTogether = peak((s) => s.services + s.infra);
  const eventsPerS = daySeconds > 0 ? dayEvents.length / daySeconds : 0;
  const casesPerS = day && day.journeysEndedMs > day.startedMs ? day.casesFinished / ((day.journeysEndedMs - day.startedMs) / 1000) : 0;
  const eventsPerCase = day && day.casesStarted > 0 ? dayEvents.length / day.casesStarted : 0;
  const keptUp = day ? day.maxArrivalLagMs < 2_000 && (day.journeysEndedMs - day.arrivalsEndedMs) < 60_000 : false;
  const whole = dayVerdict({ offeredRate: config.rate, completedRate: casesPerS, keptUp });
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  const load = await import('node:os').then((os) => os.loadavg());
  const hello0 = http.filter((h) => h.label.startsWith('bare')).sort((a, b) => b.requestsPerSecond - a.requestsPerSecond)[0];
  const intake = http.find((h) => h.label === 'intake POST /intake/applications (durable append)');
  const readR = http.find((h) => h.label.startsWith('case-state'));
  const breachP99 = percentile(breachLags.map((b) => b.lagMs), 99);
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS');
  const scaled = config.cases < DAY_CASES;

  const lines: string[] = [];
  const say = (line = '') => lines.push(line);
  say(`## system — megacity day (\`pnpm bench:system\`) — ${machine.date}`);
  say();
  say(`Machine: ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, Linux, Node ${machine.node}, ${machine.postgres}, ${machine.kafka}, Redis local. Load average at start ${machine.load.map((l) => l.toFixed(2)).join(' / ')}, at end ${load.map((l) => l.toFixed(2)).join(' / ')} (2 cores shared with colleagues' test runs).`);
  say();
  const whatRan = config.topology === 'distributed'
    ? `**the distributed run** (every service its own process, started by \`startDistributed\`: ${distributed?.services.map((s) => s.name).join(', ')}; clocks moved together with \`moveClocks\`)`
    : '**the standalone process** (every service module in one process; `--topology standalone`)';
  const kafkaWhere = config.ownKafka ? `a one-node KRaft broker of the bench's own at ${kafkaBrokers}, same jars as infra/kafka` : `the shared broker ${kafkaBrokers}`;
  say(`What ran: ${whatRan} on the real PostgreSQL (schema \`${run.schema}\`), Kafka (${kafkaWhere}; topics and consumer groups \`${run.topicPrefix}*\`) and Redis, \`GOVSVC_CLOCK=controlled\`, \`RATE_LIMIT_ENABLED=false\`, \`LOG_LEVEL=${config.logLevel}\`. Load generator: autocannon 8.0.0 (HTTP figures${config.topology === 'distributed' ? ", intake's own port" : ''}) and the bench's journey driver (node:http, keep-alive) for the day.`);
  say();
  if (day) {
    say(`The day: **${config.cases.toLocaleString('en')} cases**${scaled ? ` (a scaled-down day; the full day is ${DAY_CASES.toLocaleString('en')}: \`pnpm bench:system\` with no options)` : ''}, offered at ${config.rate.toFixed(1)} cases/s (${config.multiple.toFixed(0)}× the day's average), clock compressed ${day.speed.toFixed(0)}× (one day, ${DAY_START}, over the arrivals), then nine night steps to the following midnights. Mix as driven: ${[...day.outcomes].map(([k, v]) => `${k} ${v}`).join(', ')} (collaboration = food-licence cases reaching a decision, each with the fire brigade's opinion). The cases the HTTP phase submitted (autocannon) stay in the system, left at the window: they take part in the night's breaches.`);
    say();
  }
  say('| target | measured | verdict |');
  say('| --- | --- | --- |');
  if (day) {
    say(`| whole day < 10 min (~5,000 events/s end to end) | ${dayEvents.length.toLocaleString('en')} events stored in ${daySeconds.toFixed(0)} s = **${eventsPerS.toFixed(0)} events/s** (${eventsPerCase.toFixed(1)} events a case); ${casesPerS.toFixed(1)} cases/s completed${keptUp ? '' : ` (arrivals up to ${(day.maxArrivalLagMs / 1000).toFixed(0)} s late)`}; ${whole.explanation} | ${whole.verdict} |`);
    say(`| zero lost or duplicated events | ${stored.commandsOk.toLocaleString('en')} commands answered 2xx: ${stored.commandsWithoutEvents.length} without stored events, ${stored.duplicatedEffects.length} with a duplicated effect; ${relayed.messages.toLocaleString('en')} messages on ${topics.topics} topics (high watermarks ${topics.highWatermarkSum.toLocaleString('en')}): ${relayed.missing} events of published types not relayed, ${relayed.duplicateIds} duplicate message ids; relay checkpoints ${checkpoints.map((c) => `${c.id}@${c.position}`).join(', ')} / store head ${storeHead} | ${verdict(stored.commandsWithoutEvents.length === 0 && stored.duplicatedEffects.length === 0 && relayed.missing === 0 && relayed.duplicateIds === 0)} |`);
    say(`| breach lag p99 < 1 s | ${breachLags.length.toLocaleString('en')} breaches: p50 ${percentile(breachLags.map((b) => b.lagMs), 50).toFixed(0)} ms, **p99 ${breachP99.toFixed(0)} ms**, max ${Math.max(0, ...breachLags.map((b) => b.lagMs)).toFixed(0)} ms (the clock move that passed the due instant, or the deadline's opening when later → DeadlineBreached stored; ${breachLags.filter((b) => b.openedLate).length.toLocaleString('en')} were opened already past due); counted from the clock move alone, which adds the chain that opened them late: p50 ${percentile(breachLags.map((b) => b.fromClockMs), 50).toFixed(0)} ms, p99 ${percentile(breachLags.map((b) => b.fromClockMs), 99).toFixed(0)} ms; supervision opened deadlines for ${coverage.withDeadlines} of ${coverage.submitted} cases${consumerCrashes.length > 0 ? `; consumers that crashed and did not come back: ${consumerCrashes.join(', ')}` : ''} | ${verdict(breachLags.length > 0 && breachP99 < 1000 && coverage.withDeadlines === coverage.submitted)} |`);
  }
  say(`| resident memory of all processes < 4 GB | peak together **${mb(peakTogether)}**: services ${mb(peakServices)} RSS (${config.topology === 'distributed' ? `the ${distributed?.services.length ?? 0} service processes with their children, summed` : 'the standalone process tree'}), infrastructure ${mb(peakInfra)} PSS (PostgreSQL with every backend incl. colleagues', Kafka, Redis); the bench's own driver ${mb(peak((s) => s.driver))} not counted | ${verdict(peakTogether > 0 && peakTogether < 4 * 2 ** 30)} |`);
  if (intake && hello0) {
    // autocannon counts answers inside its window only: none means the latency exceeded the window, not "0 per second".
    const noAnswer = intake.ok === 0 ? ` — no answer inside the ${intake.seconds}-s window: latency above it, run again with a longer --http-seconds` : '';
    say(`| intake commands ≥ 8,000/s over HTTP, durable append | **${intake.requestsPerSecond.toFixed(intake.requestsPerSecond < 10 ? 1 : 0)} commands/s** (2xx only; ${intake.non2xx} non-2xx, ${intake.errors} errors${noAnswer}) | ${verdict(intake.requestsPerSecond >= 8000)} |`);
    say(`| intake ≥ 0.10× bare fastify hello-world | ${(intake.requestsPerSecond / hello0.requestsPerSecond).toFixed(3)}× (hello-world ${hello0.requestsPerSecond.toFixed(0)} req/s, the better of its two measurements) | ${verdict(intake.requestsPerSecond >= 0.1 * hello0.requestsPerSecond)} |`);
    say(`| intake p99 < 10 ms at ${intake.connections} connections | ${intake.ok > 0 ? `p50 ${intake.p50Ms} ms, **p99 ${intake.p99Ms} ms**` : `**above ${intake.seconds} s** (no answer inside the window)`} | ${verdict(intake.ok > 0 && intake.p99Ms < 10)} |`);
  }
  if (readR && hello0) say(`| case-state read ≥ 0.7× hello-world | ${readR.requestsPerSecond.toFixed(0)} req/s = **${(readR.requestsPerSecond / hello0.requestsPerSecond).toFixed(2)}×** (p99 ${readR.p99Ms} ms) | ${verdict(readR.requestsPerSecond >= 0.7 * hello0.requestsPerSecond)} |`);
  say();
  if (http.length > 0) {
    say(`HTTP figures (autocannon, ${config.connections} connections, ${config.httpSeconds} s each, pipelining 1, same run):`);
    for (const h of http) say(`- ${h.label}: ${h.requestsPerSecond.toFixed(h.requestsPerSecond < 10 ? 1 : 0)}/s 2xx, p50 ${h.p50Ms} ms, p99 ${h.p99Ms} ms, non-2xx ${h.non2xx}, errors ${h.errors}, timeouts ${h.timeouts}`);
    say();
  }
  if (day) {
    say(`Driver: ${day.commands.length.toLocaleString('en')} commands sent (${ok2xx.length.toLocaleString('en')} 2xx; retries on 412/404-not-yet-opened included), latency of 2xx commands p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms; ${day.reads.ok + day.reads.other} reads waiting for review (case opened? licence issued?; Prefer: wait, held by review until it is), p99 ${percentile(day.reads.latencies, 99)} ms. Journeys: ${day.casesFinished} finished, ${day.casesFailed} failed.`);
    if (day.failures.size > 0) {
      say('Failures by step (first 10):');
      for (const [what, n] of [...day.failures].sort((a, b) => b[1] - a[1]).slice(0, 10)) say(`- ${n} × ${what.replace(/\|/g, '/')}`);
    }
    say(`Relay lag (event stored → contract on Kafka): p50 ${percentile(relayLags, 50)} ms, p99 ${percentile(relayLags, 99)} ms over ${relayLags.length.toLocaleString('en')} contracts.`);
    const perCore = eventsPerS / machine.cores;
    say(`State changes per second per core: **${perCore.toFixed(0)}** (stored events/s over the day ÷ ${machine.cores} cores, everything — services, PostgreSQL, Kafka, Redis, the driver — on the same cores). Reporting only, not measured here: see the hand-written note below for the published Camunda 8 and Temporal figures.`);
    say();
    if (dayCpu) {
      const rows = cpuBetween(dayCpu.before, dayCpu.after);
      const wall = (dayCpu.after.atMs - dayCpu.before.atMs) / 1000;
      const total = rows.reduce((sum, r) => sum + r.seconds, 0);
      say(`CPU over the day (from the first arrival until the system went quiet, ${wall.toFixed(0)} s of wall time, ${(wall * machine.cores).toFixed(0)} CPU s on ${machine.cores} cores, ${total.toFixed(0)} s busy), per process, from /proc:`);
      say();
      say('| process | CPU s | share of busy | ms per event stored |');
      say('|---|---:|---:|---:|');
      for (const r of rows) say(`| ${r.group} | ${r.seconds.toFixed(1)} | ${((100 * r.seconds) / Math.max(total, 1e-9)).toFixed(1)}% | ${dayEvents.length > 0 ? ((1000 * r.seconds) / dayEvents.length).toFixed(2) : '–'} |`);
      say();
    }
    say("Per event type (stored in the run's schema / relayed under its own id):");
    say(relayed.byType.slice(0, 40).map((t) => `${t.type} ${t.stored}/${t.relayed}`).join(' · '));
    say();
  }
  const report = lines.join('\n');
  log(`\n${report}\n`);

  // ── chart and results file ──────────────────────────────────────────────────
  const svgName = `system-${run.id}.svg`;
  const relayP99 = relayLagBySecond.map((l) => (l && l.length > 0 ? percentile(l, 99) : Number.NaN));
  const svg = renderChart({
    title: `megacity day: ${config.cases.toLocaleString('en')} cases at ${config.rate.toFixed(0)} cases/s offered — ${machine.date.slice(0, 16)}Z, ${machine.cores} cores`,
    throughput: [
      { label: 'events stored /s', colour: '#1f77b4', values: storedPerS.counts },
      { label: 'contracts relayed to Kafka /s', colour: '#ff7f0e', values: relayedPerS.counts },
      { label: 'HTTP commands 2xx /s', colour: '#2ca02c', values: day?.commandBuckets.counts ?? [] },
    ],
    lag: [{ label: 'relay lag p99 (ms) by second stored', colour: '#9467bd', values: relayP99 }],
    lagDots: { label: 'breach lag (ms) of each breach', colour: '#d62728', points: breachLags.map((b) => [Math.max(0, (b.atMs - t0) / 1000), b.lagMs] as const) },
    marks: [...(day ? [[(day.arrivalsEndedMs - t0) / 1000, 'arrivals end'] as const] : []), ...night.map((m, i) => [(m.wallMs - t0) / 1000, `night ${i + 1}`] as const)],
  });
  await writeFile(join(run.runDir, 'report.md'), `${report}\n`);
  await writeFile(join(run.runDir, svgName), svg);
  await writeFile(join(run.runDir, 'results.json'), JSON.stringify({ machine, config, http, coverage, consumerCrashes, non2xx: day?.commands.filter((c) => c.status < 200 || c.status >= 300) ?? [], stored: { ...stored, commandsWithoutEvents: stored.commandsWithoutEvents.slice(0, 100), duplicatedEffects: stored.duplicatedEffects.slice(0, 100) }, relayed, checkpoints, storeHead: storeHead.toString(), breachLagsMs: breachLags.map((b) => b.lagMs), breachLagsFromClockMs: breachLags.map((b) => b.fromClockMs), memory, day: day && { ...day, commands: undefined, failures: Object.fromEntries(day.failures), outcomes: Object.fromEntries(day.outcomes), commandBuckets: day.commandBuckets.counts, caseBuckets: day.caseBuckets.counts } }, null, 1));
  if (config.write) {
    await mkdir(join(REPO_ROOT, 'docs', 'benchmarks'), { recursive: true });
    await writeFile(join(REPO_ROOT, 'docs', 'benchmarks', svgName), svg);
    // Append only, under the git lock, re-reading the file there: colleagues write other sections of it.
    const section = `\n${report}\n\nChart: [docs/benchmarks/${svgName}](benchmarks/${svgName})\n\n![megacity day](benchmarks/${svgName})\n`;
    const script = 'cat "$1" >> "$2"';
    await writeFile(join(run.runDir, 'section.md'), section);
    const appended = spawnSync('flock', ['/tmp/git.lock', 'bash', '-c', script, 'append', join(run.runDir, 'section.md'), join(REPO_ROOT, 'docs', 'benchmarks.md')], { stdio: 'inherit' });
    if (appended.status !== 0) throw new Error('could not append to docs/benchmarks.md');
    log(`appended to docs/benchmarks.md; chart docs/benchmarks/${svgName}`);
  }
  log(`run folder: ${run.runDir}`);
} finally {
  clearInterval(sampler);
  await stopAll();
}
