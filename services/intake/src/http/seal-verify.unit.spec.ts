/**
 * Verifying a sealed document the three ways R-ACC-3 asks for: the endpoint,
 * and the CLI (`govsvc seal verify`) on a file and on URLs of a running intake.
 * The CLI has its own canonical-JSON implementation: this proves it agrees
 * with the one intake signs with.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '@govsvc/cli/main';
import { createHarness, type Harness } from '../../test/harness.ts';
import { ENTERPRISE_USCC, FOOD_ITEM, smsAndWindowPickup } from '../../test/fixtures.ts';

let h: Harness;
let base: string;
let documentId: string;
let dir: string;

beforeAll(async () => {
  h = await createHarness();
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  const submit = await h.app.inject({
    method: 'POST',
    url: '/intake/applications',
    headers: { authorization: `Bearer ${await h.applicantToken(ENTERPRISE_USCC)}` },
    payload: {
      itemCode: FOOD_ITEM,
      applicant: { kind: 'enterprise', id: ENTERPRISE_USCC, name: '北京京味餐饮管理有限公司' },
      channel: 'online',
      materials: ['application-form', 'premises-proof', 'layout-plan', 'safety-rules'].map((materialId) => ({ materialId, form: 'electronic', reference: `sha256:${materialId}` })),
      sharedConfirmations: [{ materialId: 'business-licence', recordId: 'samr-bl-91110108551385082Q', revision: 3 }],
      delivery: smsAndWindowPickup,
    },
  });
  const accepted = await h.app.inject({ method: 'POST', url: `/intake/applications/${submit.json().caseId}/accept`, headers: { authorization: `Bearer ${await h.clerkToken()}` }, payload: {} });
  documentId = accepted.json().document.documentId;
  dir = await mkdtemp(join(tmpdir(), 'intake-seal-'));
});
afterAll(async () => h.close());

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await run(args, { io: { out: (t) => void (out += t), err: (t) => void (out += t) }, config: { calendarDataDir: '', actor: 'test', baseDir: dir } });
  return { code, out };
}

describe('seal verification (R-ACC-3)', () => {
  it('R-ACC-3: the CLI verifies a document file against the published keys, and catches any alteration', async () => {
    const document = (await h.app.inject({ method: 'GET', url: `/intake/documents/${documentId}`, headers: { authorization: `Bearer ${await h.applicantToken(ENTERPRISE_USCC)}` } })).json();
    await writeFile(join(dir, 'receipt.json'), JSON.stringify(document));
    await writeFile(join(dir, 'keys.json'), (await h.app.inject({ method: 'GET', url: '/intake/seal-keys' })).body);
    const ok = await cli('seal', 'verify', 'receipt.json', '--keys', 'keys.json');
    expect(ok, ok.out).toMatchObject({ code: 0 });
    expect(ok.out).toContain('valid seal: 受理凭证');

    const altered = { ...document, content: { ...document.content, dateReceived: '2026-11-20' } };
    await writeFile(join(dir, 'altered.json'), JSON.stringify(altered));
    const bad = await cli('seal', 'verify', 'altered.json', '--keys', 'keys.json');
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('INVALID');
  });

  it('R-ACC-3: the CLI verifies through a running intake: the verify URL, and a document with keys from the same host', async () => {
    const viaEndpoint = await cli('seal', 'verify', `${base}/intake/documents/${documentId}/verify`, '--json');
    expect(viaEndpoint.code, viaEndpoint.out).toBe(0);
    expect(JSON.parse(viaEndpoint.out)).toMatchObject({ documentId, valid: true });
    await writeFile(join(dir, 'receipt2.json'), (await h.app.inject({ method: 'GET', url: `/intake/documents/${documentId}`, headers: { authorization: `Bearer ${await h.clerkToken()}` } })).body);
    const withRemoteKeys = await cli('seal', 'verify', 'receipt2.json', '--keys', `${base}/intake/seal-keys`);
    expect(withRemoteKeys.code, withRemoteKeys.out).toBe(0);
  });

  it('R-ACC-3: an unknown document is 404 at the verify endpoint', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/intake/documents/D-00000000-0000-4000-8000-000000000000-1/verify' })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/intake/documents/nonsense/verify' })).statusCode).toBe(404);
  });
});
