import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { reviewStream } from '../domain/review-decider.ts';
import { APPLICANT_REF, openCase, reviewHarness, type Harness } from '../test-harness.ts';

const ITEM = '11110000000021467Q4110105000';
const CASE = 'BJ-2026-000042';

let h: Harness;
let tokens: Record<'applicant' | 'otherApplicant' | 'reviewer' | 'chief' | 'otherReviewer' | 'admin' | 'operator' | 'health' | 'healthBackend', string>;

const json = (token: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra });
const revisionOf = async (caseId = CASE) => (await h.store.streamRevision(reviewStream(caseId)))?.toString();

async function post(url: string, token: string, body: unknown, headers: Record<string, string> = {}) {
  return h.app.inject({ method: 'POST', url, headers: json(token, headers), payload: JSON.stringify(body) });
}

beforeEach(async () => {
  h = await reviewHarness(createInMemoryEventStore());
  tokens = {
    applicant: await h.token(['applicant'], { subject: APPLICANT_REF }),
    otherApplicant: await h.token(['applicant'], { subject: '00000000-0000-4000-8000-00000000beef' }),
    reviewer: await h.token(['reviewer'], { subject: 'staff-h1', department: 'market-regulation' }),
    chief: await h.token(['chief'], { subject: 'staff-c1', department: 'market-regulation' }),
    otherReviewer: await h.token(['reviewer'], { subject: 'staff-x', department: 'tax' }),
    admin: await h.token(['admin'], { subject: 'admin-1' }),
    operator: await h.token(['operator'], { subject: 'op-1', department: 'market-regulation' }),
    health: await h.token(['reviewer'], { subject: 'staff-a1', department: 'health' }),
    healthBackend: await h.token(['integration'], { subject: 'health-backend', department: 'health' }),
  };
  await openCase(h, CASE);
});

afterEach(async () => h.close());

