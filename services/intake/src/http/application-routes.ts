/**
 * Applications and their acceptance (R-ACC-1 … R-ACC-3, R-CAT-2, R-CAT-10,
 * R-ETHICS-1), mounted under `/intake`. Applicants see only their own cases
 * and clerks only their centre's: anything else is 404, never 403, so case
 * ids cannot be probed. POSTs honour Idempotency-Key; decisions honour If-Match.
 */
import { z } from 'zod';
import type { App } from '@govsvc/service-kit/app';
import { allow, publicRoute } from '@govsvc/service-kit/auth';
import { caseView, type ApplicationService } from '../app/application-service.ts';
import { callerOf, ifMatchOf } from './request.ts';

const Id = z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/);
const CaseParams = z.strictObject({ caseId: z.uuid() });
const Identifier = z.string().min(1).max(40);
const ApplicantBody = z.strictObject({ kind: z.enum(['person', 'enterprise']), id: Identifier, name: z.string().min(1).max(200) });
const Material = z.strictObject({ materialId: Id, form: z.enum(['electronic', 'paper']), reference: z.string().min(1).max(300) });
const Confirmation = z.strictObject({ materialId: Id, recordId: Id, revision: z.int().min(1) });
const Deficiency = z.strictObject({ materialId: Id, problem: z.enum(['missing', 'defective']), detail: z.string().min(1).max(1000) });
// Reasons may be empty here on purpose: the decider refuses a refusal without reasons, naming R-ACC-2.
const Reason = z.strictObject({ text: z.string().min(1).max(2000), legalBasis: z.string().min(1).max(500).optional() });
const Delivery = z.strictObject({
  notificationChannels: z.array(z.enum(['sms', 'email', 'phone'])).min(1).max(3),
  resultDelivery: z.discriminatedUnion('method', [
    z.strictObject({ method: z.literal('window-pickup'), serviceCentre: Id }),
    z.strictObject({ method: z.literal('kiosk-pickup'), serviceCentre: Id }),
    z.strictObject({ method: z.literal('electronic') }),
    z.strictObject({ method: z.literal('post') }),
  ]),
  // Checked in full (formats, and an address for every chosen channel) by the service, naming the rule.
  contact: z.strictObject({
    name: z.string().min(1).max(200),
    mobile: z.string().max(20).optional(),
    phone: z.string().max(30).optional(),
    email: z.string().max(254).optional(),
    postalAddress: z
      .strictObject({ recipient: z.string().max(200), phone: z.string().max(30), region: z.string().max(6), address: z.string().max(300), postcode: z.string().max(6).optional() })
      .optional(),
  }),
});
const Notice = z.strictObject({ items: z.array(Deficiency).max(100), deadlineWorkingDays: z.int().min(1).max(60).optional() });

