/**
 * The fault harness (issue 9): a seeded workload of real cases through the
 * distributed run (every service its own process, real PostgreSQL, Kafka and
 * Redis), a fault schedule applied while it runs, a JSONL history of every
 * request, response and fault, and a checker that names what broke.
 *
 * Isolation from other work on the machine: the run has its own PostgreSQL
 * schema, its own service ports, its own `redis-server` (so FLUSHALL touches
 * nobody else's keys), its own Kafka broker (consumer groups are shared by
 * name; a broker kill must not hit others), its own PostgreSQL cluster (an
 * immediate restart must not hit others), each of the two behind a latency
 * proxy (the broker advertises its proxy's port, so every Kafka client goes
 * through it).
 * Fault injection is in `processes.ts` (service processes), `own-postgres.ts`,
 * `@govsvc/testkit/private-kafka` and `topics.ts` (records on the broker); the checker in
 * `checks.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { distributedTopology, eventually, GovsvcClient, readDevKeyPair, type Caller, type Reply } from '@govsvc/standalone/client';
import { startDistributed, type DistributedRun } from '@govsvc/standalone/distributed';
import { DEFAULT_CENTRES } from '@govsvc/intake/app/defaults';
import { residentId, slotsToBook, type SlotView } from './bookings.ts';
import { check, type Booking, type CheckResult, type HistoryEntry, type PoisonSent } from './checks.ts';
import { pointInfraAt } from './config.ts';
import { startLatencyProxy } from './latency-proxy.ts';
import { startOwnPostgres } from './own-postgres.ts';
import { freePort, launchKafkaBroker } from '@govsvc/testkit/private-kafka';
import { createRedisSlotCounter } from '@govsvc/intake/app/redis-slot-counter';
import { freezeAndThaw, runningOf, stopAndRestart, stopReplacements, superviseCrashes, type Running } from './processes.ts';
import { contractRecord, endOffset, publishRaw, readTopic, resent, topicOf, waitForAck } from './topics.ts';
import { DEFAULT_DELIVERY, ensureItemProfile, ENTERPRISE, FOOD_LICENCE, PEOPLE } from '@govsvc/standalone/journeys';

const FIRE = '北京市东城区消防救援支队';
const FIRE_REVIEWER: Caller = { role: 'reviewer', subject: 'reviewer-fire-1', department: FIRE };

export type FaultName =
  | 'kill-consumer'
  | 'kafka-kill'
  | 'redis-flushall'
  | 'pg-latency'
  | 'kafka-latency'
  | 'pg-restart'
  | 'sigterm-consumer'
  | 'kafka-restart'
  | 'kafka-down'
  | 'redis-down'
  | 'relay-kill'
  | 'poison'
  | 'zombie-consumer'
  | 'deadline-storm'
  | 'clock-jump';
/** In the issue's order. */
export const FAULTS: readonly FaultName[] = [
  'kill-consumer',
  'kafka-kill',
  'redis-flushall',
  'pg-latency',
  'kafka-latency',
  'pg-restart',
  'sigterm-consumer',
  'kafka-restart',
  'kafka-down',
  'redis-down',
  'relay-kill',
  'poison',
  'zombie-consumer',
  'deadline-storm',
  'clock-jump',
];
/** Faults that hit one consumer service, picked by the seed (courier last, so earlier seeds keep their targets where they can). */
const CONSUMER_TARGETS = ['review', 'delivery', 'supervision', 'courier'];
const TARGETED: readonly FaultName[] = ['kill-consumer', 'sigterm-consumer', 'zombie-consumer'];

export interface HarnessOptions {
  readonly seed: number;
  readonly cases: number;
  readonly faults: readonly FaultName[];
  readonly runDir: string;
  readonly portBase: number;
  readonly concurrency: number;
  /** How long `kafka-down` keeps the broker down while intake goes on accepting (default 75 s). */
  readonly kafkaDownSeconds?: number;
  /** How long `redis-down` keeps the run's Redis down (default 60 s); it comes back empty, as a restarted cache does. */
  readonly redisDownSeconds?: number;
  /** How many deadlines `deadline-storm` makes due at one instant (default 10,000). */
  readonly stormDeadlines?: number;
  /** How long `kafka-latency` keeps +100 ms each way on the broker's traffic (default 18 s). */
  readonly kafkaLatencySeconds?: number;
  /** How long `zombie-consumer` keeps a service stopped: past the consumer session timeout of 10 s (default 25 s). */
  readonly zombieSeconds?: number;
  readonly log: (line: string) => void;
}

export interface ScheduledFault {
  readonly fault: FaultName;
  /** Applied once this many cases have been submitted. */
  readonly afterCases: number;
  readonly target?: string;
}

export type { CheckResult } from './checks.ts';

export interface RunResult {
  readonly seed: number;
  readonly schedule: readonly ScheduledFault[];
  readonly checks: readonly CheckResult[];
  readonly counts: { readonly cases: number; readonly requests: number; readonly events: number; readonly faults: number };
  readonly historyFile: string;
}

/** mulberry32: a small seeded generator, so a seed replays its schedule and workload exactly. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Where each fault lands: spread over the middle of the workload, seeded. */
export function scheduleFaults(seed: number, cases: number, faults: readonly FaultName[]): ScheduledFault[] {
  const next = random(seed);
  return faults.map((fault) => ({
    fault,
    afterCases: Math.max(1, Math.floor(cases * (0.2 + 0.6 * next()))),
    ...(TARGETED.includes(fault) && { target: CONSUMER_TARGETS[Math.floor(next() * CONSUMER_TARGETS.length)]! }),
    ...(fault === 'relay-kill' && { target: 'intake' }),
  }));
}

/** The run's own Redis: FLUSHALL there touches no one else's data. */
async function startOwnRedis(runDir: string): Promise<{ url: string; port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', runDir], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  await eventually('own redis-server', async () => redisCommand(port, ['PING']).then((r) => r.includes('PONG')).catch(() => false), 10_000, 100);
  return { url, port, child };
}

