/**
 * `POST /courier/carriers/:carrier/webhook`: carriers push tracking events
 * (R-COURIER-1). No token (carriers have none): the body's HMAC-SHA256 with
 * the carrier's secret authenticates it, checked over the raw bytes before
 * anything is parsed or stored; the signed `sentAt` must be within the
 * window of our clock and the signed `deliveryId` is accepted once (replay).
 * Duplicate and out-of-order events are then harmless: the waybill decider
 * records each carrier event once and never moves a status backwards. A scan
 * for a tracking number no waybill claims yet is held (202) and applied when
 * the waybill is created (`src/domain/unmatched-scans.ts`).
 *
 * The payload is third-party: unknown fields are accepted and dropped.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '@govsvc/errors/errors';
import type { Clock } from '@govsvc/runtime/clock';
import type { App } from '@govsvc/service-kit/app';
import { AuthenticationError } from '@govsvc/service-kit/auth-errors';
import { publicRoute } from '@govsvc/service-kit/auth';
import type { CourierService } from '../app/courier-service.ts';
import { SIGNATURE_HEADER, verifySignature, type ReplayGuard } from '../app/webhook-signature.ts';
import { TRACKING_STATUSES } from '../domain/events.ts';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

const WebhookBody = z.object({
  deliveryId: z.string().min(8).max(120),
  sentAt: z.iso.datetime({ offset: true }),
  events: z
    .array(
      z.object({
        eventId: z.string().min(1).max(120),
        trackingNumber: z.string().min(1).max(60),
        status: z.enum(TRACKING_STATUSES),
        occurredAt: z.iso.datetime({ offset: true }),
        sequence: z.int().min(0).nullable().default(null),
        location: z.string().max(200).nullable().default(null),
        note: z.string().max(500).nullable().default(null),
      }),
    )
    .min(1)
    .max(100),
});

export interface WebhookDeps {
  readonly service: CourierService;
  readonly secrets: ReadonlyMap<string, string>;
  readonly replay: ReplayGuard;
  readonly clock: Clock;
  /** How far `sentAt` may be from our clock, either way. */
  readonly windowMs: number;
}

export async function webhookRoutes(app: App, deps: WebhookDeps): Promise<void> {
  // Keep the exact bytes: the signature is over them, not over a re-serialization.
  const instance = app as unknown as FastifyInstance;
  instance.removeContentTypeParser('application/json');
  instance.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    const secret = deps.secrets.get((request.params as { carrier?: string } | undefined)?.carrier ?? '');
    // Unsigned or wrongly signed bodies are refused before they are parsed.
    if (!secret || !verifySignature(request.rawBody, request.headers[SIGNATURE_HEADER] as string | undefined, secret)) {
      done(new AuthenticationError('the webhook signature does not verify'), undefined);
      return;
    }
    try {
      done(null, JSON.parse(request.rawBody.toString('utf8')));
    } catch {
      done(new ValidationError('the body is not JSON', [{ path: '/', reason: 'malformed JSON' }]), undefined);
    }
  });

  app.post(
    '/:carrier/webhook',
    { config: { ...publicRoute, acceptUnknownFields: true }, schema: { params: z.strictObject({ carrier: z.string().min(1).max(40) }), body: WebhookBody } },
    async (request, reply) => {
      const { carrier } = request.params;
      if (!deps.secrets.has(carrier)) throw new AuthenticationError('unknown carrier');
      const now = deps.clock.now();
      const skew = Math.abs(new Date(request.body.sentAt).getTime() - now.getTime());
      if (skew > deps.windowMs) throw new AuthenticationError('the webhook was sent outside the accepted time window');
      if (!(await deps.replay.firstSeen(carrier, request.body.deliveryId, now, 2 * deps.windowMs))) {
        return reply.code(200).send({ accepted: 0, replay: true });
      }
      const results = [];
      try {
        results.push(...(await receiveAll(carrier, request.body, request.correlationId)));
      } catch (error) {
        // Nothing may be lost: a delivery that failed half-way is forgotten by the guard so the carrier's
        // retry is processed (what was already stored is recognised by its ids and stored once).
        await deps.replay.release(carrier, request.body.deliveryId).catch(() => undefined);
        throw error;
      }
      // A scan for a tracking number we have no waybill for yet (carriers scan before our record of the
      // waybill is stored) is held and applied when the waybill is created: 202, stored, nothing to resend.
      const held = results.filter((r) => r.held).length;
      return reply.code(held > 0 ? 202 : 200).send({ accepted: results.length - held, held, results });
    },
  );

  async function receiveAll(carrier: string, body: z.infer<typeof WebhookBody>, correlationId: string) {
    const results = [];
    for (const event of body.events) {
      const receipt = await deps.service.receiveScan(carrier, event, {
        actor: { id: `carrier:${carrier}`, role: 'integration' },
        correlationId,
        causationId: body.deliveryId,
        webhookDeliveryId: body.deliveryId,
      });
      results.push(
        receipt.kind === 'recorded'
          ? { eventId: event.eventId, waybillId: receipt.waybillId as string | null, status: receipt.state.status as string | null, held: false }
          : { eventId: event.eventId, waybillId: null, status: null, held: true },
      );
    }
    return results;
  }
}
