/**
 * Supervisors on the real PostgreSQL store: a full case replayed across
 * services' streams (history in global order, state at the instant a
 * signature was made), and tampering found: an edited row breaks the hash
 * chain at that row; an edited sealed document whose chain was recomputed
 * (an attacker with database access) still fails its seal.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '@govsvc/eventstore/audit/canonical-json';
import { computeEventHash } from '@govsvc/eventstore/audit/hash-chain';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import type { SqlEventStore } from '@govsvc/eventstore/sql/sql-event-store';
import type { Actor, NewEvent } from '@govsvc/eventstore/port';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import type { SealPublicKey } from '../src/app/audit.ts';
import { startApp, startHarness, type Harness } from './harness.ts';

const caseId = 'BJ-H1';
const itemCode = '11000000000000000A-0001-01';
let schema: IsolatedSchema;
let store: SqlEventStore;
let h: Harness;
let http: Awaited<ReturnType<typeof startApp>>;
let supervisorToken: string;

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const sealKeys: SealPublicKey[] = [
  { keyId: 'key-amr-2025', sealId: 'seal-bj-amr-01', algorithm: 'Ed25519', jwk: { kty: 'OKP', crv: 'Ed25519', x: (publicKey.export({ format: 'jwk' }) as { x: string }).x } },
];

const sealed = (content: Record<string, unknown>) => ({
  content,
  signature: { algorithm: 'Ed25519', keyId: 'key-amr-2025', value: sign(null, Buffer.from(canonicalJson(content), 'utf8'), privateKey).toString('base64url') },
});
const seal = { kind: 'approval-business', sealId: 'seal-bj-amr-01', name: '北京市市场监督管理局审批业务专用章' };
const clerk = { id: 'staff-0042', role: 'clerk', department: '北京市市场监督管理局' };
const event = (type: string, data: unknown, actor: Actor = clerk): NewEvent => ({
  id: crypto.randomUUID(),
  type,
  schemaVersion: 1,
  data,
  metadata: { caseId, correlationId: `case-${caseId}`, actor, guideVersion: '2025.2' },
});
const append = async (stream: string, e: NewEvent) => {
  const revision = await store.streamRevision(stream);
  await store.appendToStream(stream, [e], { expectedRevision: revision === null ? 'no_stream' : revision });
  return (await store.readStream(stream)).at(-1)!;
};

beforeAll(async () => {
  schema = await createIsolatedSchema('supervision_audit');
  store = await createPostgresEventStore({ connectionString: schema.connectionString, pollIntervalMs: 50 });
  h = await startHarness({ start: '2025-03-03T09:00:00+08:00', store, sealKeys });
  http = await startApp(h.module);
  supervisorToken = await http.token(['supervisor']);
});
afterAll(async () => {
  await http?.app.close();
  await h?.stop();
  await store?.close();
  await schema?.drop();
});

const get = async (url: string) => {
  const response = await http.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${supervisorToken}` } });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
};

describe('case history, state at an instant and audit on PostgreSQL', () => {
  const moments: Record<string, string> = {};

  it('replays a full case across intake, review and supervision streams in global order', async () => {
    // Intake's facts, and the contract supervision learns them from.
    await append(`application-${caseId}`, event('ApplicationSubmitted', { itemCode, guideVersion: '2025.2', submittedAt: '2025-03-03T10:00:00+08:00' }, { id: 'applicant-1', role: 'applicant' }));
    await h.publish('intake.application-submitted.v1', { caseId, itemCode, guideVersion: '2025.2', submittedAt: '2025-03-03T10:00:00+08:00' });
    const accepted = await append(
      `application-${caseId}`,
      event('CaseAccepted', { basis: 'decision', acceptedAt: '2025-03-04T09:00:00+08:00', document: sealed({ documentId: 'doc-receipt-1', kind: 'acceptance-receipt', caseId, seal }) }),
    );
    moments['accepted'] = accepted.recordedAt.toISOString();
    await h.publish('intake.case-accepted.v2', { caseId, itemCode, guideVersion: '2025.2', basis: 'decision', effectiveFrom: '2025-03-04', acceptedAt: '2025-03-04T09:00:00+08:00', toleratedDeficiencies: null } as never);
    await append(`review-${caseId}`, event('ReviewOpened', { openedAt: '2025-03-04T09:05:00+08:00' }, { id: 'review', role: 'system' }));
    const firstSignature = await append(
      `review-${caseId}`,
      event('DecisionSigned', { role: 'handler', signer: { staffId: 'staff-0100', department: '北京市市场监督管理局' }, signedAt: '2025-03-10T15:00:00+08:00' }, { id: 'staff-0100', role: 'reviewer' }),
    );
    moments['firstSignature'] = firstSignature.recordedAt.toISOString();
    await append(`review-${caseId}`, event('DecisionSigned', { role: 'chief-representative', signer: { staffId: 'staff-0007', department: '北京市市场监督管理局' }, signedAt: '2025-03-11T10:00:00+08:00' }, { id: 'staff-0007', role: 'chief' }));
    await append(
      `review-${caseId}`,
      event('DecisionMade', { outcome: 'approve', decidedAt: '2025-03-11T10:01:00+08:00', document: sealed({ documentId: 'doc-decision-1', kind: 'approval-decision', caseId, seal }) }, { id: 'staff-0007', role: 'chief' }),
    );
    await append(`review-${caseId}`, event('LicenceIssued', { licenceId: 'lic-1', issuedAt: '2025-03-12T10:00:00+08:00' }, { id: 'staff-0100', role: 'reviewer' }));
    await h.module.caughtUp();

    const { status, body } = await get(`/supervision/cases/${caseId}/history`);
    expect(status).toBe(200);
    const entries = body['entries'] as { position: string; stream: string; type: string; actor: { role: string }; guideVersion: string | null; summary: string }[];
    const positions = entries.map((e) => BigInt(e.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)));
    const streams = new Set(entries.map((e) => e.stream.split('-')[0]));
    expect(streams).toEqual(new Set(['application', 'review', 'deadline', 'supervisedcase']));
    expect(entries.filter((e) => e.stream === `review-${caseId}`).map((e) => e.type)).toEqual(['ReviewOpened', 'DecisionSigned', 'DecisionSigned', 'DecisionMade', 'LicenceIssued']);
    expect(entries.find((e) => e.type === 'DecisionMade')).toMatchObject({ actor: { role: 'chief' }, guideVersion: '2025.2' });
    expect(entries.filter((e) => e.type === 'DeadlineOpened').map((e) => e.summary)).toEqual(
      expect.arrayContaining([expect.stringContaining('受理决定'), expect.stringContaining('承诺时限内办结'), expect.stringContaining('法定时限内决定')]),
    );
  });

  it('rebuilds the case as it was when the first signature was made, and as it is now', async () => {
    const atSignature = await get(`/supervision/cases/${caseId}/state?at=${encodeURIComponent(moments['firstSignature']!)}`);
    expect(atSignature.status).toBe(200);
    expect(atSignature.body).toMatchObject({ status: 'in-review', outcome: null, itemCode, guideVersion: '2025.2' });
    expect(atSignature.body['signatures']).toEqual([{ role: 'handler', signer: 'staff-0100', signedAt: '2025-03-10T15:00:00+08:00' }]);

    const atAcceptance = await get(`/supervision/cases/${caseId}/state?at=${encodeURIComponent(moments['accepted']!)}`);
    expect(atAcceptance.body).toMatchObject({ status: 'accepted', signatures: [] });
    expect((atAcceptance.body['documents'] as { documentId: string }[]).map((d) => d.documentId)).toEqual(['doc-receipt-1']);

    const now = await get(`/supervision/cases/${caseId}/state?at=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(now.body).toMatchObject({ status: 'licence-issued', outcome: 'approve' });
    expect((now.body['signatures'] as unknown[]).length).toBe(2);
    const deadlines = now.body['deadlines'] as { kind: string; status: string }[];
    expect(deadlines.find((d) => d.kind === 'acceptance')).toMatchObject({ status: 'closed' });
    expect(deadlines.find((d) => d.kind === 'decision-statutory')).toMatchObject({ status: 'open' });
  });

  it('verifies every chain and seal of the case', async () => {
    const { status, body } = await get(`/supervision/cases/${caseId}/verify`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ valid: true, seals: 2, firstBroken: null });
    expect(body['streams']).toBeGreaterThanOrEqual(6);
  });

  it('names the first broken link when a row is edited in the database', async () => {
    await store.driver.query(`UPDATE events SET data = jsonb_set(data, '{outcome}', '"refuse"') WHERE stream_name = $1 AND type = 'DecisionMade'`, [`review-${caseId}`]);
    const { body } = await get(`/supervision/cases/${caseId}/verify`);
    expect(body['valid']).toBe(false);
    expect(body['firstBroken']).toMatchObject({ stream: `review-${caseId}`, revision: '3', type: 'DecisionMade', problem: 'hash-mismatch' });
    const all = await get('/supervision/verify');
    expect(all.body['firstBroken']).toMatchObject({ stream: `review-${caseId}`, revision: '3', problem: 'hash-mismatch' });
    // Put it back: the chain holds again.
    await store.driver.query(`UPDATE events SET data = jsonb_set(data, '{outcome}', '"approve"') WHERE stream_name = $1 AND type = 'DecisionMade'`, [`review-${caseId}`]);
    expect((await get(`/supervision/cases/${caseId}/verify`)).body['valid']).toBe(true);
  });

  it('names a forged document even when the forger recomputed the hash chain', async () => {
    const stream = `application-${caseId}`;
    const rows = await store.readStream(stream);
    const target = rows.find((e) => e.type === 'CaseAccepted')!;
    const forged = structuredClone(target.data) as { document: { content: Record<string, unknown> } };
    forged.document.content['caseId'] = 'BJ-OTHER';
    await store.driver.query(`UPDATE events SET data = $2::jsonb WHERE event_id = $1`, [target.id, JSON.stringify(forged)]);
    // Recompute every hash from the forged event on, as someone covering their tracks would.
    let prevHash: string | null = rows[rows.indexOf(target) - 1]?.metadata.hash ?? null;
    for (const row of await store.readStream(stream, { fromRevision: target.revision })) {
      const hash = computeEventHash(row, prevHash);
      await store.driver.query(`UPDATE events SET metadata = metadata || $2::jsonb WHERE event_id = $1`, [row.id, JSON.stringify({ prevHash, hash })]);
      prevHash = hash;
    }
    const { body } = await get(`/supervision/cases/${caseId}/verify`);
    expect(body['valid']).toBe(false);
    expect(body['firstBroken']).toMatchObject({ stream, type: 'CaseAccepted', problem: 'seal-invalid' });
    expect((body['problems'] as { problem: string }[]).map((p) => p.problem)).toEqual(['seal-invalid']);
  });
});

describe('a supervisor reads what another process committed just before (issue 8: the timeline asks for no wake-up hints; a read of a case catches it up)', () => {
  it("answers a case's history, state and verification with an event another store wrote a moment earlier, though nothing woke the timeline and its poll interval is a minute", async () => {
    const own = await createIsolatedSchema('supervision_fresh');
    // Supervision's store polls once a minute; the writer is another process's store on its own connections.
    // Its one extra look after each subscription declares its interest falls 150 ms later, before the append.
    const polled = await createPostgresEventStore({ connectionString: own.connectionString, pollIntervalMs: 60_000, wakeInterestRefreshMs: 50 });
    const elsewhere = await createPostgresEventStore({ connectionString: own.connectionString, pollIntervalMs: 60_000 });
    const fresh = await startHarness({ start: '2025-03-03T09:00:00+08:00', store: polled });
    const app = await startApp(fresh.module);
    try {
      const token = await app.token(['supervisor']);
      const read = async (url: string) => {
        const response = await app.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
        return { status: response.statusCode, body: response.json() as Record<string, unknown> };
      };
      await fresh.module.caughtUp();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const otherCase = 'BJ-H2';
      await elsewhere.appendToStream(
        `application-${otherCase}`,
        [{ ...event('ApplicationSubmitted', { itemCode, guideVersion: '2025.2', submittedAt: '2025-03-03T10:00:00+08:00' }), metadata: { caseId: otherCase, correlationId: `case-${otherCase}`, actor: clerk } }],
        { expectedRevision: 'no_stream' },
      );
      // Past the timeline's linger: a hint, had one been sent, would have been read by now.
      await new Promise((resolve) => setTimeout(resolve, 400));
      const history = await read(`/supervision/cases/${otherCase}/history`);
      expect(history.status).toBe(200);
      expect((history.body['entries'] as { type: string }[]).map((e) => e.type)).toEqual(['ApplicationSubmitted']);
      expect((await read(`/supervision/cases/${otherCase}/verify`)).body['valid']).toBe(true);
      expect((await read(`/supervision/cases/${otherCase}/state`)).status).toBe(200);
      // And nothing in the store asks other processes to hint the timeline.
      const rows = await polled.driver.query<{ categories: string[] | null }>('SELECT categories FROM wake_listeners WHERE expires_at > now()', []);
      expect(rows.map((r) => r.categories).filter((c) => c === null)).toEqual([]);
    } finally {
      await app.app.close();
      await fresh.stop();
      await polled.close();
      await elsewhere.close();
      await own.drop();
    }
  });
});