/** If-None-Match (a list, weak or strong, or `*`) against the case's ETag. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

export function applicationRoutes(applications: ApplicationService) {
  // The case view as sent, per folded state and revision: a case read many times between changes is
  // serialized once (issue 8). The view depends on the state and revision only, never on the reader.
  // Kept as bytes: a string body is joined to the headers and encoded to UTF-8 again on every send,
  // which cost a bare fastify a seventh of its rate for this 1 KB view (docs/benchmarks.md, 2026-11-28).
  const viewBytes = new WeakMap<object, { readonly revision: bigint; readonly bytes: Buffer }>();
  const caseViewBytes = (state: Parameters<typeof caseView>[0], revision: bigint): Buffer => {
    const cached = viewBytes.get(state);
    if (cached?.revision === revision) return cached.bytes;
    const bytes = Buffer.from(JSON.stringify(caseView(state, revision)));
    viewBytes.set(state, { revision, bytes });
    return bytes;
  };

  return async (app: App): Promise<void> => {
    // Public, like the guide itself: what an application for the item binds to right now (R-CAT-13, R-CAT-14).
    app.get('/guides/:itemCode', { config: publicRoute, schema: { params: z.strictObject({ itemCode: Id }) } }, async (request) => applications.guideNow(request.params.itemCode));

    app.post(
      '/data-sharing/lookups',
      { config: allow('applicant', 'clerk'), schema: { body: z.strictObject({ itemCode: Id, applicant: z.strictObject({ kind: z.enum(['person', 'enterprise']), id: Identifier }) }) } },
      async (request) => {
        const caller = callerOf(request);
        const records = await applications.sharedRecordsFor(request.body.itemCode, request.body.applicant, caller);
        // PIPL: access to personal records is logged (who, which data sets; the identifier stays out of the log).
        request.log.info({ access: 'shared-records', by: caller.subject, roles: caller.roles, itemCode: request.body.itemCode, datasets: records.map((r) => r.dataset) }, 'personal records accessed');
        return { records };
      },
    );

    app.post(
      '/applications',
      {
        config: allow('applicant', 'clerk'),
        schema: {
          body: z.strictObject({
            itemCode: Id,
            applicant: ApplicantBody,
            channel: z.enum(['online', 'mobile', 'window']),
            materials: z.array(Material).max(200),
            sharedConfirmations: z.array(Confirmation).max(50).default([]),
            delivery: Delivery,
          }),
        },
      },
      async (request, reply) => {
        const result = await applications.submit(request.body, callerOf(request));
        return reply.code(result.alreadySubmitted ? 200 : 201).header('location', `/intake/applications/${result.caseId}`).send(result);
      },
    );

    app.get(
      '/applications',
      {
        config: allow('applicant', 'clerk'),
        schema: {
          querystring: z.strictObject({
            status: z.enum(['awaiting-decision', 'awaiting-supplement', 'accepted', 'accepted-with-deficiencies', 'tolerated-lapsed', 'not-accepted']).optional(),
          }),
        },
      },
      async (request) => ({ cases: await applications.list(callerOf(request), request.query.status) }),
    );

    app.get('/applications/:caseId', { config: allow('applicant', 'clerk', 'supervisor', 'integration'), schema: { params: CaseParams } }, async (request, reply) => {
      const { state, revision } = await applications.view(request.params.caseId, callerOf(request));
      const etag = `"${revision}"`;
      // Personal data: no shared cache keeps it; the reader's own cache revalidates with If-None-Match.
      reply.header('etag', etag).header('cache-control', 'private, no-cache');
      // After authorization: a 304 says no more than the 200 would have.
      if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
      return reply.type('application/json; charset=utf-8').send(caseViewBytes(state, revision));
    });

    app.get('/applications/:caseId/documents', { config: allow('applicant', 'clerk', 'supervisor', 'integration'), schema: { params: CaseParams } }, async (request) => ({
      documents: await applications.documents(request.params.caseId, callerOf(request)),
    }));

    app.post('/applications/:caseId/accept', { config: allow('clerk'), schema: { params: CaseParams, body: z.strictObject({}) } }, async (request) =>
      applications.accept(request.params.caseId, callerOf(request), ifMatchOf(request)),
    );

    app.post('/applications/:caseId/supplement-notices', { config: allow('clerk'), schema: { params: CaseParams, body: Notice } }, async (request, reply) =>
      reply.code(201).send(await applications.requestSupplement(request.params.caseId, callerOf(request), request.body, ifMatchOf(request))),
    );

    app.post('/applications/:caseId/accept-with-tolerated-deficiencies', { config: allow('clerk'), schema: { params: CaseParams, body: Notice } }, async (request) =>
      applications.acceptWithToleratedDeficiencies(request.params.caseId, callerOf(request), request.body, ifMatchOf(request)),
    );

    app.post('/applications/:caseId/not-accept', { config: allow('clerk'), schema: { params: CaseParams, body: z.strictObject({ reasons: z.array(Reason).max(50) }) } }, async (request) =>
      applications.notAccept(request.params.caseId, callerOf(request), request.body, ifMatchOf(request)),
    );

    // Licensing Law Art. 32: sent by supervision when no notice was given within 5 working days.
    app.post('/applications/:caseId/deem-accepted', { config: allow('integration', 'supervisor'), schema: { params: CaseParams, body: z.strictObject({}) } }, async (request) =>
      applications.deemAccepted(request.params.caseId, callerOf(request)),
    );

    app.post(
      '/applications/:caseId/supplements',
      {
        config: allow('applicant', 'clerk'),
        schema: {
          params: CaseParams,
          body: z.strictObject({ channel: z.enum(['online', 'mobile', 'window']), materials: z.array(Material).max(200), sharedConfirmations: z.array(Confirmation).max(50).default([]) }),
        },
      },
      async (request, reply) => reply.code(201).send(await applications.receiveSupplement(request.params.caseId, callerOf(request), request.body)),
    );

    app.post('/applications/:caseId/tolerated-supplement-confirmation', { config: allow('clerk'), schema: { params: CaseParams, body: z.strictObject({}) } }, async (request) =>
      applications.confirmToleratedSupplement(request.params.caseId, callerOf(request)),
    );

    app.post(
      '/applications/:caseId/lapse-tolerated-deficiency',
      {
        config: allow('integration', 'supervisor', 'clerk'),
        schema: { params: CaseParams, body: z.strictObject({ cause: z.enum(['not-supplemented', 'still-defective']), reasons: z.array(Reason).max(50).default([]) }) },
      },
      async (request) => applications.lapseToleratedDeficiency(request.params.caseId, callerOf(request), request.body),
    );

    app.post(
      '/applications/:caseId/contacts',
      // The touchpoint is any string here on purpose: the decider refuses an unknown one, naming R-ETHICS-1.
      { config: allow('clerk'), schema: { params: CaseParams, body: z.strictObject({ touchpoint: z.string().min(1).max(60), note: z.string().max(1000).nullable().default(null) }) } },
      async (request, reply) => reply.code(201).send(await applications.recordContact(request.params.caseId, callerOf(request), request.body)),
    );
  };
}
