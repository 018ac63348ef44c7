/**
 * Evaluation's HTTP API, mounted under `/evaluation`. Access beyond the route roles:
 * - applicants rate and appeal their own cases only (their token subject is the
 *   opaque applicant ref intake assigned); anyone else's case is 404, not 403,
 *   so case ids cannot be probed;
 * - department staff (clerk, reviewer, chief with a department in their token)
 *   handle the rectifications, complaints and consultations of their department;
 *   another department's are 404;
 * - supervisors decide appeals and reviews; supervisors and operators read statistics.
 * POSTs honour `Idempotency-Key`: a retry returns the original result and stores nothing new.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError, RuleViolation, ValidationError } from '@govsvc/errors/errors';
import type { App } from '@govsvc/service-kit/app';
import { auditDeniedAccess } from '@govsvc/service-kit/audit';
import { ForbiddenError, MissingClaimError } from '@govsvc/service-kit/auth-errors';
import { allow, principalOf, publicRoute } from '@govsvc/service-kit/auth';
import type { Principal, Role } from '@govsvc/service-kit/principal';
import { shanghaiDateOf } from '@govsvc/calendar/civil-date';
import { ratingStatisticsCsv } from '../domain/csv.ts';
import { ComplaintChannel } from '../domain/complaint/complaint.ts';
import { ConsultationChannel } from '../domain/consultation/consultation.ts';
import type { EvaluationState, RatingRecord } from '../domain/evaluation/state.ts';
import { complaintStatistics, consultationStatistics, GROUPINGS, phoneAnswerRates, ratingStatistics } from '../domain/statistics.ts';
import { IndicatorScores, LEVEL_LABELS, RatingChannel, RatingLevel, type Staff } from '../domain/values.ts';
import type { CommandContext, EvaluationService } from '../app/evaluation-service.ts';
import type { EvaluationProjection } from '../app/projection.ts';

const Id = z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/);
const Day = z.iso.date();
// Free texts may be blank here on purpose: the decider refuses empty content with the rule that asks for it (409 + R-ID).
const Text = z.string().max(2000);
const CaseParams = z.strictObject({ caseId: Id });
const RatingParams = z.strictObject({ caseId: Id, ratingId: Id });

const RatingBody = z.strictObject({
  /** Absent: the online matter, i.e. the case itself (一事一评). */
  occasion: z.strictObject({ kind: z.enum(['on-site', 'online']), occasionId: Id }).optional(),
  channel: RatingChannel,
  level: RatingLevel,
  indicators: IndicatorScores.default({}),
  comment: z.string().max(2000).nullable().default(null),
  named: z.boolean().default(true),
  /** Only from rating devices and systems (integration role): the applicant they rate for. */
  raterRef: z.string().min(1).max(100).optional(),
});
const DEVICE_CHANNELS: ReadonlySet<string> = new Set(['window-device', 'kiosk', 'phone', 'sms']);
const VerifyBody = z.strictObject({ finding: z.enum(['substantiated', 'unreasonable']), note: Text });
const CallbackBody = z.strictObject({ reached: z.boolean(), summary: Text });
const FeedbackBody = z.strictObject({ outcome: z.enum(['rectified', 'explained']), measures: Text, feedback: Text });
const AppealBody = z.strictObject({ reason: Text });
const AppealDecisionBody = z.strictObject({ outcome: z.enum(['dismissed', 'reopened']), reason: Text });
const ReviewBody = z.strictObject({ outcome: z.enum(['stands', 'mistaken', 'malicious']), reason: Text });
const InboxQuery = z.strictObject({
  status: z.enum(['open', 'verified', 'completed', 'reopened', 'closed-by-exclusion']).optional(),
  appeal: z.enum(['pending', 'dismissed', 'reopened']).optional(),
  reviewRequested: z.enum(['true', 'false']).optional(),
  department: z.string().min(1).max(100).optional(),
});
const ComplaintListQuery = z.strictObject({ answered: z.enum(['true', 'false']).optional(), department: z.string().min(1).max(100).optional() });

