/**
 * A Kafka broker of the bench's own (KRaft, one node) from the jars
 * `infra/kafka` already fetched, on its own ports with its data in the run
 * folder (`--own-kafka`). Not needed for isolation: the run's topic prefix
 * names its consumer groups too (`@govsvc/service-host`, the standalone
 * process), so the shared broker is the default; this one keeps a colleague's
 * broker load out of the figures.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { defaultPartitions, producers } from '@govsvc/contracts/topics';
import { baseChildEnv, REPO_ROOT } from './config.ts';

export interface OwnBroker {
  readonly brokers: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export async function startOwnBroker(runDir: string, port: number): Promise<OwnBroker> {
  const dir = join(runDir, 'kafka');
  const data = join(dir, 'data');
  const logs = join(dir, 'logs');
  await mkdir(data, { recursive: true });
  await mkdir(logs, { recursive: true });
  const controller = port + 1;
  const base = await readFile(join(REPO_ROOT, 'infra/kafka/server.properties'), 'utf8');
  const config = `${base.replace(/127\.0\.0\.1:9092/g, `127.0.0.1:${port}`).replace(/127\.0\.0\.1:9093/g, `127.0.0.1:${controller}`)}\nlog.dirs=${data}\n`;
  const configFile = join(dir, 'server.properties');
  await writeFile(configFile, config);
  const classpath = `${join(REPO_ROOT, 'infra/kafka/lib')}/*`;
  const logOpts = [`-Dlog4j2.configurationFile=${join(REPO_ROOT, 'infra/kafka/log4j2.properties')}`, `-Dkafka.logs.dir=${logs}`];
  const uuid = spawnSync('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'random-uuid'], { encoding: 'utf8' }).stdout.trim().split('\n').pop() ?? '';
  const format = spawnSync('java', [...logOpts, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', uuid, '-c', configFile], { encoding: 'utf8' });
  if (format.status !== 0) throw new Error(`kafka storage format failed: ${format.stderr.slice(-500)}`);
  const out = createWriteStream(join(logs, 'stdout.log'));
  const child = spawn('java', ['-Xms128m', '-Xmx512m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true', ...logOpts, '-cp', classpath, 'kafka.Kafka', configFile], {
    env: baseChildEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const brokers = `127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the bench's Kafka broker exited (${child.exitCode}); see ${logs}`);
    const admin = new Kafka({ clientId: 'bench-system-probe', brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    const up = await admin.connect().then(() => admin.describeCluster().then(() => true), () => false).finally(() => admin.disconnect().catch(() => undefined));
    if (up) break;
    if (Date.now() > deadline) throw new Error(`the bench's Kafka broker did not answer in 180 s; see ${logs}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  return {
    brokers,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await new Promise((r) => child.once('exit', r));
      clearTimeout(timer);
    },
  };
}

/**
 * Creates the run's topics (every producer's topic and its dead-letter topic)
 * and waits until the broker serves their metadata. The services create them
 * too at start, but on a broker that has just created a topic they may ask for
 * its metadata before it is served and stop ("This server does not host this
 * topic-partition"): topics that already exist avoid that race.
 */
export async function precreateTopics(brokers: string, prefix: string): Promise<string[]> {
  const kafka = new Kafka({ clientId: 'bench-system-topics', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const names = producers.map((p) => `${prefix}govsvc.${p}.events.v1`);
    await admin.createTopics({
      waitForLeaders: true,
      topics: [...names.map((topic) => ({ topic, numPartitions: defaultPartitions })), ...names.map((topic) => ({ topic: `${topic}.dlq`, numPartitions: 1 }))],
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await admin.fetchTopicMetadata({ topics: names }).then((m) => m.topics.every((t) => t.partitions.length === defaultPartitions && t.partitions.every((p) => p.leader >= 0)), () => false);
      if (ok) return names;
      if (Date.now() > deadline) throw new Error('the run topics have no leaders after 60 s');
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await admin.disconnect();
  }
}
