/**
 * Courier's HTTP API, mounted under `/courier`.
 * - Applicants request a pickup of paper materials for their own cases and
 *   track their own parcels; anyone else's is 404. Staff see all.
 * - Addresses are shown masked to everyone (PIPL): the carrier has them.
 * - `GET /waybills/:id/events` streams updates (server-sent events).
 * - Carriers push tracking to `POST /carriers/:carrier/webhook` (`webhook.ts`).
 * POSTs honour `Idempotency-Key`.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '@govsvc/errors/errors';
import { maskAddress, maskName, maskPhone } from '@govsvc/identifiers/masking';
import { deterministicId } from '@govsvc/runtime/ids';
import type { App } from '@govsvc/service-kit/app';
import { allow, principalOf } from '@govsvc/service-kit/auth';
import type { Principal } from '@govsvc/service-kit/principal';
import type { Cause, CourierService } from '../app/courier-service.ts';
import type { LiveUpdates } from '../app/live-updates.ts';
import type { Address } from '../domain/events.ts';
import type { WaybillState } from '../domain/waybill.ts';

const Id = z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/);
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;
const AddressBody = z.strictObject({
  name: z.string().min(1).max(200),
  phone: z.string().regex(/^[0-9+()\- ]{5,30}$/),
  region: z.string().regex(/^\d{6}$/),
  address: z.string().min(1).max(300),
  postcode: z.string().regex(/^\d{6}$/).optional(),
});
const PickupRequestBody = z.strictObject({
  caseId: Id,
  carrier: Id.optional(),
  pickupAddress: AddressBody,
  materials: z.array(z.strictObject({ materialId: Id, name: z.string().min(1).max(200), copies: z.int().min(1).max(100) })).min(1).max(100),
});
const MaterialsReceivedBody = z.strictObject({
  materials: z.array(z.strictObject({ materialId: Id, name: z.string().min(1).max(200), copies: z.int().min(1).max(100) })).min(1).max(100),
  discrepancy: z.string().min(1).max(1000).nullable().default(null),
});
const CancelBody = z.strictObject({ reason: z.string().min(1).max(500) });
const WaybillParams = z.strictObject({ waybillId: Id });

const isApplicantOnly = (p: Principal) => p.roles.includes('applicant') && !p.roles.some((r) => r !== 'applicant');
const isStaffOverseer = (p: Principal) => p.roles.some((r) => r === 'operator' || r === 'supervisor' || r === 'admin');

function keyOf(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
    throw new ValidationError('Idempotency-Key is 8–128 of A-Z a-z 0-9 . _ : -', [{ path: '/headers/idempotency-key', reason: 'malformed' }]);
  }
  return key;
}

function causeOf(request: FastifyRequest, action: string): Cause {
  const p = principalOf(request);
  return {
    seed: `http:${p.subject}:${action}:${keyOf(request) ?? randomUUID()}`,
    actor: { id: p.subject, role: p.roles[0] ?? 'unknown', ...(p.department !== undefined && { department: p.department }) },
    correlationId: request.correlationId,
  };
}

const masked = (a: Address) => ({ name: maskName(a.name), phone: maskPhone(a.phone), region: a.region, address: maskAddress(a.address) });

export function waybillView(s: WaybillState) {
  const w = s.waybill!;
  return {
    waybillId: w.waybillId,
    caseId: w.caseId,
    direction: w.direction,
    carrier: w.carrier,
    trackingNumber: w.trackingNumber,
    status: s.status,
    statusAt: s.statusAt?.occurredAt ?? null,
    from: masked(w.from),
    to: masked(w.to),
    contents: w.contents,
    failedAttempts: s.failedAttempts,
    history: s.history.map((h) => ({ eventId: h.carrierEventId, status: h.status, occurredAt: h.occurredAt, location: h.location, note: h.note, receivedAt: h.receivedAt, effect: h.effect })),
    materialsReceived: s.materialsReceived ? { receivedAt: s.materialsReceived.receivedAt, materials: s.materialsReceived.materials, discrepancy: s.materialsReceived.discrepancy } : null,
  };
}

export interface CourierRoutesDeps {
  readonly service: CourierService;
  readonly live: LiveUpdates;
  /** The service centre this courier service receives at and sends from: its clerks see every parcel. */
  readonly homeCentre: string | null;
}

