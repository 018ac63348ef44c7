/**
 * A Kafka broker of the harness's own, from the jars `infra/kafka/kafka.sh`
 * fetched: the product's `server.properties` on free ports with its own data
 * folder. Consumer groups on the shared broker are shared by name with every
 * other run on the machine (a standalone process's `review` group would take
 * partitions, and so messages, from this run's `review`), and killing the
 * shared broker would break other people's work: both need a broker of our own.
 *
 * With `advertised`, the broker listens on its own port but tells clients (in
 * metadata) to connect to `advertised`: a latency proxy there then carries
 * every client connection after the bootstrap, the services' and the
 * harness's alike. The controller listener stays direct.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const KAFKA_DIR = fileURLToPath(new URL('../../../infra/kafka/', import.meta.url));

export interface PrivateKafka {
  readonly brokers: string;
  readonly pid: () => number | undefined;
  /** kill -9 the broker process. */
  kill(): Promise<void>;
  /** Starts it again on the same data folder and waits until it answers. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function startPrivateKafka(dir: string, ports: { broker: number; controller: number; advertised?: number }): Promise<PrivateKafka> {
  const data = join(dir, 'data');
  // A fresh cluster every run: an earlier run's data folder carries another cluster id.
  await rm(dir, { recursive: true, force: true });
  await mkdir(data, { recursive: true });
  const config = join(dir, 'server.properties');
  const base = await readFile(join(KAFKA_DIR, 'server.properties'), 'utf8');
  const advertised = ports.advertised ?? ports.broker;
  if (!base.includes('advertised.listeners=PLAINTEXT://127.0.0.1:9092')) throw new Error('private Kafka: infra/kafka/server.properties no longer has the advertised listener this harness rewrites');
  await writeFile(
    config,
    `${base
      .replace('advertised.listeners=PLAINTEXT://127.0.0.1:9092', `advertised.listeners=PLAINTEXT://127.0.0.1:${advertised}`)
      .replaceAll('127.0.0.1:9092', `127.0.0.1:${ports.broker}`)
      .replaceAll('127.0.0.1:9093', `127.0.0.1:${ports.controller}`)}\nlog.dirs=${data}\n`,
  );
  const classpath = `${join(KAFKA_DIR, 'lib')}/*`;
  const clusterId = randomBytes(16).toString('base64url');
  const format = spawnSync('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', config], { encoding: 'utf8' });
  if (format.status !== 0) throw new Error(`private Kafka: format failed: ${format.stderr.slice(-500)}`);

  let child: ChildProcess | undefined;
  const launch = async () => {
    const out = createWriteStream(join(dir, 'server.out'), { flags: 'a' });
    child = spawn('java', ['-Xms128m', '-Xmx384m', `-Dlog4j2.configurationFile=${join(KAFKA_DIR, 'log4j2.properties')}`, '-cp', classpath, 'kafka.Kafka', config], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    const deadline = Date.now() + 60_000;
    // Ready as kafka.sh means it: metadata answered and the consumer-group coordinator loaded (infra/kafka/probe.mjs).
    const ready = async () =>
      (await answers(ports.broker)) &&
      spawnSync(process.execPath, [join(KAFKA_DIR, 'probe.mjs'), `127.0.0.1:${ports.broker}`, '--quiet', '--timeout', '2000', '--coordinator']).status === 0;
    while (!(await ready())) {
      if (child.exitCode !== null) throw new Error(`private Kafka exited (${child.exitCode}); see ${join(dir, 'server.out')}`);
      if (Date.now() > deadline) throw new Error('private Kafka did not answer within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const exited = () => new Promise<void>((resolve) => (child === undefined || child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  await launch();
  return {
    brokers: `127.0.0.1:${advertised}`,
    pid: () => child?.pid,
    async kill() {
      child?.kill('SIGKILL');
      await exited();
    },
    restart: launch,
    async stop() {
      child?.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 20_000);
      await exited();
      clearTimeout(timer);
    },
  };
}
