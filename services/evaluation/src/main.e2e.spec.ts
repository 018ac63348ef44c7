/**
 * The evaluation process as the distributed stack (and the issue's journey)
 * runs it: `tsx src/main.ts` as a child process with PORT, DATABASE_URL,
 * KAFKA_BROKERS, REDIS_URL and JWT keys from the environment. Intake's and
 * delivery's contracts go in on Kafka; the bad rating is rated and rectified
 * over HTTP with real tokens; rectification-completed comes out on Kafka; the
 * CSV is served; SIGTERM ends it cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIntegrationEvent, type DecodedIntegrationEvent } from '@govsvc/contracts/envelope';
import { examples } from '@govsvc/contracts/examples';
import type { IntegrationEvent } from '@govsvc/contracts/registry';
import { topicOf } from '@govsvc/contracts/topics';
import type { BusSubscription, MessageBus } from '@govsvc/messaging/bus';
import { createTestKafkaBus } from '@govsvc/messaging/kafka-test-bus';
import { collect } from '@govsvc/messaging/test-support';
import { waitFor } from '@govsvc/messaging/wait-for';
import { generateDevKeyPair, jwksOf, mintDevToken, type DevKeyPair } from '@govsvc/service-kit/dev-tokens';
import type { Role } from '@govsvc/service-kit/principal';
import { resolveComponent } from '@govsvc/testkit/infra';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { uniqueName } from '@govsvc/testkit/unique';

const serviceDir = fileURLToPath(new URL('..', import.meta.url));
const APPLICANT = '5b0e7f6e-2d1c-4c55-9a7e-2f7c1f0b1a11';
const DEPARTMENT = '北京市市场监督管理局';

let child: ChildProcess;
let baseUrl = '';
let output = '';
let keys: DevKeyPair;
let schema: IsolatedSchema;
let bus: MessageBus;
let prefix: string;
let published: { events: DecodedIntegrationEvent[]; subscription: BusSubscription };

const token = (roles: Role[], subject: string, department?: string) =>
  mintDevToken(keys, { issuer: 'govsvc-e2e', audience: 'evaluation', subject, roles, ...(department && { department }) });

async function call(method: string, path: string, bearer: string | null, body?: unknown) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(bearer && { authorization: `Bearer ${bearer}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

async function send(event: IntegrationEvent, id: string): Promise<void> {
  const record = encodeIntegrationEvent(event, { id, time: new Date(), correlationId: `corr-${id}` });
  await bus.publish(`${prefix}${record.topic}`, [{ key: record.key, value: record.value, headers: record.headers }]);
}

beforeAll(async () => {
  keys = await generateDevKeyPair('EdDSA');
  schema = await createIsolatedSchema('evaluation_e2e');
  prefix = `${uniqueName('evale2e')}.`;
  bus = await createTestKafkaBus(uniqueName('evaluation-e2e'));
  child = spawn(fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url)), ['src/main.ts'], {
    cwd: serviceDir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATABASE_URL: schema.connectionString,
      KAFKA_BROKERS: await resolveComponent('kafka'),
      REDIS_URL: await resolveComponent('redis'),
      TOPIC_PREFIX: prefix,
      JWT_ISSUER: 'govsvc-e2e',
      JWT_PUBLIC_KEYS: jwksOf(keys.publicJwk),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(() => /"msg":"evaluation listening"/.test(output), `evaluation to log that it listens; output so far:\n${output}`, 60_000, 100);
  const line = output.split('\n').find((l) => l.includes('"msg":"evaluation listening"'))!;
  baseUrl = (JSON.parse(line) as { url: string }).url;
  published = await collect(bus, `${prefix}${topicOf('evaluation')}`, uniqueName('evaluation-e2e-out'));
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGTERM');
  await published?.subscription.stop();
  await bus?.close();
  await schema?.drop();
});

describe('evaluation as a separate process on PostgreSQL and Kafka', () => {
  it('R-EVAL-2, R-EVAL-3: delivered → invitation → bad rating → rectification → feedback on Kafka; CSV served; SIGTERM exits 0', async () => {
    expect((await call('GET', '/health/ready', null)).status).toBe(200);
    const caseId = uniqueName('BJ').replace(/_/g, '-');
    const submitted = examples['intake.application-submitted.v1'];
    const accepted = examples['intake.case-accepted.v2'];
    if (accepted.basis !== 'decision') throw new Error('the example is a clerk’s decision');
    await send({ type: 'intake.application-submitted.v1', data: { ...submitted, caseId, applicant: { ...submitted.applicant, ref: APPLICANT } } }, `${caseId}-1`);
    await send({ type: 'intake.case-accepted.v2', data: { ...accepted, caseId, acceptedBy: { staffId: 'S-1', department: DEPARTMENT } } }, `${caseId}-2`);
    await send(
      { type: 'delivery.result-delivered.v1', data: { caseId, licenceId: null, method: 'post', waybillId: 'SF1234567890', deliveredAt: new Date().toISOString() } },
      `${caseId}-3`,
    );

    const applicant = await token(['applicant'], APPLICANT);
    await waitFor(async () => {
      const res = await call('GET', `/evaluation/cases/${caseId}/ratings`, applicant);
      return res.status === 200 && (res.json().invitations as unknown[]).length === 1 && res.json().department === DEPARTMENT;
    }, 'rating invitation from delivery, department from acceptance', 60_000, 200);

    const rated = await call('POST', `/evaluation/cases/${caseId}/ratings`, applicant, { channel: 'sms', level: 'very-dissatisfied', indicators: { efficiency: 1 } });
    expect(rated.status, rated.text).toBe(201);
    const ratingId = rated.json().ratingId as string;
    const staff = await token(['reviewer'], 'S-0042', DEPARTMENT);
    const base = `/evaluation/cases/${caseId}/ratings/${ratingId}`;
    expect((await call('POST', `${base}/verification`, staff, { finding: 'unreasonable', note: '依法须补正材料' })).status).toBe(201);
    expect((await call('POST', `${base}/callbacks`, staff, { reached: true, summary: '已回访并说明' })).status).toBe(201);
    const fed = await call('POST', `${base}/feedback`, staff, { outcome: 'explained', measures: '依据《行政许可法》第三十二条说明', feedback: '已向您说明补正材料的法律依据' });
    expect(fed.status, fed.text).toBe(201);

    await waitFor(() => published.events.some((e) => e.subject === caseId && e.type === 'evaluation.rectification-completed.v1'), 'rectification-completed on Kafka', 60_000, 200);
    expect(published.events.filter((e) => e.subject === caseId).map((e) => e.type)).toEqual([
      'evaluation.rating-invited.v1',
      'evaluation.rating-submitted.v1',
      'evaluation.rectification-opened.v1',
      'evaluation.rectification-completed.v1',
    ]);

    const csv = await call('GET', '/evaluation/statistics.csv?groupBy=department', await token(['supervisor'], 'SUP-1'));
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(`${DEPARTMENT},1,0,0,0,0,1,0,1,0.00%`);

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
