/**
 * The courier leg of the fault harness's checker (issue 9): for every case
 * whose applicant chose delivery by post, delivery handed each result to
 * courier once (`PostalDeliveryRequested`, one `deliveryId` per shipment),
 * courier booked exactly one waybill for that (case, shipment) — one
 * `WaybillCreated`, so one booking at the carrier: the waybill id derives from
 * the delivery id and is the carrier's order id — and its tracking reached
 * `delivered` exactly once. A waybill for a shipment nobody asked for (an
 * electronic case, a second hand-over) is a duplicate effect. Pure: the
 * checker reads the store and passes the events in.
 */

export interface PostalHandOver {
  readonly caseId: string;
  /** The `deliveryId`s of the case's `PostalDeliveryRequested` events, in stream order. */
  readonly deliveryIds: readonly string[];
}

/** An event of a `waybill-<id>` stream, as much of it as the check reads. */
export interface WaybillEvent {
  readonly stream: string;
  readonly type: string;
  readonly data: {
    readonly caseId?: string;
    readonly deliveryId?: string | null;
    readonly direction?: string;
    /** `StatusChanged`'s new status (`WaybillCreated`'s `to` is an address). */
    readonly to?: unknown;
    readonly status?: string;
    readonly effect?: string;
    readonly carrierEventId?: string | null;
  };
}

export interface ParcelReport {
  readonly lost: readonly string[];
  readonly twice: readonly string[];
  /** Waybills booked for the post cases, and of them those whose tracking reached delivered. */
  readonly booked: number;
  readonly delivered: number;
}

export function parcelsHeld(postal: readonly PostalHandOver[], events: readonly WaybillEvent[]): ParcelReport {
  const lost: string[] = [];
  const twice: string[] = [];
  const byStream = new Map<string, WaybillEvent[]>();
  for (const e of events) byStream.set(e.stream, [...(byStream.get(e.stream) ?? []), e]);
  // Each waybill's identity, from its (first) creation.
  const waybills = [...byStream].flatMap(([stream, list]) => {
    const created = list.filter((e) => e.type === 'WaybillCreated');
    if (created.length > 1) twice.push(`${stream}: ${created.length} WaybillCreated (booked more than once)`);
    const first = created[0];
    return first === undefined || first.data.direction !== 'outbound' ? [] : [{ stream, caseId: first.data.caseId ?? '?', deliveryId: first.data.deliveryId ?? null, list }];
  });
  const expected = new Set<string>();
  let booked = 0;
  let delivered = 0;
  for (const { caseId, deliveryIds } of postal) {
    if (deliveryIds.length === 0) lost.push(`${caseId}: chose post, but delivery never handed the result to courier`);
    if (deliveryIds.length > 1) twice.push(`${caseId}: ${deliveryIds.length} postal hand-overs`);
    for (const deliveryId of new Set(deliveryIds)) {
      expected.add(`${caseId} ${deliveryId}`);
      const mine = waybills.filter((w) => w.caseId === caseId && w.deliveryId === deliveryId);
      if (mine.length === 0) lost.push(`${caseId}: no waybill for shipment ${deliveryId}`);
      if (mine.length > 1) twice.push(`${caseId}: ${mine.length} waybills for shipment ${deliveryId} (${mine.map((w) => w.stream).join(', ')})`);
      booked += mine.length;
      for (const w of mine) {
        const toDelivered = w.list.filter((e) => e.type === 'StatusChanged' && e.data.to === 'delivered').length;
        const appliedDelivered = w.list.filter((e) => e.type === 'TrackingEventRecorded' && e.data.status === 'delivered' && e.data.effect === 'applied').length;
        if (toDelivered === 0) {
          const last = [...w.list].reverse().find((e) => e.type === 'StatusChanged')?.data.to ?? 'created';
          lost.push(`${w.stream} (${caseId}): tracking never reached delivered (last ${last})`);
        } else delivered++;
        if (toDelivered > 1) twice.push(`${w.stream}: delivered ${toDelivered}×`);
        if (appliedDelivered > 1) twice.push(`${w.stream}: ${appliedDelivered} delivered scans applied`);
      }
    }
  }
  for (const w of waybills) if (!expected.has(`${w.caseId} ${w.deliveryId ?? ''}`)) twice.push(`${w.stream}: a waybill for ${w.caseId} no postal hand-over asked for (shipment ${w.deliveryId ?? 'none'})`);
  // A carrier event is recorded once, however often the carrier (or the harness standing in for it) sent it.
  for (const { stream, list } of waybills) {
    const seen = new Map<string, number>();
    for (const e of list) if (e.type === 'TrackingEventRecorded' && e.data.carrierEventId) seen.set(e.data.carrierEventId, (seen.get(e.data.carrierEventId) ?? 0) + 1);
    for (const [id, n] of seen) if (n > 1) twice.push(`${stream}: carrier event ${id} recorded ${n}×`);
  }
  return { lost, twice, booked, delivered };
}