/** The run's Redis again on the same port, empty (it keeps nothing on disk). */
async function restartOwnRedis(runDir: string, port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', runDir], { stdio: 'ignore' });
  await eventually('own redis-server again', async () => redisCommand(port, ['PING']).then((r) => r.includes('PONG')).catch(() => false), 10_000, 100);
  return child;
}

/** One RESP command over a raw socket (the harness needs two commands; no client library). */
function redisCommand(port: number, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`));
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString();
      if (data.endsWith('\r\n')) {
        socket.end();
        resolve(data);
      }
    });
    socket.on('error', reject);
    socket.setTimeout(2_000, () => socket.destroy(new Error('redis timeout')));
  });
}

class History {
  readonly #out: WriteStream;
  readonly entries: HistoryEntry[] = [];
  constructor(readonly file: string) {
    this.#out = createWriteStream(file, { flags: 'w' });
  }
  record(entry: Omit<HistoryEntry, 'at'>): void {
    const full = { at: new Date().toISOString(), ...entry } as HistoryEntry;
    this.entries.push(full);
    this.#out.write(`${JSON.stringify(full)}\n`);
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.#out.end(resolve));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A client call recorded in the history and retried while the answer says
 * "retry" (connection refused while a service restarts, 503, a 412 race):
 * always with the same Idempotency-Key, so a retry can never act twice.
 */
async function recorded(history: History, client: GovsvcClient, caseLabel: string, step: string, method: string, path: string, caller: Caller, body: unknown, idempotencyKey: string, accept: readonly number[]): Promise<Reply> {
  const service = path.split('/')[1] ?? '';
  for (let attempt = 1; ; attempt++) {
    let reply: (Reply & { contentType: string | null; retryAfter: string | null }) | undefined;
    let error: string | undefined;
    try {
      const response = await fetch(`${client.topology.urlOf(service)}${path}`, {
        method,
        headers: { authorization: `Bearer ${await client.token(service, caller)}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      let json: unknown = {};
      try {
        json = text ? JSON.parse(text) : {};
      } catch {
        json = { raw: text };
      }
      reply = { status: response.status, json, text, contentType: response.headers.get('content-type'), retryAfter: response.headers.get('retry-after') };
    } catch (e) {
      error = (e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message;
    }
    history.record({
      kind: 'request',
      case: caseLabel,
      step,
      method,
      path,
      idempotencyKey,
      attempt,
      ...(reply !== undefined ? { status: reply.status, contentType: reply.contentType, retryAfter: reply.retryAfter, body: reply.text.slice(0, 2_000) } : { error }),
    });
    if (reply !== undefined && accept.includes(reply.status)) return reply;
    // Retriable: a service restarting (refused connection), 503, a 412 race, 429; and intake not yet knowing the guide
    // from the catalog's contract at start-up (R-CAT-1), which the journeys retry too.
    const guideNotYetKnown = reply?.status === 400 && (reply.text.includes('R-CAT-1') || reply.text.includes('not an item of the catalog'));
    const retriable = reply === undefined || reply.status === 503 || reply.status === 412 || reply.status === 429 || guideNotYetKnown;
    if (!retriable || attempt >= 120) throw new Error(`${caseLabel} ${step}: ${reply === undefined ? error : `HTTP ${reply.status} ${reply.text.slice(0, 300)}`}`);
    await sleep(Math.min(2_000, 100 * attempt));
  }
}

/** How much faster than real time the local carrier moves parcels: its 22 h journey in ~8 s. */
const CARRIER_TIME_SCALE = 10_000;
/** How long the harness waits for the local carrier's own pushes before standing in for it (see `courierLeg`). */
const CARRIER_PATIENCE_MS = 30_000;

/** Notified by SMS, the licence sent by post (R-DELIV-1, Art. 19), as the guided demo's applicant chooses. */
const POSTAL_DELIVERY = {
  notificationChannels: ['sms'],
  resultDelivery: { method: 'post' },
  contact: {
    name: '张经理',
    mobile: '13812345678',
    postalAddress: { recipient: '张经理', phone: '13812345678', region: '110101', address: '北京市东城区东四北大街88号', postcode: '100007' },
  },
};

/** The local carrier's journey (courier's `DEFAULT_JOURNEY`), as the harness replays it when it stands in for the carrier. */
const CARRIER_JOURNEY = [
  { status: 'picked-up', location: '北京朝阳营业部', note: '快递员已揽收' },
  { status: 'in-transit', location: '北京转运中心', note: '已到达转运中心' },
  { status: 'out-for-delivery', location: '北京东城营业部', note: '快递员正在派送' },
  { status: 'delivered', location: '北京东城营业部', note: '已签收' },
] as const;

interface WaybillView {
  readonly waybillId: string;
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly status: string;
  readonly history: readonly { readonly status: string }[];
}

/** Places per slot in the booking part of the workload: small, so concurrent bookings contend. */
const SLOT_CAPACITY = 3;

/** The day the storm's contracts were requested and due: long past, so every deadline is due at once when it arrives. */
const STORM_REQUESTED_AT = '2026-11-02T09:00:00+08:00';
const STORM_DUE = '2026-11-06';

/** Deadlines the clock row opens (due at the end of today), and how long each shift is left to act. */
const CLOCK_DEADLINES = 20;
const CLOCK_SETTLE_MS = 15_000;
const SUPERVISOR: Caller = { role: 'supervisor', subject: 'supervisor-1' };

export interface ClockJump {
  readonly deadlines: number;
  /** Clock-row deadlines in supervision's index before the first shift. */
  readonly opened: number;
  /** Clock-row deadlines breached before the first shift. */
  readonly before: number;
  /** Whether +2 h passes their due instant (the end of today in Shanghai). */
  readonly expectBreach: boolean;
  readonly shifts: readonly { readonly shift: string; readonly breached: number; readonly now: string }[];
}

