/**
 * A service process as `@govsvc/service-host` runs it (issue 8: one run
 * configured once; issue 5/7: mains on a controlled clock): a real child
 * process on the real PostgreSQL and Kafka, with a topic prefix, a controlled
 * clock moved over HTTP, and SIGTERM stopping module → adapters → bus → store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageBus } from '@govsvc/messaging/bus';
import { createTestKafkaBus } from '@govsvc/messaging/kafka-test-bus';
import { waitFor } from '@govsvc/messaging/wait-for';
import { generateDevKeyPair, jwksOf, mintDevToken, type DevKeyPair } from '@govsvc/service-kit/dev-tokens';
import { resolveComponent } from '@govsvc/testkit/infra';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { uniqueName } from '@govsvc/testkit/unique';

let keys: DevKeyPair;
let schema: IsolatedSchema;
let bus: MessageBus;
let child: ChildProcess;
let output = '';
let url = '';
let prefix = '';

const admin = () => mintDevToken(keys, { issuer: 'host-test', audience: 'fixture', subject: 'admin-1', roles: ['admin'] });
async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${await admin()}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  keys = await generateDevKeyPair('EdDSA');
  schema = await createIsolatedSchema('service_host');
  prefix = `${uniqueName('host').replace(/_/g, '-').toLowerCase()}.`;
  bus = await createTestKafkaBus(uniqueName('host-test'));
  child = spawn(fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url)), ['test/fixture-main.ts'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      JWT_ISSUER: 'host-test',
      JWT_PUBLIC_KEYS: jwksOf(keys.publicJwk),
      DATABASE_URL: schema.connectionString,
      KAFKA_BROKERS: await resolveComponent('kafka'),
      TOPIC_PREFIX: prefix,
      GOVSVC_CLOCK: 'controlled',
      GOVSVC_CLOCK_START: '2026-11-26T09:00:00+08:00',
      KAFKA_PRODUCER_THREAD: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(() => output.includes('"msg":"fixture listening"') || child.exitCode !== null, 'the fixture to listen', 90_000, 100);
  const line = output.split('\n').find((l) => l.includes('"msg":"fixture listening"'));
  if (!line) throw new Error(`the fixture did not start:\n${output}`);
  url = (JSON.parse(line) as { url: string }).url;
});

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  await bus?.close();
  await schema?.drop();
});

describe('a service process on the host', () => {
  it('says what it runs on, with the consumer group named by the topic prefix', () => {
    const line = JSON.parse(output.split('\n').find((l) => l.includes('"msg":"fixture listening"'))!) as Record<string, string>;
    expect(line).toMatchObject({ store: 'postgres', bus: 'kafka (producer thread)', clock: 'controlled', topicPrefix: prefix, consumerGroup: `${prefix}fixture` });
  });

  it('consumes its prefixed topic in its prefixed group', async () => {
    await bus.publish(`${prefix}govsvc.fixture.v1`, [{ key: 'k', value: Buffer.from('{}') }]);
    await waitFor(async () => ((await call('GET', '/fixture/state')).json.seen as number) === 1, 'the message to be seen', 60_000, 200);
    await waitFor(async () => (await bus.consumerLag(`${prefix}fixture`, [`${prefix}govsvc.fixture.v1`])).some((p) => p.committedOffset === 1n), 'the group to commit', 30_000, 200);
  });

  it('publishes through a producer thread of its own when KAFKA_PRODUCER_THREAD is on', async () => {
    const before = (await call('GET', '/fixture/state')).json.seen as number;
    const { status, json } = await call('POST', '/fixture/published', { count: 3 });
    expect(status).toBe(200);
    expect(json).toEqual({ published: 3, sequences: true });
    await waitFor(async () => ((await call('GET', '/fixture/state')).json.seen as number) === before + 3, 'its own 3 messages to be seen', 60_000, 200);
  });

  it('runs its module on the controlled clock, moved by an admin', async () => {
    expect((await call('GET', '/fixture/state')).json.now).toBe('2026-11-26T01:00:00.000Z');
    const moved = await call('POST', '/admin/clock', { advance: 'P5D' });
    expect(moved).toEqual({ status: 200, json: { now: '2026-12-01T01:00:00.000Z', mode: 'controlled' } });
    expect((await call('GET', '/fixture/state')).json.now).toBe('2026-12-01T01:00:00.000Z');
    expect((await call('POST', '/admin/clock', { shift: '-PT2H' })).status).toBe(409);
  });

  it('stops on SIGTERM in order: module, its own adapters, then bus and store', async () => {
    child.kill('SIGTERM');
    await waitFor(() => child.exitCode !== null, 'the fixture to exit', 30_000, 100);
    expect(child.exitCode).toBe(0);
    expect(output).toContain('fixture module stopped');
    expect(output).toContain('fixture adapter closed');
    // The order is the shutdown's own report (log lines of one process may reach the pipe interleaved).
    const report = JSON.parse(output.split('\n').find((l) => l.includes('"msg":"shutdown complete"'))!) as { clean: boolean; closers: string[] };
    expect(report).toMatchObject({ clean: true, closers: ['fixture-module:ok', 'fixture-adapter:ok', 'bus:ok', 'event-store:ok'] });
  });
});
