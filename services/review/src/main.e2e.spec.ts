/**
 * The review process as it runs in the distributed stack: `tsx src/main.ts`
 * as a child process with DATABASE_URL, KAFKA_BROKERS and JWT keys from the
 * environment. Intake's contracts go in on Kafka; the case is decided over
 * HTTP with real tokens; the e-licence verifies; SIGTERM ends it cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageBus } from '@govsvc/messaging/bus';
import { createTestKafkaBus } from '@govsvc/messaging/kafka-test-bus';
import { waitFor } from '@govsvc/messaging/wait-for';
import { generateDevKeyPair, jwksOf, mintDevToken, type DevKeyPair } from '@govsvc/service-kit/dev-tokens';
import type { Role } from '@govsvc/service-kit/principal';
import { resolveComponent } from '@govsvc/testkit/infra';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { uniqueName } from '@govsvc/testkit/unique';
import { APPLICANT_REF, intakeContracts, publishContract } from './test-harness.ts';

const ITEM = '11110000000021467Q4110105000';
const serviceDir = fileURLToPath(new URL('..', import.meta.url));

let child: ChildProcess;
let baseUrl = '';
let output = '';
let keys: DevKeyPair;
let schema: IsolatedSchema;
let bus: MessageBus;
let prefix: string;

const token = (roles: Role[], subject: string, department?: string) =>
  mintDevToken(keys, { issuer: 'govsvc-e2e', audience: 'review', subject, roles, ...(department && { department }) });

async function call(method: string, path: string, bearer: string | null, body?: unknown) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(bearer && { authorization: `Bearer ${bearer}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  keys = await generateDevKeyPair('EdDSA');
  schema = await createIsolatedSchema('review_e2e');
  prefix = `${uniqueName('rve2e')}.`;
  bus = await createTestKafkaBus(uniqueName('review-e2e'));
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
      TOPIC_PREFIX: prefix,
      JWT_ISSUER: 'govsvc-e2e',
      JWT_PUBLIC_KEYS: jwksOf(keys.publicJwk),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.on('error', (error) => (output += `spawn failed: ${error.message}\n`));
  child.on('exit', (code, signal) => (output += `exited: ${code} ${signal}\n`));
  await waitFor(() => /"msg":"review listening"/.test(output) || child.exitCode !== null, 'review to log that it listens', 60_000, 100);
  if (!/"msg":"review listening"/.test(output)) throw new Error(`review did not start:\n${output}`);
  const line = output.split('\n').find((l) => l.includes('"msg":"review listening"'))!;
  baseUrl = (JSON.parse(line) as { url: string }).url;
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGTERM');
  await bus?.close();
  await schema?.drop();
});

describe('review as a separate process on PostgreSQL and Kafka', () => {
  it('opens from Kafka, decides with two signatures, issues a verifiable e-licence, and stops cleanly on SIGTERM', async () => {
    expect((await call('GET', '/health/ready', null)).status).toBe(200);
    const admin = await token(['admin'], 'admin-1');
    const profile = await call('PUT', `/review/items/${ITEM}/profile`, admin, {
      collectiveDecision: { required: false, legalBasis: null },
      licence: { electronicAvailable: true, paperAbolished: false, validityMonths: 60, renewalLeadDays: 30 },
    });
    expect(profile.status).toBe(200);

    const caseId = uniqueName('BJ').replace(/_/g, '-');
    for (const [i, event] of intakeContracts(caseId, ITEM).entries()) await publishContract(bus, event, `${caseId}-${i}`, (t) => `${prefix}${t}`);
    const applicant = await token(['applicant'], APPLICANT_REF);
    await waitFor(async () => (await call('GET', `/review/cases/${caseId}`, applicant)).status === 200, 'case under review', 60_000, 200);

    const handler = await token(['reviewer'], 'staff-h1', 'market-regulation');
    const chief = await token(['chief'], 'staff-c1', 'market-regulation');
    expect((await call('POST', `/review/cases/${caseId}/signatures`, handler, { role: 'handler', draft: { outcome: 'approve' } })).status).toBe(201);
    const decided = await call('POST', `/review/cases/${caseId}/signatures`, chief, { role: 'chief-representative' });
    expect(decided.status).toBe(201);
    expect(decided.json).toMatchObject({ status: 'decided', decision: { outcome: 'approve', licenceForms: ['electronic'] } });

    const verify = await call('GET', `/review/licences/LIC-${caseId}/verify`, null);
    expect(verify.json).toMatchObject({ electronic: true, signatureValid: true, inForce: true });

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"shutdown complete"');
  });
});