/** A `review.opinion-requested.v1` contract opening one opinion deadline for `caseId`, due at the end of `due` (Shanghai). */
function opinionRequest(caseId: string, requestedAt: string, due: string) {
  return contractRecord({
    type: 'review.opinion-requested.v1',
    producer: 'review',
    key: caseId,
    id: `${caseId}-opinion`,
    time: requestedAt,
    data: {
      caseId,
      requestId: 'req-1',
      leadDepartment: FOOD_LICENCE.lead,
      assistingDepartment: FIRE,
      question: '经营场所消防安全是否符合要求？',
      materials: [],
      due: { date: due, provisional: false },
      requestedAt,
      requestedBy: { staffId: 'reviewer-dc-1', department: FOOD_LICENCE.lead },
    },
  });
}

/** Signed as the carrier signs its webhook (courier's `signBody`): HMAC-SHA256 of the raw body with the carrier's secret. */
const carrierSignature = (body: string, secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/**
 * The courier leg of a post case: delivery hands the licence to courier, which books a waybill with the local
 * carrier; the carrier pushes its tracking to courier's webhook, signed, until delivered. The carrier lives in
 * courier's process (a development adapter): a courier killed while a parcel travels takes the carrier's memory
 * with it, which no real carrier would lose. After `CARRIER_PATIENCE_MS` without delivery the harness stands in
 * for the carrier: it sends the journey's scans itself, signed with the carrier's secret, with the carrier's own
 * event ids (so scans the carrier already sent are recorded once). The booking, each push and the delivery are
 * side effects in the history.
 */
async function deliverByPost(history: History, client: GovsvcClient, label: string, caseId: string, secret: string | undefined, log: (line: string) => void): Promise<void> {
  const waybillsOf = async (): Promise<WaybillView[]> => {
    const reply = await client.get(`/courier/cases/${caseId}/waybills`, PEOPLE.applicant).catch(() => undefined);
    return reply?.status === 200 ? ((reply.json as { waybills?: WaybillView[] }).waybills ?? []) : [];
  };
  const booked = await eventually(`${label}: courier to book the parcel`, async () => (await waybillsOf())[0], 180_000, 500);
  history.record({ kind: 'effect', effect: 'carrier-booking', case: label, caseId, waybillId: booked.waybillId, carrier: booked.carrier, trackingNumber: booked.trackingNumber, status: booked.status });
  const deliveredView = async () => (await waybillsOf()).find((w) => w.waybillId === booked.waybillId && w.status === 'delivered');
  let delivered = await eventually(`${label}: the carrier to deliver`, deliveredView, CARRIER_PATIENCE_MS, 1_000).catch(() => undefined);
  let pushedBy = 'carrier';
  if (delivered === undefined) {
    if (secret === undefined) throw new Error(`${label}: parcel ${booked.waybillId} not delivered, and no local carrier secret to stand in for the carrier`);
    pushedBy = 'harness';
    const seen = new Set((await waybillsOf()).find((w) => w.waybillId === booked.waybillId)?.history.map((h) => h.status) ?? []);
    log(`  ${label}: parcel ${booked.waybillId} not delivered after ${CARRIER_PATIENCE_MS / 1000} s (seen ${[...seen].join(', ') || 'nothing'}); the harness pushes the carrier's scans`);
    const now = Date.now();
    const events = CARRIER_JOURNEY.map((step, index) => ({
      eventId: `${booked.trackingNumber}-${index + 1}`,
      trackingNumber: booked.trackingNumber,
      status: step.status,
      occurredAt: new Date(now - (CARRIER_JOURNEY.length - index) * 1_000).toISOString(),
      sequence: index + 1,
      location: step.location,
      note: step.note,
    }));
    const url = `${client.topology.urlOf('courier')}/courier/carriers/${booked.carrier}/webhook`;
    const deliveryId = randomUUID();
    const body = JSON.stringify({ deliveryId, sentAt: new Date(now).toISOString(), events });
    // Retried like a carrier retries (same delivery id and body): a refused connection while courier restarts, 5xx, 429.
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-carrier-signature': carrierSignature(body, secret) }, body, signal: AbortSignal.timeout(30_000) }).catch((e: Error) => e);
      const status = response instanceof Error ? undefined : response.status;
      const text = response instanceof Error ? '' : await response.text();
      history.record({ kind: 'request', case: label, step: 'carrier-webhook', method: 'POST', path: `/courier/carriers/${booked.carrier}/webhook`, idempotencyKey: deliveryId, attempt, ...(response instanceof Error ? { error: response.message } : { status, contentType: response.headers.get('content-type'), retryAfter: response.headers.get('retry-after'), body: text.slice(0, 2_000) }) });
      if (status !== undefined && status < 300) break;
      if ((status !== undefined && status < 500 && status !== 429) || attempt >= 60) throw new Error(`${label}: carrier webhook ${status ?? 'refused'} ${text.slice(0, 300)}`);
      await sleep(Math.min(2_000, 100 * attempt));
    }
    delivered = await eventually(`${label}: courier to record the pushed delivery`, deliveredView, 120_000, 1_000);
  }
  history.record({ kind: 'effect', effect: 'tracking-delivered', case: label, caseId, waybillId: booked.waybillId, trackingNumber: delivered.trackingNumber, pushedBy, history: delivered.history.map((h) => h.status) });
}

