/**
 * The case lifecycle across services (issue 5 "Both"): intake and review run
 * as separate processes (`tsx src/main.ts` each) on the real PostgreSQL (one
 * schema per service), Kafka (one topic prefix for the run) and Redis, and
 * meet only through Kafka contracts. The test plays the catalog (publishes the
 * guide), the applicant, the clerks, the reviewers and supervision's clock.
 *
 *   1. submit → supplement notice → supplement → accept → (review) opinion of the
 *      assisting department → handler and chief sign → approved → e-licence verifies;
 *   2. 容缺受理 → the supplement is still defective → lapse → refusal required;
 *   3. not accepted → sealed decision, review never opens the case;
 *   4. renewal applied for, undecided at expiry → supervision (a third process) fires the
 *      automatic outcome, review records RenewalDeemedGranted and extends the licence.
 *
 * Every process runs on a controlled clock (`GOVSVC_CLOCK=controlled`, `@govsvc/service-host`),
 * started at the test's wall time; the renewal case moves all three together by years.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeIntegrationEvent, type DecodedIntegrationEvent } from '@govsvc/contracts/envelope';
import { topicOf } from '@govsvc/contracts/topics';
import type { BusSubscription, MessageBus } from '@govsvc/messaging/bus';
import { createTestKafkaBus } from '@govsvc/messaging/kafka-test-bus';
import { waitFor } from '@govsvc/messaging/wait-for';
import { generateDevKeyPair, jwksOf, mintDevToken, type DevKeyPair } from '@govsvc/service-kit/dev-tokens';
import type { Role } from '@govsvc/service-kit/principal';
import { resolveComponent } from '@govsvc/testkit/infra';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { uniqueKeyPrefix } from '@govsvc/testkit/redis';
import { uniqueName } from '@govsvc/testkit/unique';
import { applicantRefOf } from '../src/app/application-service.ts';
import { chaoyangCentre, ENTERPRISE_USCC, foodGuide, PERSON_ID } from './fixtures.ts';
import { guidePublished, publishGuide } from './harness.ts';

const ISSUER = 'govsvc-e2e';
const LEAD = foodGuide.implementingBody; // 北京市朝阳区市场监督管理局
const FIRE = '北京市朝阳区消防救援支队';
const ITEM = `E2E${randomBytes(5).toString('hex').toUpperCase()}-110105-001`;
const guide = { ...foodGuide, itemCode: ITEM };

interface Service {
  readonly child: ChildProcess;
  url: string;
  output: string;
}

let keys: DevKeyPair;
let schemas: IsolatedSchema[] = [];
let bus: MessageBus;
let observer: BusSubscription;
let intake: Service;
let review: Service;
let supervision: Service;
/** The case the first journey licensed: the renewal journey renews its licence. */
let licensedCase: string | undefined;
const CLOCK_START = new Date().toISOString();
let prefix: string;
const contracts: DecodedIntegrationEvent[] = [];

type ServiceName = 'intake' | 'review' | 'supervision';

