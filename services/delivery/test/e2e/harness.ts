/**
 * Runs delivery and courier as separate processes (their own `src/main.ts`)
 * on the real PostgreSQL, Kafka, Redis (courier's webhook replay guard) and a
 * real SMTP server, for end-to-end
 * journeys. Exported so a longer journey (evaluation's rating after delivery)
 * can start these two and add its own process beside them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseContactKeyring, type ContactKeyring } from '@govsvc/contracts/sealed-contact';
import { waitFor } from '@govsvc/messaging/wait-for';
import { createTestAuth, TEST_ISSUER, type TestAuth } from '@govsvc/service-kit/testing';
import { resolveComponent } from '@govsvc/testkit/infra';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { freePort } from '@govsvc/testkit/private-kafka';
import { uniqueName } from '@govsvc/testkit/unique';
import { startSmtpSink, type SmtpSink } from '../smtp-sink.ts';

export interface RunningService {
  readonly url: string;
  readonly auth: TestAuth;
  readonly process: ChildProcess;
  readonly output: () => string;
}

export interface PostalJourneyHarness {
  readonly topicPrefix: string;
  readonly topicFor: (topic: string) => string;
  readonly kafkaBrokers: string;
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly contactKeys: ContactKeyring;
  readonly contactKeysText: string;
  readonly sink: SmtpSink;
  readonly delivery: RunningService;
  readonly courier: RunningService;
  stop(): Promise<void>;
}

// Ports below the kernel's ephemeral range, checked bindable: an outgoing connection cannot take one
// between the check and the service's listen, as it could a port 0 gave (a flake seen with Kafka).
export { freePort };

/** Starts `services/<name>/src/main.ts` as a child process with test JWT keys and waits until it is ready. */
export async function startService(name: 'delivery' | 'courier' | 'evaluation', env: Record<string, string>, port: number): Promise<RunningService> {
  const auth = await createTestAuth(name);
  const cwd = fileURLToPath(new URL(`../../../${name}/`, import.meta.url));
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd,
    env: {
      ...process.env,
      ...env,
      NODE_ENV: 'test',
      SERVICE_NAME: name,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      JWT_ISSUER: TEST_ISSUER,
      JWT_ALGORITHMS: auth.keys.alg,
      JWT_PUBLIC_KEYS: JSON.stringify({ keys: [auth.keys.publicJwk] }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
      return fetch(`${url}/health/ready`).then((r) => r.ok, () => false);
    },
    `${name} ready`,
    60_000,
    200,
  );
  return { url, auth, process: child, output: () => output };
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

export async function startPostalJourney(options: { readonly carrierTimeScale?: number } = {}): Promise<PostalJourneyHarness> {
  const topicPrefix = uniqueName('e2e');
  const topicFor = (topic: string) => `${topicPrefix}.${topic}`;
  const contactKeysText = `e2e:${randomBytes(32).toString('base64')}`;
  const [schema, sink, kafkaBrokers, redisUrl]: [IsolatedSchema, SmtpSink, string, string] = await Promise.all([
    createIsolatedSchema('e2e'),
    startSmtpSink(),
    resolveComponent('kafka'),
    resolveComponent('redis'),
  ]);
  const common = { DATABASE_URL: schema.connectionString, KAFKA_BROKERS: kafkaBrokers, TOPIC_PREFIX: `${topicPrefix}.`, APPLICANT_CONTACT_KEYS: contactKeysText };
  // One after the other: both create the event store's tables in the one schema.
  const delivery = await startService('delivery', { ...common, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port), SMTP_IGNORE_TLS: 'true', SMTP_FROM: '北京市政务服务中心 <noreply@zwfw.example>' }, await freePort());
  const courierPort = await freePort();
  const courier = await startService('courier', {
    ...common,
    // Carrier webhook delivery ids are claimed once in Redis (random per delivery, so runs share it safely).
    REDIS_URL: redisUrl,
    PUBLIC_BASE_URL: `http://127.0.0.1:${courierPort}`,
    CARRIER_SECRETS: `local:${randomBytes(32).toString('hex')}`,
    INSTANCE_ID: topicPrefix,
    LOCAL_CARRIER_TIME_SCALE: String(options.carrierTimeScale ?? 40_000),
  }, courierPort).catch(async (error: unknown) => {
    await stopProcess(delivery.process);
    throw error;
  });
  return {
    topicPrefix,
    topicFor,
    kafkaBrokers,
    redisUrl,
    databaseUrl: schema.connectionString,
    contactKeys: parseContactKeyring(contactKeysText),
    contactKeysText,
    sink,
    delivery,
    courier,
    async stop() {
      await Promise.all([stopProcess(delivery.process), stopProcess(courier.process)]);
      await sink.stop();
      await schema.drop();
    },
  };
}