const ComplaintBody = z.strictObject({
  channel: ComplaintChannel,
  caseId: Id.nullable().default(null),
  department: z.string().min(1).max(100),
  summary: z.string().max(4000),
  /** The 12345 work order's own limit, when it brings one. */
  limitWorkingDays: z.int().min(1).max(60).nullable().default(null),
  serviceCentre: Id.nullable().default(null),
});
const ComplaintParams = z.strictObject({ complaintId: Id });
const ComplaintAnswerBody = z.strictObject({ answer: z.string().max(4000), handling: z.string().max(4000) });

const ConsultationBody = z.strictObject({
  channel: ConsultationChannel,
  questions: z.array(z.string().max(2000)).min(1).max(50),
  caseId: Id.nullable().default(null),
  promisedBy: Day.nullable().default(null),
  serviceCentre: Id.nullable().default(null),
});
const ConsultationParams = z.strictObject({ consultationId: Id });
const ConsultationAnswerBody = z.strictObject({ answers: z.array(z.string().max(4000)).min(1).max(50) });
const PhoneCallBody = z.strictObject({ callId: Id, serviceCentre: Id, receivedAt: z.iso.datetime({ offset: true }), answeredOnFirstAttempt: z.boolean() });

const StatisticsQuery = z
  .strictObject({
    groupBy: z.enum(GROUPINGS).default('department'),
    from: Day.optional(),
    to: Day.optional(),
    department: z.string().min(1).max(100).optional(),
    itemCode: z.string().min(1).max(80).optional(),
    centre: Id.optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: 'from is after to', path: ['from'] });
// No `day` grouping in public: a single day's figures for one department can point at one rater.
const PublicStatisticsQuery = z
  .strictObject({ groupBy: z.enum(['department', 'item', 'centre', 'month', 'all']).default('department'), from: Day.optional(), to: Day.optional() })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: 'from is after to', path: ['from'] });
const PublicFeedbackQuery = z.strictObject({ department: z.string().min(1).max(100).optional(), from: Day.optional(), to: Day.optional() });
const PeriodQuery = z.strictObject({ from: Day.optional(), to: Day.optional(), centre: Id.optional() });

const IDEMPOTENCY_KEY = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;
const staffRoles: readonly Role[] = ['clerk', 'reviewer', 'chief'];
const overseers: readonly Role[] = ['supervisor', 'admin'];
const readers: readonly Role[] = ['supervisor', 'operator', 'admin'];
const has = (p: Principal, roles: readonly Role[]) => p.roles.some((r) => roles.includes(r));

function staffOf(p: Principal): Staff {
  // The role is allowed (the route checked it); what is missing is the department the staff member acts for.
  if (!p.department) throw new MissingClaimError('department', 'department staff act for a department, and this token names none');
  return { staffId: p.subject, department: p.department };
}

function contextOf(request: FastifyRequest): CommandContext {
  const p = principalOf(request);
  const key = request.headers['idempotency-key'];
  if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
    throw new ValidationError('Idempotency-Key is 8–128 of A-Z a-z 0-9 . _ : -', [{ path: '/headers/idempotency-key', reason: 'malformed' }]);
  }
  return {
    actor: { id: p.subject, role: p.roles[0] ?? 'unknown', ...(p.department !== undefined && { department: p.department }) },
    correlationId: request.correlationId,
    ...(typeof key === 'string' && { idempotencyKey: key }),
  };
}

function ratingView(r: RatingRecord, forRater: boolean) {
  return {
    ratingId: r.ratingId,
    occasion: r.occasion,
    level: r.level,
    levelLabel: LEVEL_LABELS[r.level],
    channel: r.channel,
    indicators: r.indicators,
    comment: r.comment,
    named: r.named,
    submittedAt: r.submittedAt,
    bad: r.bad,
    review: r.review,
    reviewRequest: forRater ? null : r.reviewRequest,
    rectification: r.rectification && {
      status: r.rectification.status,
      department: r.rectification.department,
      dueDate: r.rectification.dueDate,
      dueAt: r.rectification.dueAt,
      finding: r.rectification.finding,
      // How many callbacks were made is the department's business; the rater sees the feedback.
      ...(forRater ? {} : { callbacks: r.rectification.callbacks }),
      feedback: r.rectification.feedback,
      appeal: r.rectification.appeal,
    },
  };
}

export interface EvaluationRoutesOptions {
  readonly service: EvaluationService;
  readonly projection: EvaluationProjection;
  readonly now: () => Date;
}

