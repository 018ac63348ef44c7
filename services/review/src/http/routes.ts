/**
 * Review's HTTP API, mounted under `/review`. Access, beyond the route roles:
 * - applicants see and act on their own cases and licences only (their token
 *   subject is the opaque applicant ref intake assigned); anyone else's is 404;
 * - reviewers and chiefs act for the department in their token: the lead
 *   department decides, assisting departments answer their requests; a case
 *   their department has no part in is 404, not 403, so ids cannot be probed;
 * - department back-ends (`integration`) answer opinion requests of their department.
 * POSTs honour `Idempotency-Key`; writes on a case honour `If-Match` (412 on a stale revision).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '@govsvc/errors/errors';
import type { App } from '@govsvc/service-kit/app';
import { auditDeniedAccess } from '@govsvc/service-kit/audit';
import { ForbiddenError, MissingClaimError } from '@govsvc/service-kit/auth-errors';
import { allow, principalOf, publicRoute } from '@govsvc/service-kit/auth';
import { awaitFound, preferredWaitMs } from '@govsvc/service-kit/prefer-wait';
import type { Principal, Role } from '@govsvc/service-kit/principal';
import type { OpenCase } from '../domain/review-state.ts';
import { REVIEW_TOUCHPOINTS, type StaffRef } from '../domain/values.ts';
import { reviewStream } from '../domain/review-decider.ts';
import { licenceStream } from '../domain/licence.ts';
import type { CommandContext, Outcome, ReviewService } from '../app/review-service.ts';
import type { TaskBoard } from '../app/task-board.ts';

const Id = z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/);
const CaseParams = z.strictObject({ caseId: Id });
// Documented only (any value passes; a malformed preference is ignored, RFC 7240 §2). Loose: the validated
// headers replace request.headers, and the others must stay.
const PreferHeaders = z.looseObject({
  prefer: z.string().optional().describe('`wait=<seconds>` (RFC 7240): a case or licence not there yet is waited for, up to 20 s, before the 404'),
});
const LicenceParams = z.strictObject({ licenceId: Id });
/** How often a held read looks again without being woken (writes it is not told of). */
const HELD_READ_RECHECK_MS = 5_000;
const Reason = z.strictObject({ code: z.string().min(1).max(60).optional(), text: z.string().min(1).max(2000), legalBasis: z.string().min(1).max(500).optional() });
const Contact = z.strictObject({ department: z.string().min(1).max(100), phone: z.string().regex(/^[0-9+()\- ]{3,30}$/), address: z.string().min(1).max(300).nullable() });
// Reasons may be empty here on purpose: the decider refuses a refusal without reasons with the rule that says so (R-REV-2).
const Draft = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('approve') }),
  z.strictObject({ outcome: z.literal('refuse'), reasons: z.array(Reason).max(50), contact: Contact }),
]);
const SignBody = z.strictObject({
  role: z.enum(['handler', 'chief-representative']),
  draft: Draft.optional(),
  collectiveMinutesId: Id.optional(),
});
const OpinionRequestBody = z.strictObject({
  department: z.string().min(1).max(100),
  question: z.string().min(1).max(2000),
  dueInWorkingDays: z.int().min(1).max(60),
});
const OpinionBody = z.strictObject({
  opinion: z.enum(['concur', 'concur-with-conditions', 'object']),
  reasons: z.array(Reason).max(50).default([]),
});
const OpinionParams = z.strictObject({ caseId: Id, requestId: Id });
const ExtensionBody = z.strictObject({
  authority: z.enum(['agency-head', 'government-head']),
  extensionWorkingDays: z.int().min(1).max(30),
  reason: Reason.nullable(),
  approvedBy: z.strictObject({ staffId: Id }),
  applicantToldAt: z.iso.datetime({ offset: true }),
});
const SuspensionBody = z.strictObject({
  reason: z.enum(['hearing', 'tender', 'auction', 'inspection', 'testing', 'quarantine', 'appraisal', 'expert-review']),
  from: z.iso.date(),
  note: z.string().max(200).nullable().default(null),
  noticeId: Id,
  expectedWorkingDays: z.int().min(1).max(365),
  applicantToldAt: z.iso.datetime({ offset: true }).nullable(),
});
const ResumeBody = z.strictObject({ to: z.iso.date() });
const FormsBody = z.strictObject({ forms: z.array(z.enum(['electronic', 'paper'])).min(1).max(2) });
// Any text: a touchpoint outside Art. 22's list is refused by the rule (409 R-ETHICS-1), not as malformed.
const ContactBody = z.strictObject({ touchpoint: z.string().min(1).max(60), occurredAt: z.iso.datetime({ offset: true }), summary: z.string().min(1).max(2000) });
const RenewalDecisionBody = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('grant') }),
  z.strictObject({ outcome: z.literal('refuse'), reasons: z.array(Reason).max(50) }),
]);
const RenewalParams = z.strictObject({ licenceId: Id, renewalId: Id });
const ProfileBody = z.strictObject({
  collectiveDecision: z.strictObject({ required: z.boolean(), legalBasis: z.string().min(1).max(500).nullable() }),
  licence: z.strictObject({
    electronicAvailable: z.boolean(),
    paperAbolished: z.boolean(),
    validityMonths: z.int().min(1).max(1200).nullable(),
    renewalLeadDays: z.int().min(0).max(365),
    renewalLeadUnit: z.enum(['calendar-days', 'working-days']).default('calendar-days'),
  }),
});
const ItemParams = z.strictObject({ itemCode: Id });