export async function courierRoutes(app: App, { service, live, homeCentre }: CourierRoutesDeps): Promise<void> {
  /**
   * May this caller see the case's parcels? Its applicant; operators and supervisors; a clerk of the home
   * centre, or of a centre with a part in the case (handed in there, result held there).
   */
  const mayAccessCase = async (p: Principal, caseId: string): Promise<boolean> => {
    if (isStaffOverseer(p)) return true;
    const c = await service.caseOf(caseId);
    if (p.roles.includes('clerk')) return p.centre !== undefined && (p.centre === homeCentre || c.centres.includes(p.centre));
    return c.owner !== null && c.owner === p.subject;
  };

  const visibleWaybill = async (request: FastifyRequest, waybillId: string): Promise<WaybillState> => {
    const state = await service.state(waybillId);
    const p = principalOf(request);
    // Unknown and someone else's look the same.
    const mine = state.waybill !== null && (isApplicantOnly(p) ? state.waybill.owner === p.subject : await mayAccessCase(p, state.waybill.caseId));
    if (!mine) throw new NotFoundError(`no waybill ${waybillId}`);
    return state;
  };

  // R-COURIER-1 inbound: collect the applicant's paper materials and bring them to the centre.
  app.post('/waybills', { config: allow('applicant', 'clerk'), schema: { body: PickupRequestBody } }, async (request, reply) => {
    const b = request.body;
    const p = principalOf(request);
    const owner = await service.ownerOf(b.caseId);
    if (!owner || !(await mayAccessCase(p, b.caseId))) throw new NotFoundError(`no case ${b.caseId}`);
    const key = keyOf(request);
    const waybillId = key ? `wb-${deterministicId('govsvc-courier-inbound', `${p.subject}:${key}`)}` : service.newWaybillId();
    const state = await service.createWaybill(
      {
        waybillId,
        caseId: b.caseId,
        direction: 'inbound',
        ...(b.carrier !== undefined && { carrier: b.carrier }),
        counterpart: b.pickupAddress,
        contents: b.materials.map((m) => ({ kind: 'material' as const, reference: m.materialId, title: m.name, copies: m.copies })),
        owner,
        deliveryId: null,
        createdBy: p.subject,
      },
      causeOf(request, 'create'),
    );
    return reply.code(201).header('location', `/courier/waybills/${waybillId}`).send(waybillView(state));
  });

  app.get('/waybills/:waybillId', { config: allow('applicant', 'clerk', 'operator', 'supervisor'), schema: { params: WaybillParams } }, async (request) =>
    waybillView(await visibleWaybill(request, request.params.waybillId)),
  );

  app.get('/cases/:caseId/waybills', { config: allow('applicant', 'clerk', 'operator', 'supervisor'), schema: { params: z.strictObject({ caseId: Id }) } }, async (request) => {
    const p = principalOf(request);
    const all = await service.waybillsOf(request.params.caseId);
    const mine = isApplicantOnly(p) ? all.filter((s) => s.waybill?.owner === p.subject) : (await mayAccessCase(p, request.params.caseId)) ? all : [];
    return { waybills: mine.map(waybillView) };
  });

  // Live updates: the current view at once, then a new one on every change.
  app.get('/waybills/:waybillId/events', { config: allow('applicant', 'clerk', 'operator', 'supervisor'), schema: { params: WaybillParams } }, async (request, reply) => {
    const { waybillId } = request.params;
    const first = await visibleWaybill(request, waybillId);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-correlation-id': request.correlationId });
    let sent = -1;
    let sending = Promise.resolve();
    const send = (state: WaybillState) => {
      const revision = state.history.length + (state.materialsReceived ? 1 : 0) + (state.status === 'cancelled' ? 1 : 0);
      if (revision === sent) return;
      sent = revision;
      raw.write(`id: ${revision}\nevent: waybill\ndata: ${JSON.stringify(waybillView(state))}\n\n`);
    };
    send(first);
    const unlisten = live.listen(waybillId, () => {
      sending = sending.then(async () => send(await service.state(waybillId))).catch((error: unknown) => request.log.warn({ err: error }, 'live update failed'));
    });
    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
    heartbeat.unref();
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      unlisten();
    });
  });

  // Reconciliation: pull the carrier's tracking (a webhook lost on the way is caught up; duplicates change nothing).
  app.post('/waybills/:waybillId/refresh', { config: allow('clerk', 'operator'), schema: { params: WaybillParams } }, async (request) => {
    const state = await visibleWaybill(request, request.params.waybillId);
    const w = state.waybill!;
    const events = await service.carrier(w.carrier).track(w.trackingNumber);
    for (const event of events) {
      await service.recordTracking(w.carrier, event, { actor: { id: principalOf(request).subject, role: 'operator' }, correlationId: request.correlationId });
    }
    return waybillView(await service.state(w.waybillId));
  });

  app.post('/waybills/:waybillId/cancel', { config: allow('applicant', 'clerk'), schema: { params: WaybillParams, body: CancelBody } }, async (request) => {
    const state = await visibleWaybill(request, request.params.waybillId);
    const w = state.waybill!;
    if (state.status === 'created') await service.cancelAtCarrier(w.carrier, w.trackingNumber);
    const result = await service.execute(w.waybillId, w.caseId, { type: 'CancelWaybill', data: { reason: request.body.reason, by: principalOf(request).subject } }, causeOf(request, 'cancel'));
    return waybillView(result.state);
  });

  // Inbound parcel opened at the centre: what arrived is recorded on the case (contract courier.materials-received.v1).
  app.post('/waybills/:waybillId/materials-received', { config: allow('clerk'), schema: { params: WaybillParams, body: MaterialsReceivedBody } }, async (request, reply) => {
    const state = await visibleWaybill(request, request.params.waybillId);
    const p = principalOf(request);
    if (!p.department && !p.centre) throw new ValidationError('the clerk’s token names no department or centre', [{ path: '/token/department', reason: 'missing' }]);
    const w = state.waybill!;
    const result = await service.execute(
      w.waybillId,
      w.caseId,
      { type: 'RecordMaterialsReceived', data: { materials: request.body.materials, discrepancy: request.body.discrepancy, receivedBy: { staffId: p.subject, department: p.department ?? p.centre ?? '' } } },
      causeOf(request, 'received'),
    );
    return reply.code(result.alreadyAppended ? 200 : 201).send(waybillView(result.state));
  });
}