export async function evaluationRoutes(app: App, { service, projection, now }: EvaluationRoutesOptions): Promise<void> {
  /** The case as the caller may see it, or 404. */
  async function visibleCase(request: FastifyRequest, caseId: string): Promise<EvaluationState> {
    const p = principalOf(request);
    const state = await service.getCase(caseId).catch((error: unknown) => {
      if (error instanceof NotFoundError) throw new NotFoundError(`no case ${caseId}`);
      throw error;
    });
    const facts = state.facts!;
    const visible =
      has(p, overseers) ||
      (p.roles.includes('applicant') && facts.applicantRef === p.subject) ||
      (has(p, staffRoles) && p.department !== undefined && p.department === facts.department);
    if (!visible) {
      // The case exists but is not the caller's: answer as for an unknown case, and keep a record of the attempt.
      auditDeniedAccess(request, { type: 'case', id: caseId });
      throw new NotFoundError(`no case ${caseId}`);
    }
    return state;
  }

  /** A rating of the caller's department (staff), or 404. */
  async function departmentRating(request: FastifyRequest, caseId: string, ratingId: string): Promise<Staff> {
    const staff = staffOf(principalOf(request));
    const { state } = await service.readCase(caseId);
    const rating = state.ratings[ratingId];
    if (!rating || rating.rectification?.department !== staff.department) throw new NotFoundError(`no rating ${ratingId} of ${staff.department}`);
    return staff;
  }

  async function respondRating(reply: FastifyReply, caseId: string, ratingId: string, repeated: boolean, created: boolean, forRater: boolean) {
    const { state } = await service.readCase(caseId);
    const rating = state.ratings[ratingId];
    if (!rating) throw new NotFoundError(`no rating ${ratingId}`);
    return reply.code(created && !repeated ? 201 : 200).send({ caseId, ...ratingView(rating, forRater) });
  }

  // ---- ratings (R-EVAL-2) ----------------------------------------------------

  app.get('/cases/:caseId/ratings', { config: allow('applicant', 'clerk', 'reviewer', 'chief', 'supervisor', 'admin'), schema: { params: CaseParams } }, async (request) => {
    const state = await visibleCase(request, request.params.caseId);
    const forRater = !has(principalOf(request), [...staffRoles, ...overseers]);
    return {
      caseId: request.params.caseId,
      department: state.facts!.department,
      invitations: Object.values(state.invitations),
      ratings: Object.values(state.ratings).map((r) => ratingView(r, forRater)),
    };
  });

  /**
   * The applicant rates in their own session (web, app, QR code). Rating devices and systems that
   * stand between (the window's 评价器, kiosks, the 12345 phone and SMS rating) post as
   * `integration` and name the rater, who must be the case's applicant: otherwise the case is 404.
   */
  app.post('/cases/:caseId/ratings', { config: allow('applicant', 'integration'), schema: { params: CaseParams, body: RatingBody } }, async (request, reply) => {
    const { caseId } = request.params;
    const p = principalOf(request);
    const { occasion, raterRef, ...rest } = request.body;
    let rater: string;
    if (p.roles.includes('applicant')) {
      if (raterRef !== undefined && raterRef !== p.subject) throw new NotFoundError(`no case ${caseId}`);
      await visibleCase(request, caseId);
      rater = p.subject;
    } else {
      if (!DEVICE_CHANNELS.has(rest.channel)) {
        throw new RuleViolation('R-EVAL-2', `a ${rest.channel} rating is the applicant's own: only rating devices and the phone/SMS systems rate on their behalf`, {
          channel: rest.channel,
        });
      }
      if (raterRef === undefined) throw new ValidationError('a rating device names the rater', [{ path: '/raterRef', reason: 'required for integration callers' }]);
      const state = await service.getCase(caseId);
      if (state.facts!.applicantRef !== raterRef) throw new NotFoundError(`no case ${caseId}`);
      rater = raterRef;
    }
    const outcome = await service.submitRating(caseId, { ...rest, occasion: occasion ?? { kind: 'online', occasionId: caseId } }, rater, contextOf(request));
    const first = outcome.events[0];
    if (first?.type !== 'RatingSubmitted') throw new Error('a rating appends RatingSubmitted first');
    return respondRating(reply, caseId, first.data.ratingId, outcome.repeated, true, true);
  });

  // ---- rectification (R-EVAL-3) ----------------------------------------------

  app.get('/rectifications', { config: allow('clerk', 'reviewer', 'chief', 'supervisor', 'operator', 'admin'), schema: { querystring: InboxQuery } }, async (request) => {
    const p = principalOf(request);
    await projection.catchUp();
    const department = has(p, readers) ? request.query.department : staffOf(p).department;
    const { status, appeal, reviewRequested } = request.query;
    return {
      asOf: now().toISOString(),
      items: projection.inbox({
        ...(department !== undefined && { department }),
        ...(status !== undefined && { status }),
        ...(appeal !== undefined && { appeal }),
        ...(reviewRequested !== undefined && { reviewRequested: reviewRequested === 'true' }),
      }),
    };
  });

  app.post('/cases/:caseId/ratings/:ratingId/verification', { config: allow('clerk', 'reviewer', 'chief'), schema: { params: RatingParams, body: VerifyBody } }, async (request, reply) => {
    const { caseId, ratingId } = request.params;
    const staff = await departmentRating(request, caseId, ratingId);
    const outcome = await service.verify(caseId, ratingId, request.body, staff, contextOf(request));
    return respondRating(reply, caseId, ratingId, outcome.repeated, true, false);
  });

  app.post('/cases/:caseId/ratings/:ratingId/callbacks', { config: allow('clerk', 'reviewer', 'chief'), schema: { params: RatingParams, body: CallbackBody } }, async (request, reply) => {
    const { caseId, ratingId } = request.params;
    const staff = await departmentRating(request, caseId, ratingId);
    const outcome = await service.recordCallback(caseId, ratingId, request.body, staff, contextOf(request));
    return respondRating(reply, caseId, ratingId, outcome.repeated, true, false);
  });

  app.post('/cases/:caseId/ratings/:ratingId/feedback', { config: allow('clerk', 'reviewer', 'chief'), schema: { params: RatingParams, body: FeedbackBody } }, async (request, reply) => {
    const { caseId, ratingId } = request.params;
    const staff = await departmentRating(request, caseId, ratingId);
    const outcome = await service.giveFeedback(caseId, ratingId, request.body, staff, contextOf(request));
    return respondRating(reply, caseId, ratingId, outcome.repeated, true, false);
  });

  app.post('/cases/:caseId/ratings/:ratingId/appeal', { config: allow('applicant'), schema: { params: RatingParams, body: AppealBody } }, async (request, reply) => {
    const { caseId, ratingId } = request.params;
    await visibleCase(request, caseId);
    const outcome = await service.appeal(caseId, ratingId, request.body.reason, principalOf(request).subject, contextOf(request));
    return respondRating(reply, caseId, ratingId, outcome.repeated, true, true);
  });

  app.post('/cases/:caseId/ratings/:ratingId/appeal-decision', { config: allow('supervisor'), schema: { params: RatingParams, body: AppealDecisionBody } }, async (request, reply) => {
    const { caseId, ratingId } = request.params;
    await visibleCase(request, caseId);
    const outcome = await service.decideAppeal(caseId, ratingId, request.body, principalOf(request).subject, contextOf(request));
    return respondRating(reply, caseId, ratingId, outcome.repeated, true, false);
  });

  app.post('/cases/:caseId/ratings/:ratingId/review-request', { config: allow('clerk', 'reviewer', 'chief'), schema: { params: RatingParams, body: AppealBody } }, async (request, reply) => {
    const { caseId, ratingId } = request.params;
    const staff = await departmentRating(request, caseId, ratingId);
    const outcome = await service.requestReview(caseId, ratingId, request.body.reason, staff, contextOf(request));
    return respondRating(reply, caseId, ratingId, outcome.repeated, true, false);
  });

  app.post('/cases/:caseId/ratings/:ratingId/review', { config: allow('supervisor'), schema: { params: RatingParams, body: ReviewBody } }, async (request, reply) => {
    const { caseId, ratingId } = request.params;
    await visibleCase(request, caseId);
    const outcome = await service.review(caseId, ratingId, request.body, principalOf(request).subject, contextOf(request));
    return respondRating(reply, caseId, ratingId, outcome.repeated, true, false);
  });

  // ---- complaints (R-EVAL-1) -------------------------------------------------

  app.post('/complaints', { config: allow('applicant', 'clerk', 'integration'), schema: { body: ComplaintBody } }, async (request, reply) => {
    const p = principalOf(request);
    const body = request.body;
    // Who may bring which channel: the portal is the applicant's, a window complaint is taken by its clerk,
    // the 12345 platform and the letter office deliver through integrations.
    const allowed: Record<string, readonly Role[]> = {
      website: ['applicant', 'integration'],
      mobile: ['applicant', 'integration'],
      window: ['clerk'],
      '12345-hotline': ['integration'],
      letter: ['integration', 'clerk'],
    };
    if (!has(p, allowed[body.channel] ?? [])) throw new ForbiddenError([...(allowed[body.channel] ?? [])]);
    const isApplicant = p.roles.includes('applicant') && !has(p, ['clerk', 'integration']);
    if (isApplicant && body.caseId !== null) await visibleCase(request, body.caseId);
    const outcome = await service.receiveComplaint(
      {
        channel: body.channel,
        caseId: body.caseId,
        serviceCentre: body.channel === 'window' ? (body.serviceCentre ?? p.centre ?? null) : body.serviceCentre,
        department: body.department,
        summary: body.summary,
        complainantRef: isApplicant ? p.subject : null,
        limitWorkingDays: body.limitWorkingDays,
      },
      contextOf(request),
    );
    const received = outcome.state.received!;
    return reply.code(outcome.repeated ? 200 : 201).send({ complaint: received, answered: outcome.state.answered });
  });

  app.get('/complaints', { config: allow('clerk', 'reviewer', 'chief', 'supervisor', 'operator', 'admin'), schema: { querystring: ComplaintListQuery } }, async (request) => {
    const p = principalOf(request);
    await projection.catchUp();
    const department = has(p, readers) ? request.query.department : staffOf(p).department;
    const answered = request.query.answered === undefined ? undefined : request.query.answered === 'true';
    return { asOf: now().toISOString(), items: projection.complaints({ ...(department !== undefined && { department }), ...(answered !== undefined && { answered }) }) };
  });

  app.get('/complaints/:complaintId', { config: allow('applicant', 'clerk', 'reviewer', 'chief', 'supervisor', 'admin'), schema: { params: ComplaintParams } }, async (request) => {
    const p = principalOf(request);
    const state = await service.getComplaint(request.params.complaintId);
    const received = state.received!;
    const visible =
      has(p, overseers) ||
      (p.roles.includes('applicant') && received.complainantRef === p.subject) ||
      (has(p, staffRoles) && p.department === received.department);
    if (!visible) throw new NotFoundError(`no complaint ${request.params.complaintId}`);
    return { complaint: received, answered: state.answered };
  });

  app.post('/complaints/:complaintId/answer', { config: allow('clerk', 'reviewer', 'chief'), schema: { params: ComplaintParams, body: ComplaintAnswerBody } }, async (request, reply) => {
    const outcome = await service.answerComplaint(request.params.complaintId, request.body, staffOf(principalOf(request)), contextOf(request));
    return reply.code(outcome.repeated ? 200 : 201).send({ complaint: outcome.state.received, answered: outcome.state.answered });
  });

  // ---- consultations (R-CONS-1) ----------------------------------------------

  app.post('/consultations', { config: allow('clerk', 'reviewer', 'chief'), schema: { body: ConsultationBody } }, async (request, reply) => {
    const p = principalOf(request);
    const body = request.body;
    const outcome = await service.recordConsultation(
      { ...body, serviceCentre: body.serviceCentre ?? (body.channel === 'window' || body.channel === 'phone' ? (p.centre ?? null) : null) },
      staffOf(p),
      contextOf(request),
    );
    return reply.code(outcome.repeated ? 200 : 201).send({ consultation: outcome.state.recorded, answered: outcome.state.answered });
  });

  app.get('/consultations/:consultationId', { config: allow('clerk', 'reviewer', 'chief', 'supervisor', 'admin'), schema: { params: ConsultationParams } }, async (request) => {
    const p = principalOf(request);
    const state = await service.getConsultation(request.params.consultationId);
    if (!has(p, overseers) && p.department !== state.recorded!.department) throw new NotFoundError(`no consultation ${request.params.consultationId}`);
    return { consultation: state.recorded, answered: state.answered };
  });

  app.post('/consultations/:consultationId/answer', { config: allow('clerk', 'reviewer', 'chief'), schema: { params: ConsultationParams, body: ConsultationAnswerBody } }, async (request, reply) => {
    const outcome = await service.answerConsultation(request.params.consultationId, request.body.answers, staffOf(principalOf(request)), contextOf(request));
    return reply.code(outcome.repeated ? 200 : 201).send({ consultation: outcome.state.recorded, answered: outcome.state.answered });
  });

  app.post('/phone-calls', { config: allow('integration'), schema: { body: PhoneCallBody } }, async (request, reply) => {
    const outcome = await service.logPhoneCall(request.body, contextOf(request));
    return reply.code(outcome.events.length > 0 && !outcome.repeated ? 201 : 200).send({ callId: request.body.callId });
  });

  // ---- statistics (R-EVAL-4, R-CONS-1): one source for the API and the CSV ---

  async function statistics(query: z.infer<typeof StatisticsQuery>) {
    await projection.catchUp();
    return ratingStatistics(projection.statistics, { ...query, asOf: now().toISOString() });
  }

  app.get('/statistics', { config: allow('supervisor', 'operator', 'admin'), schema: { querystring: StatisticsQuery } }, async (request) => statistics(request.query));

  app.get('/statistics.csv', { config: allow('supervisor', 'operator', 'admin'), schema: { querystring: StatisticsQuery } }, async (request, reply) => {
    const stats = await statistics(request.query);
    const name = `evaluation-${stats.groupBy}-${stats.from ?? 'start'}-${stats.to ?? 'now'}.csv`;
    return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(ratingStatisticsCsv(stats));
  });

  // ---- published to the public (R-EVAL-4: 评价结论同源发布, 差评整改在线反馈) -----------
  // The same fold as the supervisors' figures; nothing that names a person or a case.

  app.get('/public/statistics', { config: publicRoute, schema: { querystring: PublicStatisticsQuery } }, async (request) => {
    const stats = await statistics(request.query);
    return { ...stats, rows: stats.rows.map(({ byLevel: _levels, ...row }) => row) };
  });

  app.get('/public/rectifications', { config: publicRoute, schema: { querystring: PublicFeedbackQuery } }, async (request) => {
    await projection.catchUp();
    const { department, from, to } = request.query;
    const published = projection
      .inbox({ ...(department !== undefined && { department }) })
      .filter((e): e is typeof e & { feedback: NonNullable<typeof e.feedback> } => e.feedback !== null && e.status !== 'closed-by-exclusion')
      .filter((e) => {
        const day = shanghaiDateOf(e.feedback.givenAt);
        return (from === undefined || day >= from) && (to === undefined || day <= to);
      });
    return {
      items: published.map((e) => ({
        ratingId: e.ratingId,
        department: e.department,
        level: e.level,
        outcome: e.feedback.outcome,
        feedback: e.feedback.text,
        feedbackAt: e.feedback.givenAt,
        withinLimit: e.withinLimit,
      })),
    };
  });

  app.get('/statistics/phone-answer-rates', { config: allow('supervisor', 'operator', 'admin'), schema: { querystring: PeriodQuery } }, async (request) => {
    await projection.catchUp();
    return { target: '> 90%', rows: phoneAnswerRates(projection.statistics, request.query) };
  });

  app.get('/statistics/consultations', { config: allow('supervisor', 'operator', 'admin'), schema: { querystring: PeriodQuery.omit({ centre: true }) } }, async (request) => {
    await projection.catchUp();
    return { asOf: now().toISOString(), rows: consultationStatistics(projection.statistics, { ...request.query, asOf: now().toISOString() }) };
  });

  app.get('/statistics/complaints', { config: allow('supervisor', 'operator', 'admin'), schema: { querystring: PeriodQuery.omit({ centre: true }) } }, async (request) => {
    await projection.catchUp();
    return { rows: complaintStatistics(projection.statistics, request.query) };
  });
}