const IDEMPOTENCY_KEY = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;
const staffRoles: readonly Role[] = ['reviewer', 'chief'];
const overseers: readonly Role[] = ['supervisor', 'admin'];

const has = (p: Principal, roles: readonly Role[]) => p.roles.some((r) => roles.includes(r));

function staffOf(p: Principal): StaffRef {
  // The role is allowed (the route checked it); what is missing is the department the staff member acts for.
  if (!p.department) throw new MissingClaimError('department', 'department staff act for a department, and this token names none');
  return { staffId: p.subject, department: p.department };
}

/**
 * When each request arrived (`performance.now()`): the reads of one request share what it already
 * read or wrote, so a command that checks access, decides and answers reads its case once, while a
 * request still sees everything committed before it arrived (`StreamFoldCache.load`'s `freshSince`).
 */
const arrivals = new WeakMap<FastifyRequest, number>();
const arrivalOf = (request: FastifyRequest): number => arrivals.get(request) ?? performance.now();

function contextOf(request: FastifyRequest): CommandContext {
  const p = principalOf(request);
  const key = request.headers['idempotency-key'];
  if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
    throw new ValidationError('Idempotency-Key is 8–128 of A-Z a-z 0-9 . _ : -', [{ path: '/headers/idempotency-key', reason: 'malformed' }]);
  }
  const ifMatch = request.headers['if-match'];
  let expectedRevision: bigint | undefined;
  if (typeof ifMatch === 'string') {
    const m = /^(?:W\/)?"(\d{1,19})"$/.exec(ifMatch.trim());
    if (!m?.[1]) throw new ValidationError('If-Match is the ETag of the case ("<revision>")', [{ path: '/headers/if-match', reason: 'malformed' }]);
    expectedRevision = BigInt(m[1]);
  }
  return {
    actor: { id: p.subject, role: p.roles[0] ?? 'unknown', ...(p.department !== undefined && { department: p.department }) },
    correlationId: request.correlationId,
    ...(typeof key === 'string' && { idempotencyKey: key }),
    ...(expectedRevision !== undefined && { expectedRevision }),
    freshSince: arrivalOf(request),
  };
}

/** May this caller see the case at all? Otherwise it does not exist for them (404). */
function canSee(p: Principal, c: OpenCase): boolean {
  if (has(p, overseers)) return true;
  if (p.roles.includes('applicant') && c.applicant.ref === p.subject) return true;
  if (has(p, [...staffRoles, 'integration']) && p.department !== undefined) {
    return p.department === c.leadDepartment || c.assistingDepartments.includes(p.department);
  }
  return false;
}

/** May this caller see the licence? Its holder, the issuing department's staff and back-end, and overseers. */
function licenceVisibleTo(p: Principal, state: Awaited<ReturnType<ReviewService['getLicence']>>['state']): boolean {
  const l = state.licence;
  return has(p, overseers) || (p.roles.includes('applicant') && l.holder.ref === p.subject) || (has(p, [...staffRoles, 'operator', 'integration']) && p.department === l.department);
}