describe('who sees a case', () => {
  it('the applicant sees their own case; another applicant gets 404, not 403', async () => {
    const own = await h.app.inject({ method: 'GET', url: `/review/cases/${CASE}`, headers: json(tokens.applicant) });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ caseId: CASE, status: 'open', applicant: { maskedId: '110105********002X' }, leadDepartment: 'market-regulation' });
    expect(own.headers.etag).toBe('"2"');

    const other = await h.app.inject({ method: 'GET', url: `/review/cases/${CASE}`, headers: json(tokens.otherApplicant) });
    expect(other.statusCode).toBe(404);
    expect(other.headers['content-type']).toContain('application/problem+json');
  });

  it('a reviewer of a department with no part in the case gets 404', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/review/cases/${CASE}`, headers: json(tokens.otherReviewer) });
    expect(res.statusCode).toBe(404);
  });

  it('an unknown case is a 404 problem', async () => {
    const res = await post('/review/cases/BJ-2026-999999/signatures', tokens.reviewer, { role: 'handler', draft: { outcome: 'approve' } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ status: 404, type: 'urn:govsvc:problem:not-found' });
    expect(await h.store.streamRevision(reviewStream('BJ-2026-999999'))).toBeNull();
  });

  it('no token is 401; a role the route does not allow is 403', async () => {
    expect((await h.app.inject({ method: 'GET', url: `/review/cases/${CASE}` })).statusCode).toBe(401);
    expect((await post(`/review/cases/${CASE}/signatures`, tokens.applicant, { role: 'handler', draft: { outcome: 'approve' } })).statusCode).toBe(403);
  });

  it('a reviewer token without a department: its worklist is 403 naming the missing department claim, not the roles (reliability finding 6); nothing is stored', async () => {
    const before = await revisionOf();
    const noDepartment = await h.token(['reviewer'], { subject: 'staff-h9' });
    // A case is hidden from staff of no department (404, like any case of another department) …
    expect((await post(`/review/cases/${CASE}/signatures`, noDepartment, { role: 'handler', draft: { outcome: 'approve' } })).statusCode).toBe(404);
    // … and the department's worklist says what is missing.
    const res = await h.app.inject({ method: 'GET', url: '/review/tasks', headers: json(noDepartment) });
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).not.toMatch(/needs one of the roles/);
    expect(res.json().errors).toEqual([expect.objectContaining({ in: 'token', path: '/department' })]);
    expect(await revisionOf()).toBe(before);
  });
});

describe('R-REV-5 over HTTP: two signatures decide, a third is refused', () => {
  it('R-REV-5: handler then chief representative; the approval issues a verifiable licence; a third signature is 409 with nothing stored', async () => {
    const first = await post(`/review/cases/${CASE}/signatures`, tokens.reviewer, { role: 'handler', draft: { outcome: 'approve' } });
    expect(first.statusCode).toBe(201);
    expect(first.json().signatures).toHaveLength(1);

    const second = await post(`/review/cases/${CASE}/signatures`, tokens.chief, { role: 'chief-representative' });
    expect(second.statusCode).toBe(201);
    const decided = second.json();
    expect(decided.status).toBe('decided');
    expect(decided.decision).toMatchObject({ outcome: 'approve', withinPromisedLimit: true, licenceForms: ['paper'], seal: { algorithm: 'Ed25519' } });

    const before = await revisionOf();
    const third = await post(`/review/cases/${CASE}/signatures`, await h.token(['chief'], { subject: 'staff-c2', department: 'market-regulation' }), { role: 'chief-representative' });
    expect(third.statusCode).toBe(409);
    expect(third.json()).toMatchObject({ rule: 'R-REV-5' });
    expect(await revisionOf()).toBe(before);

    const licence = await h.app.inject({ method: 'GET', url: `/review/licences/LIC-${CASE}`, headers: json(tokens.applicant) });
    expect(licence.statusCode).toBe(200);
    expect(licence.json()).toMatchObject({ forms: ['paper'], validUntil: null, holder: { maskedId: '110105********002X' } });
  });

  it('the handler role needs a reviewer token: a chief cannot sign as 经办人', async () => {
    const res = await post(`/review/cases/${CASE}/signatures`, tokens.chief, { role: 'handler', draft: { outcome: 'approve' } });
    expect(res.statusCode).toBe(403);
  });

  it('R-REV-2: a refusal without reasons is 400 naming the rule; nothing is stored', async () => {
    const before = await revisionOf();
    const res = await post(`/review/cases/${CASE}/signatures`, tokens.reviewer, {
      role: 'handler',
      draft: { outcome: 'refuse', reasons: [], contact: { department: 'market-regulation', phone: '12345', address: null } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ path: '/draft/reasons', rule: 'R-REV-2' })]);
    expect(await revisionOf()).toBe(before);
  });

  it('R-REV-2: a refusal with reasons and contact is sealed and decided', async () => {
    const draft = { outcome: 'refuse', reasons: [{ text: '经营场所不符合要求', legalBasis: '《食品经营许可管理办法》第十一条' }], contact: { department: 'market-regulation', phone: '010-12345', address: null } };
    await post(`/review/cases/${CASE}/signatures`, tokens.reviewer, { role: 'handler', draft });
    const res = await post(`/review/cases/${CASE}/signatures`, tokens.chief, { role: 'chief-representative' });
    expect(res.json().decision).toMatchObject({ outcome: 'refuse', reasons: draft.reasons, contact: draft.contact });
    const licence = await h.app.inject({ method: 'GET', url: `/review/licences/LIC-${CASE}`, headers: json(tokens.applicant) });
    expect(licence.statusCode).toBe(404);
    // The applicant can check the refusal's seal against the decision as stored.
    const verified = await h.app.inject({ method: 'GET', url: `/review/cases/${CASE}/decision/verify`, headers: json(tokens.applicant) });
    expect(verified.json()).toMatchObject({ caseId: CASE, outcome: 'refuse', signatureValid: true });
    const stranger = await h.app.inject({ method: 'GET', url: `/review/cases/${CASE}/decision/verify`, headers: json(tokens.otherApplicant) });
    expect(stranger.statusCode).toBe(404);
  });

  it('an unknown body field is 400 (strict schemas)', async () => {
    const res = await post(`/review/cases/${CASE}/signatures`, tokens.reviewer, { role: 'handler', draft: { outcome: 'approve' }, thirdSigner: 'x' });
    expect(res.statusCode).toBe(400);
  });
});

describe('concurrency and retries', () => {
  it('two commands based on the same revision: one wins, the other gets 412 and nothing of it is stored', async () => {
    // Story: handler and a colleague both loaded the case at revision 2 and both sign as handler.
    const colleague = await h.token(['reviewer'], { subject: 'staff-h2', department: 'market-regulation' });
    const [a, b] = await Promise.all([
      post(`/review/cases/${CASE}/signatures`, tokens.reviewer, { role: 'handler', draft: { outcome: 'approve' } }, { 'if-match': '"2"' }),
      post(`/review/cases/${CASE}/signatures`, colleague, { role: 'handler', draft: { outcome: 'approve' } }, { 'if-match': '"2"' }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 412]);
    expect(await revisionOf()).toBe('3');
  });

  it('a retried POST with the same Idempotency-Key has one effect and the same answer', async () => {
    const headers = { 'idempotency-key': 'sign-handler-0001', 'if-match': '"2"' };
    const first = await post(`/review/cases/${CASE}/signatures`, tokens.reviewer, { role: 'handler', draft: { outcome: 'approve' } }, headers);
    const again = await post(`/review/cases/${CASE}/signatures`, tokens.reviewer, { role: 'handler', draft: { outcome: 'approve' } }, headers);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json().signatures).toEqual(first.json().signatures);
    expect(await revisionOf()).toBe('3');
  });
});

describe('reads per request', () => {
  /** The same store, with every read of the case's stream (or of the streams `counts` picks) counted (a new object: its own fold cache, as another instance has). */
  function countingView(store: Harness['store'], counts: (stream: string) => boolean = (stream) => stream === reviewStream(CASE)) {
    const reads = { count: 0 };
    const view = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'readStream') {
          return (stream: string, options?: Parameters<Harness['store']['readStream']>[1]) => {
            if (counts(stream)) reads.count += 1;
            return target.readStream(stream, options);
          };
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    return { view, reads };
  }

  it('a signature checks access, decides and answers on one read of the case, not five', async () => {
    const { view, reads } = countingView(h.store);
    const counted = await reviewHarness(view);
    try {
      const token = await counted.token(['reviewer'], { subject: 'staff-h1', department: 'market-regulation' });
      const res = await counted.app.inject({
        method: 'POST',
        url: `/review/cases/${CASE}/signatures`,
        headers: json(token, { 'idempotency-key': 'sign-handler-0002', 'if-match': '"2"' }),
        payload: JSON.stringify({ role: 'handler', draft: { outcome: 'approve' } }),
      });
      expect(res.statusCode).toBe(201);
      expect(res.headers.etag).toBe('"3"');
      expect(res.json().signatures).toHaveLength(1);
      expect(reads.count).toBe(1);
    } finally {
      await counted.close();
    }
  });

  it("R-REV-3: an approval's licence is issued without a read of its absent stream, and the issuer catching up on it in this process reads nothing", async () => {
    const { view: counting, reads: all } = countingView(h.store, () => true);
    const { view: licenceCounting, reads: licenceReads } = countingView(counting, (stream) => stream.startsWith('licence-'));
    const counted = await reviewHarness(licenceCounting);
    try {
      const reviewer = await counted.token(['reviewer'], { subject: 'staff-h1', department: 'market-regulation' });
      const chief = await counted.token(['chief'], { subject: 'staff-c1', department: 'market-regulation' });
      const sign = (token: string, body: unknown) => counted.app.inject({ method: 'POST', url: `/review/cases/${CASE}/signatures`, headers: json(token), payload: JSON.stringify(body) });
      expect((await sign(reviewer, { role: 'handler', draft: { outcome: 'approve' } })).statusCode).toBe(201);
      expect((await sign(chief, { role: 'chief-representative' })).statusCode).toBe(201);
      const licenceStream = `licence-LIC-${CASE}`;
      expect(await h.store.streamRevision(licenceStream)).toBe(0n);
      // The approval's licence was issued without a read of its (absent) stream first.
      expect(licenceReads.count).toBe(0);

      all.count = 0;
      const again = await counted.module.service.ensureLicence(CASE, { actor: { id: 'review-licence-issuer', role: 'system' }, correlationId: 'catch-up' });
      expect(again.repeated).toBe(true);
      expect(all.count).toBe(0);
      expect(await h.store.streamRevision(licenceStream)).toBe(0n);

      // Another process, which does not hold the licence, reads and still finds it issued: nothing is written twice.
      const other = await reviewHarness(h.store);
      try {
        expect((await other.module.service.ensureLicence(CASE, { actor: { id: 'review-licence-issuer', role: 'system' }, correlationId: 'catch-up-2' })).repeated).toBe(true);
      } finally {
        await other.close();
      }
      expect(await h.store.streamRevision(licenceStream)).toBe(0n);
    } finally {
      await counted.close();
    }
  });

  it("R-FLOW-1: noting a new case's submission reads nothing first; its redelivery is a repeat with nothing appended", async () => {
    const { view: counting, reads: all } = countingView(h.store, () => true);
    const counted = await reviewHarness(counting);
    try {
      const submission = {
        caseId: 'BJ-2026-000088',
        itemCode: ITEM,
        guideVersion: '3',
        applicant: { kind: 'person' as const, maskedId: '110105********002X', ref: '7d1c7a5e-2f4b-4c55-9f0e-6e1f1d2a3b4c' },
        collaboration: null,
        materials: [{ materialId: 'm1', name: '营业执照' }],
        submittedAt: '2026-03-02T01:00:00.000Z',
      };
      const ctx = { actor: { id: 'intake', role: 'integration' }, correlationId: 'corr-88', idempotencyKey: 'intake/msg-88' };
      const first = await counted.module.service.noteSubmission(submission, ctx);
      expect(first.repeated).toBe(false);
      expect(all.count).toBe(0);
      const head = await h.store.streamRevision(reviewStream('BJ-2026-000088'));
      expect(head).toBe(0n);

      // Redelivered to another instance (nothing kept there): the guess is refused and a fresh read answers it.
      const other = await reviewHarness(h.store);
      try {
        const again = await other.module.service.noteSubmission(submission, ctx);
        expect(again.repeated).toBe(true);
      } finally {
        await other.close();
      }
      expect(await h.store.streamRevision(reviewStream('BJ-2026-000088'))).toBe(head);
    } finally {
      await counted.close();
    }
  });

  it('R-REV-5: a request still sees what another instance stored before it arrived', async () => {
    const other = await reviewHarness(countingView(h.store).view);
    try {
      // This instance reads the case (its cache keeps revision 2); the other instance takes the handler's signature.
      expect((await h.app.inject({ method: 'GET', url: `/review/cases/${CASE}`, headers: json(tokens.reviewer) })).headers.etag).toBe('"2"');
      const signed = await other.app.inject({ method: 'POST', url: `/review/cases/${CASE}/signatures`, headers: json(await other.token(['reviewer'], { subject: 'staff-h1', department: 'market-regulation' })), payload: JSON.stringify({ role: 'handler', draft: { outcome: 'approve' } }) });
      expect(signed.statusCode).toBe(201);
      // The chief's signature here concludes the case: it was decided on the stream as stored, not on the kept revision 2.
      const second = await post(`/review/cases/${CASE}/signatures`, tokens.chief, { role: 'chief-representative' });
      expect(second.statusCode).toBe(201);
      expect(second.json()).toMatchObject({ status: 'decided', signatures: [expect.objectContaining({ role: 'handler' }), expect.objectContaining({ role: 'chief-representative' })] });
    } finally {
      await other.close();
    }
  });
});

describe('R-COLLAB-1 over HTTP', () => {
  const COLLAB = 'BJ-2026-000077';

  it('R-COLLAB-1: the lead decides only after the assisting department answered, here by its back-end', async () => {
    await openCase(h, COLLAB, { assisting: ['health'] });
    const asked = await post(`/review/cases/${COLLAB}/opinion-requests`, tokens.reviewer, { department: 'health', question: '卫生条件是否符合要求', dueInWorkingDays: 3 });
    expect(asked.statusCode).toBe(201);
    const request = asked.json().opinionRequests[0];
    expect(request).toMatchObject({ department: 'health', due: { date: '2026-03-12' }, answered: false });

    const early = await post(`/review/cases/${COLLAB}/signatures`, tokens.reviewer, { role: 'handler', draft: { outcome: 'approve' } });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ rule: 'R-COLLAB-1' });

    const wrongDept = await post(`/review/cases/${COLLAB}/opinions/${request.requestId}`, tokens.otherReviewer, { opinion: 'concur' });
    expect(wrongDept.statusCode).toBe(404);

    const answered = await post(`/review/cases/${COLLAB}/opinions/${request.requestId}`, tokens.healthBackend, { opinion: 'concur' });
    expect(answered.statusCode).toBe(201);

    const signed = await post(`/review/cases/${COLLAB}/signatures`, tokens.reviewer, { role: 'handler', draft: { outcome: 'approve' } });
    expect(signed.statusCode).toBe(201);
  });

  it('R-COLLAB-1: an assisting department may read the case but not sign it', async () => {
    await openCase(h, COLLAB, { assisting: ['health'] });
    expect((await h.app.inject({ method: 'GET', url: `/review/cases/${COLLAB}`, headers: json(tokens.health) })).statusCode).toBe(200);
    const res = await post(`/review/cases/${COLLAB}/signatures`, tokens.health, { role: 'handler', draft: { outcome: 'approve' } });
    expect(res.statusCode).toBe(409);
  });
});

describe('review tasks per department', () => {
  it('R-COLLAB-1: the lead sees its decision task waiting for opinions; the assisting department sees its opinion task until it answers', async () => {
    const COLLAB = 'BJ-2026-000078';
    await openCase(h, COLLAB, { assisting: ['health'] });
    const asked = await post(`/review/cases/${COLLAB}/opinion-requests`, tokens.reviewer, { department: 'health', question: '意见', dueInWorkingDays: 2 });
    const requestId = asked.json().opinionRequests[0].requestId;
    const lead = await h.app.inject({ method: 'GET', url: '/review/tasks', headers: json(tokens.chief) });
    expect(lead.json()).toEqual({
      department: 'market-regulation',
      tasks: [
        { kind: 'decide', caseId: CASE, itemName: ITEM, due: { date: '2026-03-16', provisional: false }, waitingForOpinions: [] },
        { kind: 'decide', caseId: COLLAB, itemName: ITEM, due: { date: '2026-03-16', provisional: false }, waitingForOpinions: ['health'] },
      ],
    });
    const health = await h.app.inject({ method: 'GET', url: '/review/tasks', headers: json(tokens.health) });
    expect(health.json().tasks).toEqual([{ kind: 'opinion', caseId: COLLAB, itemName: ITEM, requestId, due: { date: '2026-03-11', provisional: false }, leadDepartment: 'market-regulation' }]);
    await post(`/review/cases/${COLLAB}/opinions/${requestId}`, tokens.health, { opinion: 'concur' });
    expect((await h.app.inject({ method: 'GET', url: '/review/tasks', headers: json(tokens.health) })).json().tasks).toEqual([]);
    const supervisor = await h.token(['supervisor'], { subject: 'sup-1' });
    expect((await h.app.inject({ method: 'GET', url: '/review/tasks', headers: json(supervisor) })).statusCode).toBe(400);
    expect((await h.app.inject({ method: 'GET', url: '/review/tasks?department=health', headers: json(supervisor) })).json().tasks).toEqual([]);
  });
});

describe('R-ETHICS-1 and R-REV-3 over HTTP', () => {
  it('R-ETHICS-1: a site inspection is recorded; a contact type outside Art. 22 is refused', async () => {
    const ok = await post(`/review/cases/${CASE}/contacts`, tokens.reviewer, { touchpoint: 'site-inspection', occurredAt: '2026-03-06T02:00:00.000Z', summary: '现场勘查' });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().contacts).toBe(1);
    const refused = await post(`/review/cases/${CASE}/contacts`, tokens.reviewer, { touchpoint: 'dinner', occurredAt: '2026-03-06T12:00:00.000Z', summary: '晚餐' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ rule: 'R-ETHICS-1' });
  });

  it('R-REV-3: with an e-licence available the applicant asks for both forms; the e-licence verifies and a tampered copy does not', async () => {
    const profile = await h.app.inject({
      method: 'PUT',
      url: `/review/items/${ITEM}/profile`,
      headers: json(tokens.admin),
      payload: JSON.stringify({ collectiveDecision: { required: false, legalBasis: null }, licence: { electronicAvailable: true, paperAbolished: false, validityMonths: 60, renewalLeadDays: 30 } }),
    });
    expect(profile.statusCode).toBe(200);
    const CASE2 = 'BJ-2026-000100';
    await openCase(h, CASE2);
    const forms = await h.app.inject({ method: 'PUT', url: `/review/cases/${CASE2}/licence-forms`, headers: json(tokens.applicant), payload: JSON.stringify({ forms: ['electronic', 'paper'] }) });
    expect(forms.statusCode).toBe(200);
    await post(`/review/cases/${CASE2}/signatures`, tokens.reviewer, { role: 'handler', draft: { outcome: 'approve' } });
    await post(`/review/cases/${CASE2}/signatures`, tokens.chief, { role: 'chief-representative' });

    const verify = await h.app.inject({ method: 'GET', url: `/review/licences/LIC-${CASE2}/verify` });
    expect(verify.statusCode).toBe(200);
    expect(verify.json()).toMatchObject({ electronic: true, signatureValid: true, inForce: true, validFrom: '2026-03-09', validUntil: '2031-03-08' });

    // The published document and signature verify offline with the seal's public key; any change breaks it.
    const body = verify.json();
    expect(body.document.holder).toEqual({ kind: 'person', maskedId: '110105********002X' });
    expect(JSON.stringify(body)).not.toContain(APPLICANT_REF);
    expect(await h.seal.verify(body.document, body.signature)).toBe(true);
    expect(await h.seal.verify({ ...body.document, validUntil: '2099-12-31' }, body.signature)).toBe(false);
  });
});

describe('R-REV-4 over HTTP: renewal deemed granted at expiry', () => {
  it('R-REV-4: not before expiry; at expiry the renewal is deemed granted and the licence extended; a second firing changes nothing', async () => {
    await h.app.inject({
      method: 'PUT',
      url: `/review/items/${ITEM}/profile`,
      headers: json(tokens.admin),
      payload: JSON.stringify({ collectiveDecision: { required: false, legalBasis: null }, licence: { electronicAvailable: true, paperAbolished: false, validityMonths: 12, renewalLeadDays: 30 } }),
    });
    const CASE3 = 'BJ-2026-000200';
    await openCase(h, CASE3);
    await post(`/review/cases/${CASE3}/signatures`, tokens.reviewer, { role: 'handler', draft: { outcome: 'approve' } });
    await post(`/review/cases/${CASE3}/signatures`, tokens.chief, { role: 'chief-representative' });
    const licenceUrl = `/review/licences/LIC-${CASE3}`;
    expect((await h.app.inject({ method: 'GET', url: licenceUrl, headers: json(tokens.applicant) })).json()).toMatchObject({ validUntil: '2027-03-08' });

    h.clock.set('2027-01-15T02:00:00.000Z');
    const applied = await post(`${licenceUrl}/renewals`, tokens.applicant, {});
    expect(applied.statusCode).toBe(201);

    h.clock.set('2027-03-08T15:00:00.000Z'); // 23:00 on the last valid day in Beijing
    const early = await post(`${licenceUrl}/renewals/deem`, tokens.operator, {});
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ rule: 'R-REV-4' });

    h.clock.set('2027-03-08T16:00:00.000Z'); // midnight: expired without a decision
    const deemed = await post(`${licenceUrl}/renewals/deem`, tokens.operator, {});
    expect(deemed.statusCode).toBe(200);
    expect(deemed.json()).toMatchObject({ deemed: true, licence: { validUntil: '2028-03-08', renewals: [{ outcome: 'deemed-granted' }] } });

    const again = await post(`${licenceUrl}/renewals/deem`, tokens.operator, {});
    expect(again.json()).toMatchObject({ deemed: false, licence: { validUntil: '2028-03-08' } });

    const verify = await h.app.inject({ method: 'GET', url: `${licenceUrl}/verify` });
    expect(verify.json()).toMatchObject({ signatureValid: true, validUntil: '2028-03-08', document: { validUntil: '2028-03-08' } });
  });
});

describe('the time limit over HTTP (Licensing Law Art. 42, 45)', () => {
  it('R-REV-1: a chief records the head’s extension with its reason; the deadline moves on the working-day calendar; a second is refused', async () => {
    const body = { authority: 'agency-head', extensionWorkingDays: 10, reason: { text: '需现场核查多个经营场所' }, approvedBy: { staffId: 'head-1' }, applicantToldAt: '2026-03-09T03:00:00.000Z' };
    const res = await post(`/review/cases/${CASE}/extensions`, tokens.chief, body);
    expect(res.statusCode).toBe(201);
    // 2026-03-16 + 10 working days: 17–20, 23–27, 30 March.
    expect(res.json()).toMatchObject({ extended: true, decisionDue: { date: '2026-03-30' }, statutoryDue: { date: '2026-04-14' } });
    const again = await post(`/review/cases/${CASE}/extensions`, tokens.chief, body);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ rule: 'R-REV-1' });
    // Only a chief records the head's approval.
    const byReviewer = await post(`/review/cases/${CASE}/extensions`, tokens.reviewer, body);
    expect(byReviewer.statusCode).toBe(403);
  });

  it('R-REV-1: an expert review stops the clock with the written notice; resuming adds the suspended working days back', async () => {
    const suspended = await post(`/review/cases/${CASE}/suspensions`, tokens.reviewer, {
      reason: 'expert-review',
      from: '2026-03-10',
      noticeId: 'NOTICE-7',
      expectedWorkingDays: 3,
      applicantToldAt: '2026-03-09T08:00:00.000Z',
    });
    expect(suspended.statusCode).toBe(201);
    expect(suspended.json().suspensions).toEqual([{ suspensionId: expect.any(String), reason: 'expert-review', from: '2026-03-10', to: null, note: null }]);
    const resumed = await post(`/review/cases/${CASE}/suspensions/resume`, tokens.reviewer, { to: '2026-03-12' });
    expect(resumed.statusCode).toBe(200);
    // 10, 11, 12 March were working days taken out: 2026-03-16 + 3 working days.
    expect(resumed.json()).toMatchObject({ decisionDue: { date: '2026-03-19' } });
  });
});

describe('R-REV-4 over HTTP: a renewal decided in time', () => {
  it('R-REV-4: the chief grants the renewal before expiry; the later trigger changes nothing', async () => {
    await h.app.inject({
      method: 'PUT',
      url: `/review/items/${ITEM}/profile`,
      headers: json(tokens.admin),
      payload: JSON.stringify({ collectiveDecision: { required: false, legalBasis: null }, licence: { electronicAvailable: false, paperAbolished: false, validityMonths: 12, renewalLeadDays: 30 } }),
    });
    const CASE4 = 'BJ-2026-000400';
    await openCase(h, CASE4);
    await post(`/review/cases/${CASE4}/signatures`, tokens.reviewer, { role: 'handler', draft: { outcome: 'approve' } });
    await post(`/review/cases/${CASE4}/signatures`, tokens.chief, { role: 'chief-representative' });
    const url = `/review/licences/LIC-${CASE4}`;
    h.clock.set('2027-01-15T02:00:00.000Z');
    const applied = await post(`${url}/renewals`, tokens.applicant, {});
    const renewalId = applied.json().renewals[0].renewalId as string;
    const other = await post(`${url}/renewals`, tokens.otherApplicant, {});
    expect(other.statusCode).toBe(404);

    const granted = await post(`${url}/renewals/${renewalId}/decision`, tokens.chief, { outcome: 'grant' });
    expect(granted.statusCode).toBe(200);
    expect(granted.json()).toMatchObject({ validUntil: '2028-03-08', renewals: [{ renewalId, outcome: 'granted' }] });

    h.clock.set('2027-03-09T01:00:00.000Z');
    const fired = await post(`${url}/renewals/deem`, tokens.operator, {});
    expect(fired.json()).toMatchObject({ deemed: false, licence: { validUntil: '2028-03-08' } });
  });
});

describe('Prefer: wait (RFC 7240) on reading a case or a licence not there yet', () => {
  const NEW = 'BJ-2026-000077';
  const get = (url: string, token: string, prefer?: string) => h.app.inject({ method: 'GET', url, headers: json(token, prefer === undefined ? {} : { prefer }) });
  /** A reviewer's read of the new case held up to 10 s, the case opened by `opener` 50 ms into it: the answer, and when the opening ended. */
  async function heldReadOpenedBy(opener: Harness) {
    const waiting = get(`/review/cases/${NEW}`, tokens.reviewer, 'wait=10');
    await new Promise((r) => setTimeout(r, 50));
    await openCase(opener, NEW);
    const opened = performance.now();
    return { res: await waiting, opened };
  }

  it('a case review opens while the read waits is answered as soon as it is opened, not at a poll', async () => {
    const started = performance.now();
    const { res, opened } = await heldReadOpenedBy(h);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ caseId: NEW, status: 'open' });
    expect(res.headers['preference-applied']).toBe('wait=10');
    // Woken by review's own append: well before the once-a-second re-read.
    expect(performance.now() - opened).toBeLessThan(500);
    expect(performance.now() - started).toBeLessThan(900);
  });

  it('a case another instance opens wakes the held read through the task board, long before the 5 s re-read', async () => {
    await h.module.start(); // the task board follows the store, whoever writes
    const other = await reviewHarness(h.store);
    try {
      const { res, opened } = await heldReadOpenedBy(other);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ caseId: NEW, status: 'open' });
      expect(performance.now() - opened).toBeLessThan(2_000);
    } finally {
      await other.close();
      await h.module.stop();
    }
  });

  it('without the preference an unknown case is 404 at once; with it, 404 once the wait is over', async () => {
    const now = await get(`/review/cases/${NEW}`, tokens.reviewer);
    expect(now.statusCode).toBe(404);
    expect(now.headers['preference-applied']).toBeUndefined();

    const started = performance.now();
    const later = await get(`/review/cases/${NEW}`, tokens.reviewer, 'wait=1');
    expect(later.statusCode).toBe(404);
    expect(later.headers['content-type']).toContain('application/problem+json');
    expect(later.headers['preference-applied']).toBe('wait=1');
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("another's case waits out the same time before its 404: the timing does not tell that it exists", async () => {
    const started = performance.now();
    const res = await get(`/review/cases/${CASE}`, tokens.otherApplicant, 'wait=1');
    expect(res.statusCode).toBe(404);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('a malformed preference is ignored: the read answers at once', async () => {
    const started = performance.now();
    const res = await get(`/review/cases/${NEW}`, tokens.reviewer, 'wait=soon');
    expect(res.statusCode).toBe(404);
    expect(res.headers['preference-applied']).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('R-REV-5: a licence waited for is answered when the second signature issues it', async () => {
    const waiting = get(`/review/licences/LIC-${CASE}`, tokens.applicant, 'wait=10');
    await new Promise((r) => setTimeout(r, 50));
    expect((await post(`/review/cases/${CASE}/signatures`, tokens.reviewer, { role: 'handler', draft: { outcome: 'approve' } })).statusCode).toBe(201);
    const signed = performance.now();
    expect((await post(`/review/cases/${CASE}/signatures`, tokens.chief, { role: 'chief-representative' })).statusCode).toBe(201);
    const res = await waiting;
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ licenceId: `LIC-${CASE}`, caseId: CASE });
    expect(performance.now() - signed).toBeLessThan(500);
  });

  it('closing the server answers the reads still waiting, so the drain does not wait for them', async () => {
    const waiting = get(`/review/cases/${NEW}`, tokens.reviewer, 'wait=20');
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    await h.app.close();
    const res = await waiting;
    expect(res.statusCode).toBe(404);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
