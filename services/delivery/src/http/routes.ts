/**
 * Delivery's HTTP API, mounted under `/delivery`.
 * - Applicants see and act on their own cases only (token subject = the
 *   opaque applicant ref intake assigned); anyone else's case is 404.
 * - Clerks hand results out at the window; kiosks (`integration`) confirm
 *   kiosk pickups; operators see failed notifications and send them again.
 * POSTs honour `Idempotency-Key`: the same key repeats the first effect and
 * appends nothing. Bad input is a 4xx and stores nothing.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { checkResidentId } from '@govsvc/identifiers/resident-id';
import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import type { App } from '@govsvc/service-kit/app';
import { allow, principalOf } from '@govsvc/service-kit/auth';
import type { Principal } from '@govsvc/service-kit/principal';
import type { LocalOutbox } from '../adapters/local-provider.ts';
import type { Cause, DeliveryService, Viewer } from '../app/delivery-service.ts';
import { CHANNELS } from '../domain/events.ts';
import type { DeliveryState } from '../domain/state.ts';

const Id = z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/);
const CaseParams = z.strictObject({ caseId: Id });
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;
const MethodBody = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('window-pickup'), serviceCentre: Id }),
  z.strictObject({ method: z.literal('kiosk-pickup'), serviceCentre: Id }),
  z.strictObject({ method: z.literal('electronic') }),
  z.strictObject({ method: z.literal('post') }),
]);
const PickupBody = z.strictObject({
  method: z.enum(['window-pickup', 'kiosk-pickup']),
  code: z.string().regex(/^\d{8}$/, 'eight digits'),
  place: Id.describe('Service centre (window) or kiosk id.'),
  recipient: z.strictObject({
    kind: z.enum(['applicant', 'agent']),
    idNumber: z.string().length(18).describe('Resident ID as read from the card; checked, compared, stored masked only.'),
    authorization: Id.nullable().default(null),
  }),
});
const RequeueParams = z.strictObject({ caseId: Id, noticeId: z.uuid(), channel: z.enum(CHANNELS) });

const isApplicantOnly = (p: Principal) => p.roles.includes('applicant') && !p.roles.some((r) => r !== 'applicant');

/** Who is looking, most privileged role first: staff oversight, then a centre's clerk, a kiosk, an applicant. */
function viewerOf(p: Principal): Viewer {
  if (p.roles.some((r) => r === 'operator' || r === 'supervisor' || r === 'admin')) return { kind: 'staff' };
  if (p.roles.includes('clerk')) return { kind: 'clerk', centre: p.centre ?? null };
  if (p.roles.includes('integration')) return { kind: 'kiosk', kioskId: p.subject };
  return { kind: 'applicant', ref: p.subject };
}

function causeOf(request: FastifyRequest, action: string): Cause {
  const p = principalOf(request);
  const key = request.headers['idempotency-key'];
  if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
    throw new ValidationError('Idempotency-Key is 8–128 of A-Z a-z 0-9 . _ : -', [{ path: '/headers/idempotency-key', reason: 'malformed' }]);
  }
  return {
    seed: `http:${p.subject}:${action}:${typeof key === 'string' ? key : randomUUID()}`,
    actor: { id: p.subject, role: p.roles[0] ?? 'unknown', ...(p.department !== undefined && { department: p.department }) },
    correlationId: request.correlationId,
  };
}

/** The case as its viewer may see it: no contact data; the pickup code only for the applicant. */
export function caseView(caseId: string, s: DeliveryState, forApplicant: boolean) {
  const prefs = s.preferences;
  return {
    caseId,
    caseNumber: prefs?.caseNumber ?? null,
    itemName: prefs?.itemName ?? null,
    applicant: prefs ? { kind: prefs.applicant.kind, maskedId: prefs.applicant.maskedId } : null,
    channels: prefs?.channels ?? [],
    delivery: {
      choice: prefs?.choice ?? null,
      deliverBy: s.decision?.outcome === 'approve' ? s.decision.deliverBy : null,
      scheduled: s.scheduled !== null,
      licence: s.licence ? { licenceId: s.licence.licenceId, resultName: s.licence.resultName, issuedAt: s.licence.issuedAt } : null,
      pickupCode: forApplicant ? (s.pickupCode?.code ?? null) : s.pickupCode ? '********' : null,
      postal: s.postal,
      downloads: s.downloads.length,
      delivered: s.delivered ? { method: s.delivered.method, deliveredAt: s.delivered.deliveredAt } : null,
    },
    notices: [...s.notices.values()].map((n) => ({
      noticeId: n.noticeId,
      stage: n.facts.stage,
      requestedAt: n.requestedAt,
      channels: Object.fromEntries(Object.entries(n.channels).map(([channel, st]) => [channel, { status: st.status, attempts: st.attempts }])),
    })),
  };
}

export interface DeliveryRoutesDeps {
  readonly service: DeliveryService;
  readonly outbox: LocalOutbox | null;
  readonly publicKeyPem: () => string;
  /** Today in Asia/Shanghai (from the injected clock): ID numbers born after it are refused. */
  readonly today: () => string;
}

