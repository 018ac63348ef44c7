/**
 * A Kafka broker of a test's own, for tests and the fault harness that kill or restart
 * the broker: the machine's broker on 9092 is shared with everyone else's tests and
 * must never be killed. Same jars and `server.properties` as `infra/kafka/kafka.sh`, on
 * free ports, with a data folder of its own (`launchKafkaBroker`).
 *
 * The broker advertises a port in front of it, so every client connection after the
 * bootstrap goes through that too: `startPrivateKafka` puts a `TcpGate` there (a test
 * can keep a restarted broker out of the clients' sight until the moment it chooses);
 * the fault harness puts its latency proxy there.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeKafka } from '../../../infra/kafka/probe.mjs';
import { startTcpGate, type TcpGate } from './tcp-gate.ts';

const KAFKA_DIR = fileURLToPath(new URL('../../../infra/kafka/', import.meta.url));

export interface PrivateKafka {
  /** `127.0.0.1:<gate port>`: what clients use. */
  readonly brokers: string;
  /** Between the clients and the broker; open unless a test shuts it. */
  readonly gate: TcpGate;
  readonly dir: string;
  /** kill -9 of the broker process; resolves once it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same data folder and resolves once it serves metadata and group coordination (asked directly, not through the gate). */
  restart(): Promise<void>;
  /** Stops it (SIGKILL: nothing in it is worth a controlled shutdown) and deletes its folder. */
  stop(): Promise<void>;
}

/**
 * A port free now, for a process started next to bind. Taken below the kernel's ephemeral range:
 * a port the kernel hands out for `listen(0)` is one it also hands to outgoing connections, and
 * between our close and the broker's bind one did take it ("Address already in use" in a CI run).
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * (ephemeralLow - 10_000));
    if (await bindable(port)) return port;
  }
  return listenedPort(0);
}

/** The kernel's range for ephemeral ports (Linux default 32768–60999). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low! > 11_000 && high! >= low!) return [low!, high!];
  } catch {
    // not Linux: the common default
  }
  return [32_768, 60_999];
}

const bindable = (port: number): Promise<boolean> => listenedPort(port).then(() => true, () => false);

function listenedPort(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as net.AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

/** The jars come with `kafka.sh start`; a checkout whose tests use a broker started elsewhere may not have them yet. */
function ensureJars(): void {
  const lib = join(KAFKA_DIR, 'lib');
  if (existsSync(lib) && readdirSync(lib).some((f) => /^kafka_2\.13-.*\.jar$/.test(f))) return;
  const fetched = spawnSync('bash', [join(KAFKA_DIR, 'kafka.sh'), 'fetch'], { encoding: 'utf8' });
  if (fetched.status !== 0) throw new Error(`private Kafka: fetching the broker jars failed: ${(fetched.stderr || fetched.stdout).slice(-500)}`);
}

