/**
 * Events of a waybill stream (`waybill-<waybillId>`): one shipment either way
 * (R-COURIER-1, Art. 19): inbound, an applicant's paper materials to the
 * centre; outbound, a result to the applicant. The carrier's tracking events
 * are all kept (history); only those that move the shipment forward change
 * its status.
 */
import { z } from 'zod';

const instant = z.iso.datetime({ offset: true });
const id = z.string().min(1).max(200);

export const STATUSES = ['created', 'picked-up', 'in-transit', 'out-for-delivery', 'delivered', 'delivery-failed', 'returned', 'cancelled'] as const;
export type ShipmentStatus = (typeof STATUSES)[number];
export const statusSchema = z.enum(STATUSES);

/** What a carrier may report (creation and cancellation are ours). */
export const TRACKING_STATUSES = ['picked-up', 'in-transit', 'out-for-delivery', 'delivered', 'delivery-failed', 'returned'] as const;
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];
export const trackingStatusSchema = z.enum(TRACKING_STATUSES);

export const addressSchema = z.object({
  name: z.string().min(1).max(200),
  phone: z.string().regex(/^[0-9+()\- ]{5,30}$/),
  region: z.string().regex(/^\d{6}$/),
  address: z.string().min(1).max(300),
  postcode: z.string().regex(/^\d{6}$/).optional(),
});
export type Address = z.infer<typeof addressSchema>;

export const parcelItemSchema = z.object({
  kind: z.enum(['material', 'licence', 'decision', 'other']),
  reference: id.describe('Material id in the guide, or the licence / document id.'),
  title: z.string().min(1).max(200),
  copies: z.int().min(1).max(100),
});
export type ParcelItem = z.infer<typeof parcelItemSchema>;

export const courierEventSchemas = {
  WaybillCreated: z.object({
    waybillId: id,
    caseId: id,
    direction: z.enum(['inbound', 'outbound']),
    carrier: id,
    trackingNumber: id,
    from: addressSchema,
    to: addressSchema,
    contents: z.array(parcelItemSchema).min(1),
    /** The applicant's opaque ref: who may track it online. */
    owner: z.uuid(),
    /** The delivery this shipment carries out (outbound). */
    deliveryId: id.nullable(),
    createdBy: id,
    createdAt: instant,
  }),
  TrackingEventRecorded: z.object({
    carrierEventId: id,
    status: trackingStatusSchema,
    occurredAt: instant,
    sequence: z.int().min(0).nullable(),
    location: z.string().max(200).nullable(),
    note: z.string().max(500).nullable(),
    receivedAt: instant,
    /** Whether it moved the status; a late, duplicate-in-effect or impossible one stays in the history only. */
    effect: z.enum(['applied', 'late', 'no-change', 'not-allowed']),
  }),
  /** Carries the waybill's identity so the published contract maps from this event alone. */
  StatusChanged: z.object({
    caseId: id,
    carrier: id,
    direction: z.enum(['inbound', 'outbound']),
    from: statusSchema,
    to: statusSchema,
    occurredAt: instant,
    carrierEventId: id.nullable(),
  }),
  WaybillCancelled: z.object({ reason: z.string().min(1).max(500), by: id, cancelledAt: instant }),
  MaterialsReceived: z.object({
    caseId: id,
    carrier: id,
    trackingNumber: id,
    materials: z.array(z.object({ materialId: id, name: z.string().min(1).max(200), copies: z.int().min(1).max(100) })).min(1),
    discrepancy: z.string().min(1).max(1000).nullable(),
    receivedBy: z.object({ staffId: id, department: z.string().min(1).max(100) }),
    receivedAt: instant,
  }),
} as const;

type Schemas = typeof courierEventSchemas;
export type CourierEvent = { [K in keyof Schemas]: { readonly type: K; readonly data: z.infer<Schemas[K]> } }[keyof Schemas];
export type CourierEventOf<K extends CourierEvent['type']> = Extract<CourierEvent, { type: K }>;