/** Runs the workload under the fault schedule, then checks. */
export async function runHarness(options: HarnessOptions): Promise<RunResult> {
  const { seed, cases, runDir, log } = options;
  const kafkaDownMs = (options.kafkaDownSeconds ?? 75) * 1000;
  const redisDownMs = (options.redisDownSeconds ?? 60) * 1000;
  const stormDeadlines = options.stormDeadlines ?? 10_000;
  const zombieMs = (options.zombieSeconds ?? 25) * 1000;
  const kafkaLatencyMs = (options.kafkaLatencySeconds ?? 18) * 1000;
  const schedule = scheduleFaults(seed, cases, options.faults);
  log(`seed ${seed}; ${cases} cases; fault schedule ${JSON.stringify(schedule)}`);
  const history = new History(join(runDir, `history-${seed}.jsonl`));
  history.record({ kind: 'note', seed, cases, schedule });

  const redis = await startOwnRedis(runDir);
  // The broker listens on its own port and advertises its proxy's: after the bootstrap every client connection
  // (services, relays, the harness's admin and readers) goes through the proxy, so `kafka-latency` slows them all.
  const kafkaPort = await freePort();
  const kafkaProxy = await startLatencyProxy({ host: '127.0.0.1', port: kafkaPort });
  // A broker of the run's own (testkit's, as the messaging broker-kill test uses): consumer groups on the machine's
  // broker are shared by name with every other run, and killing that broker would break other people's work.
  // A broker that fails to start must not leave this run's Redis and proxy behind (they outlived failed runs before).
  const broker = await launchKafkaBroker({ dir: join(runDir, 'kafka'), brokerPort: kafkaPort, controllerPort: await freePort(), advertisedPort: kafkaProxy.port }).catch(async (error: unknown) => {
    redis.child.kill('SIGTERM');
    await kafkaProxy.close();
    throw error;
  });
  const kafka = { brokers: `127.0.0.1:${kafkaProxy.port}`, pid: broker.pid, kill: broker.kill, restart: broker.restart, stop: broker.shutdown };
  const postgres = await startOwnPostgres(join(runDir, 'postgres'), await freePort());
  log(`own Redis ${redis.url}, own Kafka ${kafka.brokers} (proxy to :${kafkaPort}), own PostgreSQL ${postgres.url}`);
  const pgProxy = await startLatencyProxy({ host: '127.0.0.1', port: postgres.port });
  const restoreInfra = pointInfraAt({
    redis: redis.url,
    kafka: kafka.brokers,
    database: () => {
      const url = new URL(postgres.url);
      url.port = String(pgProxy.port);
      return url.toString();
    },
  });
  let run: DistributedRun | undefined;
  let closing = false;
  const running: Running[] = [];
  try {
    const schema = `govsvc_faults_${seed}_${Date.now().toString(36)}`;
    // On a fresh broker, services creating the same topics at once fail to start ("This server does not host this
    // topic-partition", exit 1) instead of retrying: a finding for messaging. The topics exist after a first attempt.
    for (let attempt = 1; run === undefined; attempt++) {
      try {
        run = await startDistributed({
          runDir,
          schema,
          portBase: options.portBase,
          infra: false,
          only: null,
          // The local carrier (in courier's process) runs its same-city journey (22 h) in about 8 s, so a posted
          // licence is delivered within the run; other services ignore the variable.
          extraEnv: { LOCAL_CARRIER_TIME_SCALE: String(CARRIER_TIME_SCALE) },
          // Every service on an offset clock (zero until moved): the clock jump shifts supervision's alone.
          ...(options.faults.includes('clock-jump') && { clock: { mode: 'offset' as const } }),
          log,
        });
      } catch (error) {
        history.record({ kind: 'note', finding: 'distributed run failed to start on a fresh broker', attempt, error: (error as Error).message.slice(0, 1_000) });
        log(`start attempt ${attempt} failed: ${(error as Error).message.split('\n').slice(0, 3).join(' | ')}`);
        if (attempt >= 3) throw error;
      }
    }
    for (const service of run.services) running.push(await runningOf(service));
    const crashes: string[] = [];
    superviseCrashes(running, history, crashes, () => closing);
    const runningService = (name: string) => running.find((r) => r.service.name === name)!;
    const ports = Object.fromEntries(run.services.map((s) => [s.name, s.port]));
    const client = new GovsvcClient(distributedTopology(ports), await readDevKeyPair(run.keysDir));
    await ensureItemProfile(client);

    const decided: string[] = [];
    const rated: string[] = [];
    const posted: string[] = [];
    const accepted: string[] = [];
    const submittedCases: string[] = [];
    const bookings: Booking[] = [];
    const poison: PoisonSent[] = [];
    const stormCases: string[] = [];
    let resentByRelayKill: number | null = null;
    let clockJump: ClockJump | null = null;
    const applicationBody = {
      itemCode: FOOD_LICENCE.itemCode,
      applicant: ENTERPRISE,
      channel: 'online',
      materials: FOOD_LICENCE.materials.map((materialId) => ({ materialId, form: 'electronic', reference: `sha256:${materialId}` })),
      sharedConfirmations: [{ materialId: 'business-licence', recordId: `samr-bl-${ENTERPRISE.id}`, revision: FOOD_LICENCE.shared.recordSuffix }],
      delivery: DEFAULT_DELIVERY,
    };
    const postalApplicationBody = { ...applicationBody, delivery: POSTAL_DELIVERY };
    const submitKeys = new Map<string, string>();
    /** The body each submission was sent with: a replay must send the same one under its key. */
    const submitBodies = new Map<string, unknown>();
    /** Extra submissions (and acceptances) sent while a fault is on: their answers are what the fault row is about. */
    // A probe never rejects: an answer that is neither a success nor retriable is in the history, and the checker names it.
    const probe = async (label: string, accept: boolean): Promise<string | null> => {
      try {
        const reply = await recorded(history, client, label, 'submit', 'POST', '/intake/applications', PEOPLE.applicant, applicationBody, `${label}-submit`, [200, 201]);
        const caseId = reply.json.caseId as string;
        submittedCases.push(caseId);
        submitKeys.set(caseId, `${label}-submit`);
        if (accept) {
          await recorded(history, client, label, 'accept', 'POST', `/intake/applications/${caseId}/accept`, PEOPLE.clerk, {}, `${label}-accept`, [200]);
          accepted.push(caseId);
        }
        return caseId;
      } catch (error) {
        history.record({ kind: 'note', probeFailed: label, error: (error as Error).message.slice(0, 500) });
        log(`  probe ${label} failed: ${(error as Error).message.slice(0, 200)}`);
        return null;
      }
    };

    const faultsApplied: { fault: FaultName; target?: string; at: string }[] = [];
    let submitted = 0;
    const pending = [...schedule].sort((a, b) => a.afterCases - b.afterCases);
    // One fault at a time: each is injected and healed (the service ready again, the broker answering) before the next.
    let faultChain: Promise<void> = Promise.resolve();
    const applyDue = () => (faultChain = faultChain.then(applyDueNow));
    const applyDueNow = async () => {
      while (pending.length > 0 && pending[0]!.afterCases <= submitted) {
        const fault = pending.shift()!;
        history.record({ kind: 'fault', phase: 'inject', ...fault });
        log(`fault: ${fault.fault}${fault.target ? ` ${fault.target}` : ''} after ${submitted} cases`);
        const label = `${fault.fault}-${seed}-${submitted}`;
        switch (fault.fault) {
          case 'kill-consumer':
            await stopAndRestart(runningService(fault.target!), 'SIGKILL', history, fault.fault);
            break;
          case 'sigterm-consumer': {
            // A graceful stop while the workload keeps its batches coming: it drains and commits, then starts again.
            const { stopMs } = await stopAndRestart(runningService(fault.target!), 'SIGTERM', history, fault.fault);
            log(`  ${fault.target} stopped gracefully in ${stopMs} ms and is ready again`);
            break;
          }
          case 'zombie-consumer':
            await freezeAndThaw(runningService(fault.target!), zombieMs, history);
            break;
          case 'kafka-kill': {
            const pid = kafka.pid();
            await kafka.kill();
            history.record({ kind: 'fault', phase: 'applied', fault: fault.fault, pid });
            await sleep(2_000);
            await kafka.restart();
            history.record({ kind: 'fault', phase: 'healed', fault: fault.fault, pid: kafka.pid() });
            break;
          }
          case 'kafka-restart': {
            // A clean restart (controlled shutdown, as a rolling upgrade does).
            const began = Date.now();
            await kafka.stop();
            history.record({ kind: 'fault', phase: 'applied', fault: fault.fault, stopMs: Date.now() - began });
            await kafka.restart();
            history.record({ kind: 'fault', phase: 'healed', fault: fault.fault, pid: kafka.pid() });
            break;
          }
          case 'kafka-down': {
            // The broker down for minutes: intake goes on accepting (the store is the truth); the relays catch up after.
            await kafka.kill();
            history.record({ kind: 'fault', phase: 'applied', fault: fault.fault, downMs: kafkaDownMs });
            const began = Date.now();
            const during: Promise<string | null>[] = [];
            for (let i = 0; Date.now() - began < kafkaDownMs - 5_000; i++) {
              during.push(probe(`${label}-during-${i}`, true));
              await sleep(Math.min(15_000, kafkaDownMs / 4));
            }
            const accepted = (await Promise.all(during)).filter((id) => id !== null);
            await sleep(Math.max(0, kafkaDownMs - (Date.now() - began)));
            history.record({ kind: 'note', kafkaDown: { acceptedWhileDown: accepted.length } });
            log(`  ${accepted.length} cases submitted and accepted while the broker was down ${Math.round((Date.now() - began) / 1000)} s`);
            await kafka.restart();
            history.record({ kind: 'fault', phase: 'healed', fault: fault.fault, pid: kafka.pid() });
            break;
          }
          case 'pg-latency':
            // +100 ms each way on every PostgreSQL round trip for 15 s, while the workload goes on.
            pgProxy.setDelay(100);
            history.record({ kind: 'fault', phase: 'applied', fault: fault.fault, delayMs: 100 });
            await sleep(15_000);
            pgProxy.setDelay(0);
            history.record({ kind: 'fault', phase: 'healed', fault: fault.fault });
            break;
          case 'kafka-latency': {
            // +100 ms each way on every broker connection (produce, fetch, heartbeats, commits) for ~18 s; probes
            // submitted and accepted meanwhile make the relays and every consumer group work through the slow link.
            const delayedBefore = kafkaProxy.stats().delayedChunks;
            kafkaProxy.setDelay(100);
            history.record({ kind: 'fault', phase: 'applied', fault: fault.fault, delayMs: 100, forMs: kafkaLatencyMs, connections: kafkaProxy.stats().open });
            const began = Date.now();
            const during: Promise<string | null>[] = [];
            for (let i = 0; Date.now() - began < kafkaLatencyMs - 2_000; i++) {
              during.push(probe(`${label}-during-${i}`, true));
              await sleep(Math.min(4_000, kafkaLatencyMs / 4));
            }
            await sleep(Math.max(0, kafkaLatencyMs - (Date.now() - began)));
            kafkaProxy.setDelay(0);
            const delayed = kafkaProxy.stats().delayedChunks - delayedBefore;
            const probed = (await Promise.all(during)).filter((id) => id !== null);
            history.record({ kind: 'fault', phase: 'healed', fault: fault.fault, probes: probed.length, delayedChunks: delayed, connections: kafkaProxy.stats().open });
            log(`  +100 ms each way to the broker for ${Math.round(kafkaLatencyMs / 1000)} s over ${kafkaProxy.stats().open} client connections (${delayed} chunks delayed); ${probed.length} cases submitted and accepted meanwhile`);
            break;
          }
          case 'pg-restart': {
            // Appends in flight when the server crashes: they answer 503 + Retry-After (or succeed), never 500.
            const inFlight = Array.from({ length: 6 }, (_, i) => probe(`${label}-${i}`, i % 2 === 0));
            await sleep(150);
            const tookMs = await postgres.restartImmediate();
            history.record({ kind: 'fault', phase: 'applied', fault: fault.fault, restartMs: tookMs });
            await Promise.all(inFlight);
            history.record({ kind: 'fault', phase: 'healed', fault: fault.fault });
            log(`  PostgreSQL restarted (-m immediate) in ${tookMs} ms with 6 submissions in flight`);
            break;
          }
          case 'redis-down': {
            // Redis down for a minute, then back empty (no persistence, like a restarted cache or a failover to an
            // empty replica): submissions go on (the store is the truth); supervision notices its projections' lost
            // integrity markers and rebuilds them; booking counters are re-seeded from the store.
            redis.child.kill('SIGKILL');
            history.record({ kind: 'fault', phase: 'applied', fault: fault.fault, downMs: redisDownMs });
            const began = Date.now();
            const during: Promise<string | null>[] = [];
            for (let i = 0; Date.now() - began < redisDownMs - 5_000; i++) {
              during.push(probe(`${label}-during-${i}`, true));
              await sleep(Math.min(15_000, redisDownMs / 4));
            }
            const accepted = (await Promise.all(during)).filter((id) => id !== null);
            await sleep(Math.max(0, redisDownMs - (Date.now() - began)));
            redis.child = await restartOwnRedis(runDir, redis.port);
            history.record({ kind: 'note', redisDown: { acceptedWhileDown: accepted.length } });
            log(`  ${accepted.length} cases submitted and accepted while Redis was down ${Math.round((Date.now() - began) / 1000)} s; Redis back, empty`);
            history.record({ kind: 'fault', phase: 'healed', fault: fault.fault });
            break;
          }
          case 'redis-flushall': {
            const answer = await redisCommand(redis.port, ['FLUSHALL']);
            history.record({ kind: 'fault', phase: 'applied', fault: fault.fault, answer: answer.trim() });
            break;
          }
          case 'relay-kill': {
            // kill -9 the relaying process right after the broker acked a publish: PostgreSQL slowed so the
            // checkpoint write (after the ack) takes a few hundred ms; the kill comes as soon as the topic's end
            // offset moves. Up to three tries until a re-send shows on the topic.
            const topic = topicOf('intake');
            const before = resent(await readTopic(kafka.brokers, topic));
            for (let attempt = 1; attempt <= 3; attempt++) {
              const end = await endOffset(kafka.brokers, topic);
              pgProxy.setDelay(150);
              const acked = waitForAck(kafka.brokers, topic, end);
              const submissions = Array.from({ length: 4 }, (_, i) => probe(`${label}-${attempt}-${i}`, true));
              await acked.catch(() => undefined);
              await stopAndRestart(runningService('intake'), 'SIGKILL', history, fault.fault).finally(() => pgProxy.setDelay(0));
              await Promise.all(submissions);
              await sleep(3_000);
              resentByRelayKill = resent(await readTopic(kafka.brokers, topic)) - before;
              history.record({ kind: 'note', relayKill: { attempt, resent: resentByRelayKill } });
              if (resentByRelayKill > 0) break;
            }
            log(`  intake's relay killed between ack and checkpoint: ${resentByRelayKill} records re-sent`);
            break;
          }
          case 'poison': {
            // An undecodable record and a schema-invalid one, into the topic five groups consume.
            const topic = topicOf('intake');
            const key = `poison-${seed}`;
            await publishRaw(kafka.brokers, topic, [
              { key: `${key}-malformed`, value: '{"this is": not json', headers: { 'content-type': 'application/json' } },
              contractRecord({ type: 'intake.case-accepted.v2', producer: 'intake', key: `${key}-invalid`, id: `${key}-invalid`, time: new Date().toISOString(), data: { caseId: `${key}-invalid` } }),
            ]);
            poison.push({ topic, key: `${key}-malformed`, expectedReason: 'malformed' }, { topic, key: `${key}-invalid`, expectedReason: 'invalid-data' });
            history.record({ kind: 'fault', phase: 'applied', fault: fault.fault, topic, keys: poison.map((p) => p.key) });
            break;
          }
          case 'deadline-storm': {
            // Opinion requests long overdue, all with the same due date: every deadline is due at the same instant.
            const records = Array.from({ length: stormDeadlines }, (_, i) => {
              const caseId = `storm-${seed}-${i}`;
              stormCases.push(caseId);
              return opinionRequest(caseId, STORM_REQUESTED_AT, STORM_DUE);
            });
            const began = Date.now();
            await publishRaw(kafka.brokers, topicOf('review'), records);
            history.record({ kind: 'fault', phase: 'applied', fault: fault.fault, deadlines: stormDeadlines, publishMs: Date.now() - began });
            log(`  ${stormDeadlines} overdue opinion requests published in ${Date.now() - began} ms`);
            break;
          }
          case 'clock-jump': {
            // Supervision's wall clock jumps +2 h, then back to -2 h, then to zero. Deadlines due at the end of today
            // (Shanghai) are opened first: they must breach exactly once if (and only if) +2 h passes their due
            // instant, and going back must neither undo nor repeat a breach.
            const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
            const dueAt = Date.parse(`${today}T23:59:59.999+08:00`);
            const caseIds = Array.from({ length: CLOCK_DEADLINES }, (_, i) => `clock-${seed}-${i}`);
            await publishRaw(kafka.brokers, topicOf('review'), caseIds.map((caseId) => opinionRequest(caseId, `${today}T09:00:00+08:00`, today)));
            const breachedNow = async () => {
              const reply = await client.get('/supervision/deadlines?breached=true', SUPERVISOR).catch(() => undefined);
              return ((reply?.json as { deadlines?: { caseId: string }[] } | undefined)?.deadlines ?? []).filter((d) => d.caseId.startsWith(`clock-${seed}-`)).length;
            };
            const opened = async () => {
              const reply = await client.get('/supervision/deadlines', SUPERVISOR).catch(() => undefined);
              return ((reply?.json as { deadlines?: { caseId: string }[] } | undefined)?.deadlines ?? []).filter((d) => d.caseId.startsWith(`clock-${seed}-`)).length;
            };
            await eventually('clock-row deadlines opened', async () => (await opened()) >= CLOCK_DEADLINES, 120_000, 1_000).catch(() => undefined);
            const openedBefore = await opened();
            const before = await breachedNow();
            const shifts: { shift: string; breached: number; now: string }[] = [];
            for (const shift of ['PT2H', '-PT4H', 'PT2H']) {
              const moved = await run!.moveClocks({ shift }, ['supervision']);
              history.record({ kind: 'fault', phase: 'applied', fault: fault.fault, shift, supervisionNow: moved.supervision });
              await sleep(CLOCK_SETTLE_MS);
              shifts.push({ shift, breached: await breachedNow(), now: moved.supervision ?? '?' });
            }
            const expectBreach = Date.now() + 2 * 3_600_000 > dueAt;
            clockJump = { deadlines: CLOCK_DEADLINES, opened: openedBefore, before, expectBreach, shifts };
            history.record({ kind: 'fault', phase: 'healed', fault: fault.fault, clockJump });
            log(`  supervision's clock +2 h, -2 h, back: clock-row breaches ${before} → ${shifts.map((s) => `${s.shift} ${s.breached}`).join(', ')} (expected ${expectBreach ? CLOCK_DEADLINES : 0} after +2 h)`);
            break;
          }
        }
        faultsApplied.push({ fault: fault.fault, ...(fault.target !== undefined && { target: fault.target }), at: new Date().toISOString() });
      }
    };

    // Bookings: a few slots, each asked for more places than it has, at seeded points of the workload. The
    // distributed run starts intake with its default centres, which offer no item for appointments; a deployment
    // configures them (INTAKE_CENTRES), so the harness restarts intake with the city centre offering the food
    // licence at a small capacity, as an operator would.
    const intake = runningService('intake');
    intake.env.INTAKE_CENTRES = JSON.stringify(DEFAULT_CENTRES.map((c) => (c.centreId === PEOPLE.clerk.centre ? { ...c, items: [{ itemCode: FOOD_LICENCE.itemCode, capacityPerSlot: SLOT_CAPACITY, frequentPersonal: false }] } : c)));
    await stopAndRestart(intake, 'SIGTERM', history, 'configure-appointments');
    const slots: SlotView[] = await slotsToBook(
      async (date) => (await client.get(`/intake/centres/${PEOPLE.clerk.centre}/slots?itemCode=${encodeURIComponent(FOOD_LICENCE.itemCode)}&date=${date}`, PEOPLE.clerk)).json.slots as SlotView[],
      new Date(),
      3,
    );
    const bookingBursts: Promise<unknown>[] = [];
    const burstAt = slots.map((_, i) => Math.max(1, Math.floor((cases * (i + 1)) / (slots.length + 1))));
    let person = 0;
    const burst = (slot: SlotView) =>
      Promise.all(
        Array.from({ length: slot.capacity + 3 }, async () => {
          const n = person++;
          const label = `booking-${seed}-${n}`;
          const reply = await recorded(history, client, label, 'book', 'POST', `/intake/slots/${encodeURIComponent(slot.slotId)}/bookings`, PEOPLE.clerk, { channel: 'on-site', applicant: { kind: 'person', id: residentId(n), name: `测试${n}` } }, `${label}-book`, [200, 201, 409]);
          bookings.push({ slotId: slot.slotId, capacity: slot.capacity, status: reply.status, ...(typeof reply.json.bookingId === 'string' && { bookingId: reply.json.bookingId as string }) });
        }),
      );

    const carrierSecret = /^local:(.+)$/m.exec((runningService('courier').env.CARRIER_SECRETS ?? '').split(',').join('\n'))?.[1];
    const courierLeg = (label: string, caseId: string) => deliverByPost(history, client, label, caseId, carrierSecret, log);
    const parcelLegs: Promise<void>[] = [];

    const oneCase = async (i: number) => {
      const label = `case-${seed}-${i}`;
      // A seeded one in three chooses delivery by post: the licence goes to courier, which books a parcel.
      const byPost = random(seed * 104_729 + i)() < 1 / 3;
      const body = byPost ? postalApplicationBody : applicationBody;
      const submittedReply = await recorded(history, client, label, 'submit', 'POST', '/intake/applications', PEOPLE.applicant, body, `${label}-submit`, [200, 201]);
      const caseId = submittedReply.json.caseId as string;
      submittedCases.push(caseId);
      submitKeys.set(caseId, `${label}-submit`);
      submitBodies.set(caseId, body);
      submitted += 1;
      for (let s = 0; s < slots.length; s++) if (burstAt[s] === submitted) bookingBursts.push(burst(slots[s]!));
      await applyDue();
      await recorded(history, client, label, 'accept', 'POST', `/intake/applications/${caseId}/accept`, PEOPLE.clerk, {}, `${label}-accept`, [200]);
      accepted.push(caseId);
      await eventually(`${label}: review opened`, async () => (await client.get(`/review/cases/${caseId}`, PEOPLE.reviewer).catch(() => ({ status: 0 }) as Reply)).status === 200, 180_000, 300);
      // The food licence has an assisting department: the lead asks the fire brigade, which concurs (R-COLLAB-1).
      const asked = await recorded(history, client, label, 'opinion-request', 'POST', `/review/cases/${caseId}/opinion-requests`, PEOPLE.reviewer, { department: FIRE, question: '经营场所消防安全是否符合要求？', dueInWorkingDays: 3 }, `${label}-ask`, [200, 201]);
      const requests = (asked.json as { opinionRequests: { requestId: string; department: string }[] }).opinionRequests;
      const requestId = (requests.find((r) => r.department === FIRE) ?? requests[0])!.requestId;
      await recorded(history, client, label, 'opinion', 'POST', `/review/cases/${caseId}/opinions/${requestId}`, FIRE_REVIEWER, { opinion: 'concur', reasons: [] }, `${label}-opinion`, [200, 201]);
      await recorded(history, client, label, 'handler-signature', 'POST', `/review/cases/${caseId}/signatures`, PEOPLE.reviewer, { role: 'handler', draft: { outcome: 'approve' } }, `${label}-handler`, [200, 201]);
      await recorded(history, client, label, 'chief-signature', 'POST', `/review/cases/${caseId}/signatures`, PEOPLE.chief, { role: 'chief-representative' }, `${label}-chief`, [200, 201]);
      decided.push(caseId);
      if (byPost) {
        // The parcel travels while the worker goes on with the next case (as a real one would); awaited before the checks.
        posted.push(caseId);
        const leg = courierLeg(label, caseId);
        leg.catch(() => undefined);
        parcelLegs.push(leg);
        return;
      }
      // A seeded two in five of the applicants download the e-result (delivery reports it delivered), are invited to rate
      // (evaluation) and rate, half of them badly (a rectification opens): evaluation's read side then has figures to fold.
      const draw = random(seed * 7_919 + i);
      if (draw() < 0.4) {
        await eventually(`${label}: result document`, async () => (await client.get(`/delivery/cases/${caseId}/result-document`, PEOPLE.applicant).catch(() => ({ status: 0 }) as Reply)).status === 200, 180_000, 500);
        await eventually(`${label}: rating invitation`, async () => {
          const reply = await client.get(`/evaluation/cases/${caseId}/ratings`, PEOPLE.applicant).catch(() => undefined);
          return reply?.status === 200 && ((reply.json as { invitations?: unknown[] }).invitations ?? []).length > 0;
        }, 180_000, 500);
        const rating = draw() < 0.5
          ? { channel: 'website', level: 'very-satisfied', indicators: { efficiency: 5, attitude: 5, result: 5 }, comment: '网上办理，很快' }
          : { channel: 'mobile', level: 'dissatisfied', indicators: { efficiency: 2, guidance: 1 }, comment: '指南没写清楚，来回补材料' };
        await recorded(history, client, label, 'rating', 'POST', `/evaluation/cases/${caseId}/ratings`, PEOPLE.applicant, rating, `${label}-rating`, [200, 201]);
        rated.push(caseId);
      }
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next < cases) await oneCase(next++);
      }),
    );
    await applyDue();
    await Promise.all(bookingBursts);
    await Promise.all(parcelLegs);

    // Idempotent retries: every submission that met a fault (a retry, a 503, a refused connection) and the
    // probes, plus a seeded few, sent again with the first Idempotency-Key: the checker compares the answers.
    const retriedKeys = new Set(history.entries.filter((e) => e.kind === 'request' && e.step === 'submit' && (e.attempt as number) > 1).map((e) => String(e.idempotencyKey)));
    const pick = random(seed + 1);
    const chosen = [...submitKeys].filter(([, key]) => retriedKeys.has(key) || !key.startsWith('case-') || pick() < 0.1);
    const replays = chosen.length > 0 ? chosen : [...submitKeys].slice(0, 1);
    for (const [caseId, key] of replays) await recorded(history, client, `replay-${caseId}`, 'submit-replay', 'POST', '/intake/applications', PEOPLE.applicant, submitBodies.get(caseId) ?? applicationBody, key, [200, 201]);

    if (stormCases.length > 0) {
      log(`waiting for the storm's ${stormCases.length} deadlines to fire`);
      const began = Date.now();
      await eventually('storm deadlines breached', async () => {
        const reply = await client.get('/supervision/deadlines?breached=true', SUPERVISOR).catch(() => undefined);
        const storm = ((reply?.json as { deadlines?: { caseId: string }[] } | undefined)?.deadlines ?? []).filter((d) => d.caseId.startsWith(`storm-${seed}-`)).length;
        return storm >= stormCases.length;
      }, Math.max(180_000, stormCases.length * 60), 5_000).catch(() => undefined);
      log(`  storm settled after ${Math.round((Date.now() - began) / 1000)} s`);
    }

    log('workload done; recovery window');
    // The product's own adapter on the run's Redis, under intake's default key prefix (the harness does not isolate).
    const slotCounters = createRedisSlotCounter({ url: redis.url, keyPrefix: 'intake:' });
    const checks = await check({
      faults: schedule.map((f) => f.fault),
      databaseUrl: run.infraEnv.DATABASE_URL!,
      schema,
      brokers: kafka.brokers,
      logsDir: join(run.keysDir, '..', 'logs'),
      history,
      decided,
      rated,
      posted,
      accepted,
      submittedCases,
      bookings,
      poison,
      stormCases,
      resentByRelayKill,
      clockJump,
      crashes,
      client,
      restart: async (service) => {
        await stopAndRestart(runningService(service), 'SIGTERM', history, 'rebuild-check');
      },
      slotCounters: { taken: (slotId) => slotCounters.taken(slotId), whole: async () => (await slotCounters.integrity?.intact()) === true },
    }).finally(() => slotCounters.close());
    const requests = history.entries.filter((e) => e.kind === 'request').length;
    const events = Number(checks.find((c) => c.check === 'audit chain verifies')?.detail.match(/(\d+) events/)?.[1] ?? 0);
    return { seed, schedule, checks, counts: { cases, requests, events, faults: faultsApplied.length }, historyFile: history.file };
  } finally {
    closing = true;
    await stopReplacements(running);
    await run?.stop();
    redis.child.kill('SIGTERM');
    restoreInfra();
    await kafka.stop();
    await kafkaProxy.close();
    await pgProxy.close();
    await postgres.stop();
    await history.close();
  }
}