export function caseView(c: OpenCase, revision: bigint) {
  return {
    caseId: c.caseId,
    status: c.status,
    revision: revision.toString(),
    item: { itemCode: c.item.itemCode, itemName: c.item.itemName, guideVersion: c.item.guideVersion, resultName: c.item.resultName, collectiveDecision: c.item.collectiveDecision.required },
    applicant: { kind: c.applicant.kind, maskedId: c.applicant.maskedId },
    leadDepartment: c.leadDepartment,
    tasks: [{ department: c.leadDepartment, task: 'decide' }, ...c.assistingDepartments.map((department) => ({ department, task: 'opinion' }))],
    decisionDue: c.decisionDue,
    statutoryDue: c.statutoryDue,
    extended: c.extended,
    suspensions: c.suspensions,
    opinionRequests: c.opinionRequests.map((r) => ({ requestId: r.requestId, department: r.department, due: r.due, answered: r.answer !== null, opinion: r.answer?.opinion ?? null })),
    signatures: c.signatures,
    collectiveMinutesId: c.collectiveMinutesId,
    requestedLicenceForms: c.requestedForms,
    // R-ACC-2: after a lapse of tolerated deficiencies only a refusal with reasons may follow.
    refusalRequired: c.lapse ? { cause: c.lapse.cause, materials: c.lapse.materials, deadline: c.lapse.deadline } : null,
    decision: c.decision,
    contacts: c.contacts.length,
  };
}

export interface ReviewRoutesOptions {
  readonly service: ReviewService;
  readonly tasks: TaskBoard;
}

const TasksQuery = z.strictObject({ department: z.string().min(1).max(100).optional() });