async function start(name: ServiceName, env: Record<string, string>): Promise<Service> {
  const dir = fileURLToPath(new URL(`../../${name}/`, import.meta.url));
  const child = spawn(fileURLToPath(new URL(`../../${name}/node_modules/.bin/tsx`, import.meta.url)), ['src/main.ts'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      JWT_ISSUER: ISSUER,
      JWT_PUBLIC_KEYS: jwksOf(keys.publicJwk),
      GOVSVC_CLOCK: 'controlled',
      GOVSVC_CLOCK_START: CLOCK_START,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const service: Service = { child, url: '', output: '' };
  child.stdout?.on('data', (chunk: Buffer) => (service.output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (service.output += chunk.toString()));
  const marker = `"msg":"${name} listening"`;
  await waitFor(() => service.output.includes(marker) || child.exitCode !== null, `${name} to listen`, 90_000, 100);
  const line = service.output.split('\n').find((l) => l.includes(marker));
  if (!line) throw new Error(`${name} did not start:\n${service.output}`);
  service.url = (JSON.parse(line) as { url: string }).url;
  return service;
}

const token = (audience: ServiceName, roles: Role[], subject: string, claims: { centre?: string; department?: string } = {}) =>
  mintDevToken(keys, { issuer: ISSUER, audience, subject, roles, ...claims });

async function call(service: Service, method: string, path: string, bearer: string | null, body?: unknown) {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { ...(bearer && { authorization: `Bearer ${bearer}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Json, text };
}

/** Response bodies as the test reads them: nested fields by name, checked by the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reading JSON from another process
type Json = Record<string, any>;

/** Moves the three processes' controlled clocks together (admin, `POST /admin/clock`). */
async function moveClocks(body: { set: string } | { advance: string }): Promise<void> {
  for (const [service, name] of [[intake, 'intake'], [review, 'review'], [supervision, 'supervision']] as const) {
    const moved = await call(service, 'POST', '/admin/clock', await token(name, ['admin'], 'e2e-admin'), body);
    expect(moved.status, `${name}: ${moved.text}`).toBe(200);
  }
}

/** A civil date plus `days` (calendar days). */
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const contractsOf = (caseId: string) => contracts.filter((c) => c.subject === caseId).map((c) => c.type);

beforeAll(async () => {
  keys = await generateDevKeyPair('EdDSA');
  prefix = `${uniqueName('lc').replace(/_/g, '-').toLowerCase()}.`;
  schemas = [await createIsolatedSchema('intake_e2e'), await createIsolatedSchema('review_e2e'), await createIsolatedSchema('supervision_e2e')];
  const kafka = await resolveComponent('kafka');
  bus = await createTestKafkaBus(uniqueName('lifecycle'));
  const topics = ['catalog', 'intake', 'review', 'supervision'] as const;
  await bus.ensureTopics(topics.map((p) => ({ topic: `${prefix}${topicOf(p)}`, partitions: 3 })));
  observer = await bus.subscribe({
    groupId: uniqueName('lc-observer'),
    topics: [`${prefix}${topicOf('intake')}`, `${prefix}${topicOf('review')}`, `${prefix}${topicOf('supervision')}`],
    fromBeginning: true,
    handler: async (m) => void contracts.push(decodeIntegrationEvent(m)),
  });
  const contactKey = `contact-e2e:${randomBytes(32).toString('base64')}`;
  [intake, review, supervision] = await Promise.all([
    start('intake', {
      DATABASE_URL: schemas[0]!.connectionString,
      KAFKA_BROKERS: kafka,
      REDIS_URL: await resolveComponent('redis'),
      REDIS_KEY_PREFIX: uniqueKeyPrefix('intake-e2e'),
      TOPIC_PREFIX: prefix,
      APPLICANT_CONTACT_KEYS: contactKey,
      INTAKE_CENTRES: JSON.stringify([{ ...chaoyangCentre, items: [{ itemCode: ITEM, capacityPerSlot: 3, frequentPersonal: false }] }]),
      INTAKE_COLLABORATIONS: JSON.stringify([{ itemCode: ITEM, leadDepartment: LEAD, assistingDepartments: [FIRE] }]),
    }),
    start('review', {
      DATABASE_URL: schemas[1]!.connectionString,
      KAFKA_BROKERS: kafka,
      TOPIC_PREFIX: prefix,
    }),
    start('supervision', {
      DATABASE_URL: schemas[2]!.connectionString,
      KAFKA_BROKERS: kafka,
      REDIS_URL: await resolveComponent('redis'),
      REDIS_KEY_PREFIX: uniqueKeyPrefix('supervision-e2e'),
      TOPIC_PREFIX: prefix,
    }),
  ]);
  await publishGuide(
    { ...bus, publish: (topic, messages) => bus.publish(`${prefix}${topic}`, messages) } as MessageBus,
    guidePublished(guide, '2026-01-01T00:00:00+08:00'),
  );
  const admin = await token('review', ['admin'], 'admin-1');
  // Review may be writing the item's stream from the guide contract at the same moment: a 412 is retried.
  let profile: Awaited<ReturnType<typeof call>> | undefined;
  await waitFor(
    async () => {
      profile = await call(review, 'PUT', `/review/items/${ITEM}/profile`, admin, {
        collectiveDecision: { required: false, legalBasis: null },
        licence: { electronicAvailable: true, paperAbolished: false, validityMonths: 60, renewalLeadDays: 30 },
      });
      return profile.status !== 412;
    },
    'the item profile',
    30_000,
    200,
  );
  expect(profile!.status, profile!.text).toBe(200);
}, 180_000);

afterAll(async () => {
  for (const s of [intake, review, supervision]) if (s?.child.exitCode === null) s.child.kill('SIGTERM');
  await observer?.stop();
  await bus?.close();
  for (const s of schemas) await s.drop();
});

const upload = (materialId: string) => ({ materialId, form: 'electronic', reference: `sha256:${materialId}` });
const delivery = { notificationChannels: ['sms'], resultDelivery: { method: 'electronic' }, contact: { name: '张经理', mobile: '13812345678' } };

/** Submits as the enterprise (or a person), once intake knows the guide from the catalog topic. */
async function submit(identifier: string, kind: 'enterprise' | 'person', materials: string[], confirmLicence: boolean) {
  const applicant = await token('intake', ['applicant'], applicantRefOf(identifier));
  let res: Awaited<ReturnType<typeof call>> | undefined;
  await waitFor(
    async () => {
      res = await call(intake, 'POST', '/intake/applications', applicant, {
        itemCode: ITEM,
        applicant: { kind, id: identifier, name: kind === 'enterprise' ? '北京京味餐饮管理有限公司' : '王小明' },
        channel: 'online',
        materials: materials.map(upload),
        sharedConfirmations: confirmLicence ? [{ materialId: 'business-licence', recordId: 'samr-bl-91110108551385082Q', revision: 3 }] : [],
        delivery,
      });
      return res.status !== 400 || !res.text.includes('R-CAT-1'); // not yet known: the guide is still on its way
    },
    'intake to know the guide',
    60_000,
    250,
  );
  expect(res!.status, res!.text).toBe(201);
  return { caseId: res!.json.caseId as string, applicant };
}

describe('intake and review as separate processes on Kafka, PostgreSQL and Redis', () => {
  it('R-FLOW-1: submit → supplement → accept → collaborate → sign twice → approve → licence', async () => {
    const { caseId, applicant } = await submit(ENTERPRISE_USCC, 'enterprise', ['application-form', 'layout-plan', 'safety-rules'], true);
    const clerk = await token('intake', ['clerk'], 'clerk-li', { centre: 'bj-chaoyang' });
    const notice = await call(intake, 'POST', `/intake/applications/${caseId}/supplement-notices`, clerk, {
      items: [{ materialId: 'premises-proof', problem: 'missing', detail: '请补交房屋租赁合同' }],
    });
    expect(notice.status, notice.text).toBe(201);
    expect((await call(intake, 'POST', `/intake/applications/${caseId}/supplements`, applicant, { channel: 'online', materials: [upload('premises-proof')] })).status).toBe(201);
    const accepted = await call(intake, 'POST', `/intake/applications/${caseId}/accept`, clerk, {});
    expect(accepted.status, accepted.text).toBe(200);
    const verify = await call(intake, 'GET', `/intake/documents/${accepted.json.document.documentId}/verify`, null);
    expect(verify.json).toMatchObject({ valid: true, kind: 'acceptance-receipt' });

    // Review learns the case from Kafka only.
    const reviewApplicant = await token('review', ['applicant'], applicantRefOf(ENTERPRISE_USCC));
    await waitFor(async () => (await call(review, 'GET', `/review/cases/${caseId}`, reviewApplicant)).status === 200, 'review to open the case', 60_000, 250);
    const lead = await token('review', ['reviewer'], 'staff-h1', { department: LEAD });
    const chief = await token('review', ['chief'], 'staff-c1', { department: LEAD });
    const fire = await token('review', ['reviewer'], 'staff-f1', { department: FIRE });
    const asked = await call(review, 'POST', `/review/cases/${caseId}/opinion-requests`, lead, { department: FIRE, question: '经营场所消防安全是否符合要求？', dueInWorkingDays: 3 });
    expect(asked.status, asked.text).toBe(201);
    const requestId = asked.json.opinionRequests[0].requestId as string;
    expect((await call(review, 'POST', `/review/cases/${caseId}/opinions/${requestId}`, fire, { opinion: 'concur' })).status).toBe(201);
    expect((await call(review, 'POST', `/review/cases/${caseId}/signatures`, lead, { role: 'handler', draft: { outcome: 'approve' } })).status).toBe(201);
    const decided = await call(review, 'POST', `/review/cases/${caseId}/signatures`, chief, { role: 'chief-representative' });
    expect(decided.status, decided.text).toBe(201);
    expect(decided.json).toMatchObject({ status: 'decided', decision: { outcome: 'approve' } });
    const licence = await call(review, 'GET', `/review/licences/LIC-${caseId}/verify`, null);
    expect(licence.json).toMatchObject({ signatureValid: true, inForce: true });
    licensedCase = caseId;

    await waitFor(() => contractsOf(caseId).includes('review.licence-issued.v1'), 'the licence contract', 30_000);
    // Supplemented the same day as the notice: no day was suspended, so no intake.clock-suspended.v1 (unit specs cover it).
    expect(contractsOf(caseId)).not.toContain('intake.clock-suspended.v1');
    expect(contractsOf(caseId)).toEqual(
      expect.arrayContaining([
        'intake.application-submitted.v1',
        'intake.delivery-preferences-recorded.v1',
        'intake.supplement-requested.v1',
        'intake.supplement-received.v1',
        'intake.case-accepted.v2',
        'review.opinion-requested.v1',
        'review.opinion-given.v1',
        'review.decision-made.v1',
      ]),
    );
  });

  it('R-ACC-2: 容缺受理, the supplement still defective → lapsed, a refusal decision is required', async () => {
    const { caseId, applicant } = await submit(ENTERPRISE_USCC, 'enterprise', ['application-form', 'premises-proof', 'safety-rules'], true);
    const clerk = await token('intake', ['clerk'], 'clerk-wang', { centre: 'bj-chaoyang' });
    const tolerated = await call(intake, 'POST', `/intake/applications/${caseId}/accept-with-tolerated-deficiencies`, clerk, {
      items: [{ materialId: 'layout-plan', problem: 'missing', detail: '经营设施布局图后补' }],
      deadlineWorkingDays: 3,
    });
    expect(tolerated.status, tolerated.text).toBe(200);
    expect((await call(intake, 'POST', `/intake/applications/${caseId}/supplements`, applicant, { channel: 'online', materials: [upload('layout-plan')] })).status).toBe(201);
    const lapsed = await call(intake, 'POST', `/intake/applications/${caseId}/lapse-tolerated-deficiency`, clerk, {
      cause: 'still-defective',
      reasons: [{ text: '补交的布局图未标明食品处理区与清洁区的分隔', legalBasis: '《食品经营许可和备案管理办法》第十二条' }],
    });
    expect(lapsed.status, lapsed.text).toBe(200);
    await waitFor(() => contractsOf(caseId).includes('intake.tolerated-deficiency-lapsed.v1'), 'the lapse contract', 30_000);
    const contract = contracts.find((c) => c.subject === caseId && c.type === 'intake.tolerated-deficiency-lapsed.v1')!;
    expect(contract.data).toMatchObject({ cause: 'still-defective', consequence: 'refusal-decision-required' });
  });

  it('R-ACC-2: not accepted: a sealed decision with reasons, and review never opens the case', async () => {
    const { caseId } = await submit(PERSON_ID, 'person', ['application-form', 'premises-proof', 'layout-plan', 'safety-rules'], false);
    const clerk = await token('intake', ['clerk'], 'clerk-li', { centre: 'bj-chaoyang' });
    const refused = await call(intake, 'POST', `/intake/applications/${caseId}/not-accept`, clerk, { reasons: [{ text: '申请人为自然人，本事项申请人应为市场主体' }] });
    expect(refused.status, refused.text).toBe(200);
    expect(refused.json.document).toMatchObject({ kind: 'non-acceptance-decision', title: '不予受理决定书' });
    await waitFor(() => contractsOf(caseId).includes('intake.case-not-accepted.v1'), 'the not-accepted contract', 30_000);
    const reviewer = await token('review', ['supervisor'], 'sup-1');
    expect((await call(review, 'GET', `/review/cases/${caseId}`, reviewer)).status).not.toBe(200);
  });

  it('R-APPT-1: parallel bookings through the intake process and Redis never overbook', async () => {
    const clerk = await token('intake', ['clerk'], 'clerk-li', { centre: 'bj-chaoyang' });
    // The next day with slots (a working day, or a Saturday for frequent personal items).
    let slot: { slotId: string; capacity: number } | undefined;
    for (let d = 1; d <= 10 && !slot; d++) {
      const date = new Date(Date.now() + d * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
      const slots = await call(intake, 'GET', `/intake/centres/bj-chaoyang/slots?itemCode=${ITEM}&date=${date}`, clerk);
      slot = (slots.json.slots as { slotId: string; capacity: number; kind: string }[]).find((s) => s.kind === 'normal');
    }
    expect(slot).toBeDefined();
    const ids = Array.from({ length: 12 }, (_, n) => {
      const first17 = `11010519900101${String(n + 100).padStart(3, '0')}`;
      const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
      return `${first17}${'10X98765432'[[...first17].reduce((sum, ch, i) => sum + Number(ch) * weights[i]!, 0) % 11]}`;
    });
    const results = await Promise.all(
      ids.map((id, n) => call(intake, 'POST', `/intake/slots/${slot!.slotId}/bookings`, clerk, { channel: n % 2 ? 'phone' : 'on-site', applicant: { kind: 'person', id, name: `申请人${n}` } })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(slot!.capacity);
    expect(results.filter((r) => r.status === 409)).toHaveLength(ids.length - slot!.capacity);
  });

  it('R-REV-4, Art. 50: a renewal undecided at expiry is deemed granted: supervision fires it, review records it', async () => {
    expect(licensedCase, 'the first journey licensed a case').toBeDefined();
    const licenceId = `LIC-${licensedCase}`;
    const holder = await token('review', ['applicant'], applicantRefOf(ENTERPRISE_USCC));
    const before = await call(review, 'GET', `/review/licences/${licenceId}`, holder);
    expect(before.status, before.text).toBe(200);
    const expiry = before.json.validUntil as string;
    expect(expiry).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    // Forty days before expiry (the item asks for at least 30): the three clocks move together, as time would.
    await moveClocks({ set: `${addDays(expiry, -40)}T09:00:00+08:00` });
    const applied = await call(review, 'POST', `/review/licences/${licenceId}/renewals`, holder);
    expect(applied.status, applied.text).toBe(201);
    const renewalId = (applied.json.renewals as { renewalId: string; outcome: string }[]).find((r) => r.outcome === 'pending')!.renewalId;
    await waitFor(() => contracts.some((c) => c.type === 'review.renewal-applied.v1' && c.subject === renewalId), 'the renewal contract', 30_000);
    await waitFor(() => contracts.some((c) => c.type === 'supervision.deadline-opened.v1' && c.subject === renewalId), 'supervision to open the renewal deadline', 60_000);

    // Nobody decides. The day after expiry, the law has: supervision asks, review records.
    await moveClocks({ set: `${addDays(expiry, 1)}T09:00:00+08:00` });
    await waitFor(() => contracts.some((c) => c.type === 'supervision.deem-renewal-granted-command.v1' && c.subject === renewalId), 'supervision to fire the automatic outcome', 60_000);
    await waitFor(() => contracts.some((c) => c.type === 'review.renewal-deemed-granted.v1' && c.subject === renewalId), 'review to record the deemed grant', 60_000);
    await waitFor(() => contracts.some((c) => c.type === 'supervision.deadline-closed.v1' && c.subject === renewalId), 'the renewal deadline to close', 60_000);

    const after = await call(review, 'GET', `/review/licences/${licenceId}`, holder);
    expect(after.json.renewals).toEqual([expect.objectContaining({ renewalId, outcome: 'deemed-granted' })]);
    expect(after.json.validUntil > expiry).toBe(true);
    const verify = await call(review, 'GET', `/review/licences/${licenceId}/verify`, null);
    expect(verify.json).toMatchObject({ inForce: true, validUntil: after.json.validUntil });
    // Exactly once, however many times the scheduler looked.
    expect(contracts.filter((c) => c.type === 'review.renewal-deemed-granted.v1' && c.subject === renewalId)).toHaveLength(1);
  });

  it('every process stops cleanly on SIGTERM', async () => {
    const all = [intake, review, supervision];
    const exits = all.map((s) => new Promise<number | null>((resolve) => s.child.once('exit', (code) => resolve(code))));
    for (const s of all) s.child.kill('SIGTERM');
    const codes = await Promise.all(exits);
    expect(codes, all.map((s, i) => `exit ${codes[i]}:\n${s.output.slice(-2500)}`).join('\n')).toEqual([0, 0, 0]);
  });
});