async function coordinatorReady(port: number): Promise<boolean> {
  try {
    await probeKafka({ host: '127.0.0.1', port, timeoutMs: 2_000, coordinator: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * A random KRaft cluster id: 16 bytes, base64url. One that starts with '-' is read by the storage tool as an
 * option ("usage: kafka-storage format …"), about one start in 64, so those are drawn again.
 */
export function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** One broker process on ports of the caller's choosing, advertising `advertisedPort` to clients (a gate or a latency proxy in front of it). */
export interface KafkaBroker {
  readonly pid: () => number | undefined;
  /** kill -9; resolves once it is gone. */
  kill(): Promise<void>;
  /** A controlled shutdown (SIGTERM; SIGKILL after 20 s): what a clean broker restart begins with. */
  shutdown(): Promise<void>;
  /** Starts it again on the same data folder; resolves once it serves metadata and group coordination (asked directly). */
  restart(): Promise<void>;
}

export interface KafkaBrokerOptions {
  /** Its folder: emptied first (an earlier run's data carries another cluster id), then data, logs and config. */
  readonly dir: string;
  readonly brokerPort: number;
  readonly controllerPort: number;
  /** The port clients are told to connect to after the bootstrap; the controller listener stays direct. */
  readonly advertisedPort: number;
  readonly startTimeoutMs?: number;
}

/** Formats a fresh single-node KRaft cluster in `dir` from infra/kafka's jars and server.properties, and starts it. */
export async function launchKafkaBroker(options: KafkaBrokerOptions): Promise<KafkaBroker> {
  ensureJars();
  const { dir, brokerPort: broker, controllerPort: controller } = options;
  await rm(dir, { recursive: true, force: true });
  const data = join(dir, 'data');
  await mkdir(data, { recursive: true });
  const config = join(dir, 'server.properties');
  const base = await readFile(join(KAFKA_DIR, 'server.properties'), 'utf8');
  const advertised = 'advertised.listeners=PLAINTEXT://127.0.0.1:9092';
  if (!base.includes(advertised)) throw new Error(`private Kafka: infra/kafka/server.properties has no "${advertised}" to rewrite`);
  await writeFile(
    config,
    `${base
      .replace(advertised, `advertised.listeners=PLAINTEXT://127.0.0.1:${options.advertisedPort}`)
      .replaceAll('127.0.0.1:9092', `127.0.0.1:${broker}`)
      .replaceAll('127.0.0.1:9093', `127.0.0.1:${controller}`)}\nlog.dirs=${data}\n`,
  );
  const classpath = `${join(KAFKA_DIR, 'lib')}/*`;
  const format = spawnSync('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', config], { encoding: 'utf8' });
  if (format.status !== 0) throw new Error(`private Kafka: format failed: ${format.stderr.slice(-500)}`);

  let child: ChildProcess | undefined;
  const exited = () =>
    new Promise<void>((resolve) => (child === undefined || child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  const launch = async () => {
    const out = createWriteStream(join(dir, 'server.out'), { flags: 'a' });
    // Its own process group: a Ctrl-C meant for the test or harness does not take the broker down with it mid-fault.
    const started = spawn('java', ['-Xms128m', '-Xmx384m', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${join(KAFKA_DIR, 'log4j2.properties')}`, `-Dkafka.logs.dir=${join(dir, 'logs')}`, '-cp', classpath, 'kafka.Kafka', config], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    started.stdout?.pipe(out, { end: false });
    started.stderr?.pipe(out, { end: false });
    const timeoutMs = options.startTimeoutMs ?? 90_000;
    const deadline = Date.now() + timeoutMs;
    while (!(await coordinatorReady(broker))) {
      if (started.exitCode !== null || started.signalCode !== null) throw new Error(`private Kafka exited (${started.exitCode ?? started.signalCode}); see ${join(dir, 'server.out')}`);
      if (Date.now() > deadline) throw new Error(`private Kafka did not answer within ${timeoutMs} ms; see ${join(dir, 'server.out')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  await launch();
  return {
    pid: () => child?.pid,
    async kill() {
      child?.kill('SIGKILL');
      await exited();
    },
    async shutdown() {
      child?.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 20_000);
      await exited();
      clearTimeout(timer);
    },
    restart: launch,
  };
}

/** A broker of the test's own behind a `TcpGate` (see the module comment). */
export async function startPrivateKafka(options: { startTimeoutMs?: number } = {}): Promise<PrivateKafka> {
  const dir = await mkdtemp(join(tmpdir(), 'private-kafka-'));
  const brokerPort = await freePort();
  const gate = await startTcpGate({ host: '127.0.0.1', port: brokerPort });
  const broker = await launchKafkaBroker({ dir, brokerPort, controllerPort: await freePort(), advertisedPort: gate.port, ...(options.startTimeoutMs !== undefined && { startTimeoutMs: options.startTimeoutMs }) });
  return {
    brokers: `127.0.0.1:${gate.port}`,
    gate,
    dir,
    kill: () => broker.kill(),
    restart: () => broker.restart(),
    async stop() {
      await broker.kill();
      await gate.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