export async function reviewRoutes(app: App, { service, tasks }: ReviewRoutesOptions): Promise<void> {
  app.addHook('onRequest', (request, _reply, done) => {
    arrivals.set(request, performance.now());
    done();
  });
  // Requests held by `Prefer: wait` answer as the server begins to close, so the drain does not wait for them.
  app.addHook('preClose', (done) => {
    service.changes.close();
    done();
  });
  // Review tasks per department: staff see their own department's; supervisors name one.
  app.get('/tasks', { config: allow('reviewer', 'chief', 'supervisor', 'admin'), schema: { querystring: TasksQuery } }, async (request) => {
    const p = principalOf(request);
    const department = has(p, staffRoles) ? staffOf(p).department : request.query.department;
    if (!department) throw new ValidationError('name the department whose tasks to list', [{ path: '/querystring/department', reason: 'required for supervisors' }]);
    return { department, tasks: await tasks.tasksOf(department) };
  });

  async function respond(reply: FastifyReply, caseId: string, outcome: Outcome<unknown, unknown>, created = false) {
    const { state, revision } = await service.getCase(caseId, arrivalOf(reply.request));
    reply.header('etag', `"${revision}"`);
    return reply.code(created && !outcome.repeated ? 201 : 200).send(caseView(state, revision));
  }

  /** Something a caller may see or not: a case, a licence. */
  interface Resource<T> {
    readonly type: 'case' | 'licence';
    readonly id: string;
    readonly stream: string;
    readonly notFound: string;
    read(freshSince: number): Promise<T>;
    visibleTo(p: Principal, found: T): boolean;
  }
  const caseResource = (caseId: string): Resource<Awaited<ReturnType<ReviewService['getCase']>>> => ({
    type: 'case',
    id: caseId,
    stream: reviewStream(caseId),
    notFound: `no review case ${caseId}`,
    read: (freshSince) => service.getCase(caseId, freshSince),
    visibleTo: (p, found) => canSee(p, found.state),
  });
  const licenceResource = (licenceId: string): Resource<Awaited<ReturnType<ReviewService['getLicence']>>> => ({
    type: 'licence',
    id: licenceId,
    stream: licenceStream(licenceId),
    notFound: `no licence ${licenceId}`,
    read: (freshSince) => service.getLicence(licenceId, freshSince),
    visibleTo: (p, found) => licenceVisibleTo(p, found.state),
  });

  /**
   * Loads what the caller may see, or 404: one that exists but is not the caller's is answered as
   * unknown, and the attempt kept on record (once).
   *
   * Given the reply (the GET routes), `Prefer: wait=<s>` is honoured: a read that would be 404 waits for
   * its stream to be written (by this process or, for a case, any instance: at once; otherwise on a
   * re-read every 5 s), up to the preferred time. One that exists but is not the caller's waits out the
   * same time before its 404, so the timing tells a prober nothing.
   */
  async function visible<T>(request: FastifyRequest, resource: Resource<T>, reply?: FastifyReply): Promise<T> {
    const principal = principalOf(request);
    const waitMs = reply === undefined ? null : preferredWaitMs(request.headers.prefer);
    let denied = false;
    const readVisible = async (freshSince: number) => {
      const found = await resource.read(freshSince);
      if (resource.visibleTo(principal, found)) return found;
      denied = true;
      throw new NotFoundError(resource.notFound);
    };
    try {
      if (waitMs === null || reply === undefined) return await readVisible(arrivalOf(request));
      reply.header('preference-applied', `wait=${waitMs / 1000}`);
      // Each read after the first looks at the store again: a wait is for what was written since. Waking
      // comes from this instance's appends and, for a case, from the task board, which sees every
      // instance's openings; the re-read every few seconds covers a licence another instance issued.
      return await awaitFound(() => readVisible(performance.now()), { key: resource.stream, waitMs, signals: service.changes, signal: request.signal, recheckMs: HELD_READ_RECHECK_MS });
    } finally {
      if (denied) auditDeniedAccess(request, { type: resource.type, id: resource.id });
    }
  }
  const visibleCase = (request: FastifyRequest, caseId: string) => visible(request, caseResource(caseId));
  const visibleLicence = (request: FastifyRequest, licenceId: string) => visible(request, licenceResource(licenceId));

  app.get('/cases/:caseId', { config: allow('applicant', 'reviewer', 'chief', 'integration', 'supervisor', 'admin'), schema: { params: CaseParams, headers: PreferHeaders } }, async (request, reply) => {
    const { state, revision } = await visible(request, caseResource(request.params.caseId), reply);
    reply.header('etag', `"${revision}"`);
    return caseView(state, revision);
  });

  // The decision's seal, checked against the decision as stored (R-REV-2, Art. 34).
  app.get('/cases/:caseId/decision/verify', { config: allow('applicant', 'reviewer', 'chief', 'integration', 'supervisor', 'admin'), schema: { params: CaseParams } }, async (request) => {
    await visibleCase(request, request.params.caseId);
    return service.verifyDecision(request.params.caseId);
  });

  app.post('/cases/:caseId/opinion-requests', { config: allow('reviewer', 'chief'), schema: { params: CaseParams, body: OpinionRequestBody } }, async (request, reply) => {
    const { caseId } = request.params;
    await visibleCase(request, caseId);
    const outcome = await service.requestOpinion(caseId, request.body, staffOf(principalOf(request)), contextOf(request));
    return respond(reply, caseId, outcome, true);
  });

  app.post('/cases/:caseId/opinions/:requestId', { config: allow('reviewer', 'chief', 'integration'), schema: { params: OpinionParams, body: OpinionBody } }, async (request, reply) => {
    const { caseId, requestId } = request.params;
    await visibleCase(request, caseId);
    const outcome = await service.giveOpinion(caseId, { requestId, ...request.body, signedBy: staffOf(principalOf(request)), channel: 'http' }, contextOf(request));
    return respond(reply, caseId, outcome, true);
  });

  app.post('/cases/:caseId/signatures', { config: allow('reviewer', 'chief'), schema: { params: CaseParams, body: SignBody } }, async (request, reply) => {
    const { caseId } = request.params;
    await visibleCase(request, caseId);
    const p = principalOf(request);
    // 经办人 are reviewers, 首席代表 are chiefs.
    const needed: Role = request.body.role === 'handler' ? 'reviewer' : 'chief';
    if (!p.roles.includes(needed)) throw new ForbiddenError([needed]);
    const outcome = await service.sign(caseId, request.body, staffOf(p), contextOf(request));
    return respond(reply, caseId, outcome, true);
  });

  app.post('/cases/:caseId/extensions', { config: allow('chief'), schema: { params: CaseParams, body: ExtensionBody } }, async (request, reply) => {
    const { caseId } = request.params;
    await visibleCase(request, caseId);
    const staff = staffOf(principalOf(request));
    const { approvedBy, ...rest } = request.body;
    const outcome = await service.extendTimeLimit(caseId, rest, { staffId: approvedBy.staffId, department: staff.department }, contextOf(request));
    return respond(reply, caseId, outcome, true);
  });

  app.post('/cases/:caseId/suspensions', { config: allow('reviewer', 'chief'), schema: { params: CaseParams, body: SuspensionBody } }, async (request, reply) => {
    const { caseId } = request.params;
    await visibleCase(request, caseId);
    const outcome = await service.suspendClock(caseId, request.body, staffOf(principalOf(request)), contextOf(request));
    return respond(reply, caseId, outcome, true);
  });

  app.post('/cases/:caseId/suspensions/resume', { config: allow('reviewer', 'chief'), schema: { params: CaseParams, body: ResumeBody } }, async (request, reply) => {
    const { caseId } = request.params;
    await visibleCase(request, caseId);
    const outcome = await service.resumeClock(caseId, request.body, staffOf(principalOf(request)), contextOf(request));
    return respond(reply, caseId, outcome);
  });

  app.put('/cases/:caseId/licence-forms', { config: allow('applicant'), schema: { params: CaseParams, body: FormsBody } }, async (request, reply) => {
    const { caseId } = request.params;
    await visibleCase(request, caseId);
    const outcome = await service.requestLicenceForms(caseId, request.body.forms, contextOf(request));
    return respond(reply, caseId, outcome);
  });

  app.post('/cases/:caseId/contacts', { config: allow('reviewer', 'chief'), schema: { params: CaseParams, body: ContactBody } }, async (request, reply) => {
    const { caseId } = request.params;
    await visibleCase(request, caseId);
    const outcome = await service.recordContact(caseId, request.body, staffOf(principalOf(request)), contextOf(request));
    return respond(reply, caseId, outcome, true);
  });

  // ---- licences ----

  const licenceView = (s: Awaited<ReturnType<ReviewService['getLicence']>>['state']) => ({
    licenceId: s.licence.licenceId,
    caseId: s.licence.caseId,
    itemName: s.licence.itemName,
    resultName: s.licence.resultName,
    holder: { kind: s.licence.holder.kind, maskedId: s.licence.holder.maskedId },
    forms: s.licence.forms,
    validFrom: s.licence.validFrom,
    validUntil: s.validUntil,
    renewals: s.renewals,
    verify: `/review/licences/${s.licence.licenceId}/verify`,
  });

  app.get('/licences/:licenceId', { config: allow('applicant', 'reviewer', 'chief', 'operator', 'integration', 'supervisor', 'admin'), schema: { params: LicenceParams, headers: PreferHeaders } }, async (request, reply) => {
    const { state } = await visible(request, licenceResource(request.params.licenceId), reply);
    return licenceView(state);
  });

  // Public: whoever holds an e-licence's identifier can check its seal and validity (R-PLAT-4).
  app.get('/licences/:licenceId/verify', { config: publicRoute, schema: { params: LicenceParams } }, async (request) => {
    const v = await service.verifyLicence(request.params.licenceId);
    return v;
  });

  app.post('/licences/:licenceId/renewals', { config: allow('applicant'), schema: { params: LicenceParams } }, async (request, reply) => {
    const { licenceId } = request.params;
    await visibleLicence(request, licenceId);
    const outcome = await service.applyForRenewal(licenceId, contextOf(request));
    const { state } = await service.getLicence(licenceId, arrivalOf(request));
    return reply.code(outcome.repeated ? 200 : 201).send(licenceView(state));
  });

  app.post('/licences/:licenceId/renewals/:renewalId/decision', { config: allow('chief'), schema: { params: RenewalParams, body: RenewalDecisionBody } }, async (request) => {
    const { licenceId, renewalId } = request.params;
    await visibleLicence(request, licenceId);
    await service.decideRenewal(licenceId, { renewalId, ...request.body }, staffOf(principalOf(request)), contextOf(request));
    return licenceView((await service.getLicence(licenceId, arrivalOf(request))).state);
  });

  // The trigger supervision fires at expiry (R-REV-4); operators may fire it by hand. Idempotent.
  app.post('/licences/:licenceId/renewals/deem', { config: allow('operator', 'integration', 'admin'), schema: { params: LicenceParams } }, async (request) => {
    const { licenceId } = request.params;
    const outcome = await service.deemRenewalGranted(licenceId, contextOf(request));
    return { deemed: outcome.events.length > 0 && !outcome.repeated, licence: licenceView((await service.getLicence(licenceId, arrivalOf(request))).state) };
  });

  // ---- items ----

  app.put('/items/:itemCode/profile', { config: allow('admin'), schema: { params: ItemParams, body: ProfileBody } }, async (request) => {
    const p = principalOf(request);
    await service.setReviewProfile(request.params.itemCode, request.body, { staffId: p.subject, department: p.department ?? 'administration' }, contextOf(request));
    return { itemCode: request.params.itemCode, profile: (await service.readItem(request.params.itemCode)).state.profile };
  });

  app.get('/touchpoints', { config: publicRoute }, async () => ({ touchpoints: REVIEW_TOUCHPOINTS }));
}