export async function deliveryRoutes(app: App, { service, outbox, publicKeyPem, today }: DeliveryRoutesDeps): Promise<void> {
  const visible = (request: FastifyRequest, caseId: string) => service.stateVisibleTo(caseId, viewerOf(principalOf(request)));

  app.get('/cases/:caseId', { config: allow('applicant', 'clerk', 'operator', 'supervisor'), schema: { params: CaseParams } }, async (request) => {
    const state = await visible(request, request.params.caseId);
    return caseView(request.params.caseId, state, isApplicantOnly(principalOf(request)));
  });

  // R-DELIV-1: the applicant (or a clerk for them) changes how the result reaches them; the change is an event.
  app.post('/cases/:caseId/method-changes', { config: allow('applicant', 'clerk'), schema: { params: CaseParams, body: MethodBody } }, async (request, reply) => {
    const { caseId } = request.params;
    const state = await visible(request, caseId);
    const p = principalOf(request);
    const hasPostalAddress = request.body.method === 'post' ? service.openContact(caseId, state).postalAddress !== undefined : false;
    const result = await service.execute(
      caseId,
      { type: 'ChangeDeliveryMethod', data: { to: request.body, by: { id: p.subject, role: p.roles[0] ?? 'unknown' }, hasPostalAddress } },
      causeOf(request, 'method'),
    );
    return reply.code(result.alreadyAppended ? 200 : 201).send(caseView(caseId, result.state, isApplicantOnly(p)));
  });

  // R-DELIV-1: window pickup (clerk) and kiosk pickup (the kiosk's integration token): code + the recipient's identity.
  app.post('/cases/:caseId/pickups', { config: allow('clerk', 'integration'), schema: { params: CaseParams, body: PickupBody } }, async (request, reply) => {
    const { caseId } = request.params;
    const b = request.body;
    const checked = checkResidentId(b.recipient.idNumber, { today: today() }, '/recipient/idNumber');
    if (!checked.ok) throw new ValidationError('the recipient’s ID number is not valid', checked.issues);
    await visible(request, caseId);
    // Staff hand over where they stand: a clerk at their own centre's window, a kiosk at itself.
    const viewer = viewerOf(principalOf(request));
    const standsAt = viewer.kind === 'clerk' ? viewer.centre : viewer.kind === 'kiosk' ? viewer.kioskId : null;
    if (standsAt !== null && standsAt !== b.place) throw new RuleViolation('R-DELIV-1', `you hand over at ${standsAt}, not at ${b.place}`);
    const result = await service.execute(
      caseId,
      {
        type: 'ConfirmPickup',
        data: {
          method: b.method,
          code: b.code,
          place: b.place,
          recipientId: b.recipient.idNumber.toUpperCase(),
          recipientKind: b.recipient.kind,
          authorization: b.recipient.authorization,
          handedOverBy: principalOf(request).subject,
        },
      },
      causeOf(request, 'pickup'),
    );
    return reply.code(result.alreadyAppended ? 200 : 201).send(caseView(caseId, result.state, false));
  });

  // R-DELIV-1 electronic delivery: the signed document, for its applicant only; every download is an event.
  app.get('/cases/:caseId/result-document', { config: allow('applicant'), schema: { params: CaseParams } }, async (request, reply) => {
    const { caseId } = request.params;
    const state = await visible(request, caseId);
    const p = principalOf(request);
    const result = await service.execute(caseId, { type: 'RecordDownload', data: { downloadId: randomUUID(), by: p.subject } }, causeOf(request, 'download'));
    const document = result.state.licence!.document;
    return reply
      .header('x-document-sha256', document.sha256)
      .header('x-signature-ed25519', document.signature)
      .header('x-signature-key-id', document.keyId)
      .send({ documentId: document.documentId, content: JSON.parse(document.content) as unknown, contentText: document.content, sha256: document.sha256, signature: document.signature, keyId: document.keyId, delivered: state.delivered !== null || result.state.delivered !== null });
  });

  app.get('/signing-key', { config: allow('applicant', 'clerk', 'operator', 'supervisor', 'integration') }, async () => ({ algorithm: 'Ed25519', publicKeyPem: publicKeyPem() }));

  // R-NOTIFY-1: failures end visible here, never silently.
  app.get('/notifications/failed', { config: allow('operator', 'supervisor') }, async () => ({ failed: await service.failedNotifications() }));

  app.post('/cases/:caseId/notifications/:noticeId/channels/:channel/requeue', { config: allow('operator'), schema: { params: RequeueParams } }, async (request, reply) => {
    const { caseId, noticeId, channel } = request.params;
    await visible(request, caseId);
    const result = await service.execute(caseId, { type: 'RequeueNotification', data: { noticeId, channel, by: principalOf(request).subject } }, causeOf(request, 'requeue'));
    return reply.code(result.alreadyAppended ? 200 : 202).send({ noticeId, channel, status: 'pending' });
  });

  // The local SMS / voice provider's outbox (development and standalone only).
  app.get('/outbox', { config: allow('operator') }, async () => ({ entries: outbox?.list() ?? [] }));
}
