/**
 * The standalone process as `pnpm start` runs it (a child process on its
 * embedded adapters, a temporary data folder, a random port): every mounted
 * service answers on the one port, a submitted application writes events that
 * supervision sees, the controlled clock moves only for an admin, and after a
 * restart on the same data folder the case, the clock and the dev keys are
 * all still there while the fixture catalog is not published twice.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicantRefOf } from '@govsvc/intake/app/application-service';
import { eventually, GovsvcClient, readDevKeyPair, standaloneTopology, type Caller } from '../src/client.ts';
import { spawnStandalone, startStandalone, type RunningStandalone } from './standalone-process.ts';

const FOOD_ITEM = '01120040000111010100000011110101MB855928X301001'; // 食品经营许可（新办）, 东城区 (catalog fixture)
const USCC = '91110108551385082Q';
const applicant: Caller = { role: 'applicant', subject: applicantRefOf(USCC) };
const clerk: Caller = { role: 'clerk', subject: 'clerk-zhao', centre: 'bj-city' };
const supervisor: Caller = { role: 'supervisor', subject: 'supervisor-1' };
const operator: Caller = { role: 'operator', subject: 'operator-1' };
const admin: Caller = { role: 'admin', subject: 'admin-1' };
const reviewer: Caller = { role: 'reviewer', subject: 'reviewer-dc-1', department: '北京市东城区市场监督管理局' };
const START = '2026-11-26T09:00:00+08:00';

let dataDir: string;
let running: RunningStandalone | undefined;

const env = () => ({ NODE_ENV: 'test', GOVSVC_DATA_DIR: dataDir, GOVSVC_CLOCK: 'controlled', GOVSVC_CLOCK_START: START });
const clientOf = async (server: RunningStandalone) => new GovsvcClient(standaloneTopology(server.url), await readDevKeyPair(join(dataDir, 'keys')));

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'govsvc-standalone-'));
  running = await startStandalone(env());
});

afterAll(async () => {
  await running?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the standalone process', () => {
  let caseId: string;
  let caseNumber: string;

  it('is ready, serves every module on one port, and prints where everything is', async () => {
    const client = await clientOf(running!);
    const ready = await client.get('/health/ready', null);
    expect(ready.status, ready.text).toBe(200);
    const checks = (ready.json.checks as { name: string }[]).map((c) => c.name.split(':')[0]);
    expect(new Set(checks)).toEqual(new Set(['supervision', 'catalog', 'intake', 'review', 'delivery', 'courier', 'evaluation']));

    const guides = await client.get('/catalog/guides', null);
    expect(guides.status).toBe(200);
    expect(guides.json.total).toBe(14);
    expect((await client.get('/intake/seal-keys', null)).json.keys.length).toBeGreaterThan(0);
    expect((await client.get('/review/tasks', reviewer)).status).toBe(200);
    expect((await client.get('/delivery/outbox', operator)).status).toBe(200);
    expect((await client.get('/evaluation/statistics', operator)).status).toBe(200);
    expect((await client.get('/supervision/breaches', operator)).status).toBe(200);
    // A token for another audience is refused: the one process verifies the audience `standalone`.
    const foreign = await new GovsvcClient(standaloneTopology(running!.url, 'intake'), await readDevKeyPair(join(dataDir, 'keys'))).get('/review/tasks', reviewer);
    expect(foreign.status).toBe(401);

    const docs = await client.get('/docs/json', null);
    const paths = Object.keys(docs.json.paths as Record<string, unknown>);
    for (const prefix of ['/catalog/', '/intake/', '/review/', '/delivery/', '/courier/', '/evaluation/', '/supervision/', '/admin/clock']) {
      expect(paths.some((p) => p.startsWith(prefix)), prefix).toBe(true);
    }
    const index = await client.get('/', null);
    expect(index.json.services.map((s: { name: string }) => s.name)).toEqual(['supervision', 'catalog', 'intake', 'review', 'delivery', 'courier', 'evaluation']);

    const banner = running!.output();
    expect(banner).toContain(`${running!.url}/supervision/console`);
    expect(banner).toContain(`${running!.url}/docs/json`);
    for (const role of ['applicant', 'clerk', 'reviewer', 'chief', 'supervisor', 'operator', 'integration', 'admin']) expect(banner).toMatch(new RegExp(`\\n    ${role} +`));
    expect(await readdir(join(dataDir, 'keys'))).toEqual(expect.arrayContaining(['signing-key.json', 'secrets.json']));
  });

  it('takes an application, which supervision sees through the bus', async () => {
    const client = await clientOf(running!);
    // Intake learns the guides from the catalog's contracts on the in-process bus.
    const submitted = await eventually('intake to know the fixture guide', async () => {
      const reply = await client.post('/intake/applications', applicant, {
        itemCode: FOOD_ITEM,
        applicant: { kind: 'enterprise', id: USCC, name: '北京京味餐饮管理有限公司' },
        channel: 'online',
        materials: ['application-form', 'layout', 'safety-rules', 'power-of-attorney'].map((m) => ({ materialId: m, form: 'electronic', reference: `sha256:${m}` })),
        sharedConfirmations: [{ materialId: 'business-licence', recordId: `samr-bl-${USCC}`, revision: 3 }],
        delivery: { notificationChannels: ['sms'], resultDelivery: { method: 'electronic' }, contact: { name: '张经理', mobile: '13812345678' } },
      });
      return reply.status === 400 && reply.text.includes('R-CAT-1') ? undefined : reply;
    });
    expect(submitted.status, submitted.text).toBe(201);
    caseId = submitted.json.caseId;
    caseNumber = submitted.json.caseNumber;
    expect(caseNumber).toMatch(/^京\d{6}20261126\d{5}$/); // the controlled clock's day

    const accepted = await client.post(`/intake/applications/${caseId}/accept`, clerk, {});
    expect(accepted.status, accepted.text).toBe(200);
    const history = await eventually('the case history in supervision', async () => {
      const reply = await client.get(`/supervision/cases/${caseId}/history`, supervisor);
      return reply.status === 200 && reply.json.entries.length >= 2 ? reply : undefined;
    });
    expect(JSON.stringify(history.json)).toContain('ApplicationSubmitted');
    const waybills = await client.get(`/courier/cases/${caseId}/waybills`, clerk);
    expect(waybills.status, waybills.text).toBe(200); // courier answers on the same port; electronic delivery needs no parcel
    expect(waybills.json.waybills).toEqual([]);
  });

  it('moves the controlled clock for an admin only, forward only', async () => {
    const client = await clientOf(running!);
    expect((await client.post('/admin/clock', supervisor, { advance: 'P1D' })).status).toBe(403);
    const moved = await client.post('/admin/clock', admin, { advance: 'PT2H' });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.json).toEqual({ now: '2026-11-26T03:00:00.000Z', mode: 'controlled' });
    expect((await client.post('/admin/clock', admin, { set: '2026-11-01T00:00:00+08:00' })).status).toBe(400);
    expect((await client.post('/admin/clock', admin, { advance: 'P1M' })).status).toBe(400);
  });

  it('loses nothing across a restart on the same data folder', async () => {
    const before = await clientOf(running!);
    const guidesBefore = (await before.get('/catalog/guides', null)).json.total;
    expect(await running!.stop()).toBe(0); // graceful shutdown is clean
    running = await startStandalone(env());
    const client = await clientOf(running);
    expect((await client.get('/health/ready', null)).status).toBe(200);

    const application = await client.get(`/intake/applications/${caseId}`, applicant);
    expect(application.status, application.text).toBe(200);
    expect(application.json.caseNumber).toBe(caseNumber);
    expect((await client.get(`/supervision/cases/${caseId}/history`, supervisor)).json.entries.length).toBeGreaterThanOrEqual(2);
    expect((await client.get('/catalog/guides', null)).json.total).toBe(guidesBefore);
    expect(running.output()).toContain('"published":0'); // the fixtures were there already: nothing appended again
    expect((await client.get('/admin/clock', admin)).json.now).toBe('2026-11-26T03:00:00.000Z');
    expect(running.output()).not.toContain('generated development key material');
  });
});

describe('outside development', () => {
  it('refuses NODE_ENV=production without real keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'govsvc-standalone-prod-'));
    try {
      const { output, exited } = spawnStandalone({ NODE_ENV: 'production', GOVSVC_DATA_DIR: dir });
      expect(await exited).not.toBe(0);
      expect(output()).toContain('NODE_ENV=production needs real keys');
      expect(await readdir(dir)).toEqual([]); // nothing generated
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
