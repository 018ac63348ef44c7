/**
 * The courier service's command side and queries (R-COURIER-1). Waybills are
 * created with the carrier first (our waybill id as its order id, so a retry
 * creates no second parcel), then recorded; every tracking event, from a
 * webhook or a poll, becomes a command on the waybill's stream with ids
 * derived from the carrier's event id.
 */
import { randomUUID } from 'node:crypto';
import { ConcurrencyError, NotFoundError, RuleViolation, UnavailableError, ValidationError } from '@govsvc/errors/errors';
import { handleCommand } from '@govsvc/eventstore/command-handler';
import type { Decider } from '@govsvc/eventstore/decider';
import type { DomainEvent, EventCodec } from '@govsvc/eventstore/event-codec';
import { deterministicEventIds } from '@govsvc/eventstore/event-ids';
import type { Actor, EventStore } from '@govsvc/eventstore/port';
import { sharedFoldCache } from '@govsvc/eventstore/stream-fold-cache';
import type { Clock } from '@govsvc/runtime/clock';
import { caseOwnerDecider, type CaseOwnerState } from '../domain/case-owner.ts';
import type { Address, ParcelItem } from '../domain/events.ts';
import { unmatchedScansDecider, type UnmatchedScanCommand, type UnmatchedScansState } from '../domain/unmatched-scans.ts';
import { waybillDecider, type CourierCommand, type WaybillState } from '../domain/waybill.ts';
import { CarrierError, type Carrier, type CarrierTrackingEvent } from './carriers.ts';
import { caseOwnerCodec, caseStream, UNMATCHED_CATEGORY, unmatchedScanCodec, unmatchedStream, waybillCodec, waybillStream } from './codec.ts';
import { WaybillDirectory } from './waybill-directory.ts';

export interface Cause {
  readonly seed: string;
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId?: string;
}

export interface CourierServiceDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly carriers: ReadonlyMap<string, Carrier>;
  readonly defaultCarrier: string;
  /** The service centre's address: where inbound parcels go and outbound ones come from. */
  readonly centreAddress: Address;
  /** How long a scan for an unknown tracking number is held for its waybill (default 7 days). */
  readonly unmatchedScanRetentionMs?: number;
  /** Told when the waybill directory's subscription stops on an event it cannot fold. */
  readonly onDirectoryError?: (error: unknown) => void;
}

export const DEFAULT_UNMATCHED_SCAN_RETENTION_MS = 7 * 24 * 3_600_000;

export type UnmatchedScanOutcome = 'held' | 'applied' | 'expired';

/** What the webhook made of one carrier event: recorded on its waybill, or held until the waybill exists. */
export type ScanReceipt = { readonly kind: 'recorded'; readonly waybillId: string; readonly state: WaybillState } | { readonly kind: 'held' };

type WithoutAt<T> = T extends { data: infer D } ? Omit<T, 'data'> & { data: Omit<D, 'at'> } : never;

export class CourierService {
  /** Who a carrier's tracking number belongs to, and a case's waybills: the module starts and stops it. */
  readonly directory: WaybillDirectory;

  private observers: ((outcome: UnmatchedScanOutcome, carrier: string) => void)[] = [];

  constructor(private readonly deps: CourierServiceDeps) {
    this.directory = new WaybillDirectory(deps.store, { onError: deps.onDirectoryError });
  }

  /** Called once per scan held, applied or expired (the module counts them as a metric). */
  onUnmatchedScan(observer: (outcome: UnmatchedScanOutcome, carrier: string) => void): void {
    this.observers.push(observer);
  }

  private observe(outcome: UnmatchedScanOutcome, carrier: string, count = 1): void {
    for (let i = 0; i < count; i++) for (const observer of this.observers) observer(outcome, carrier);
  }

  private async run<S, C extends { data: object }, E extends DomainEvent>(stream: string, decider: Decider<S, C, E>, codec: EventCodec<E>, command: C, cause: Cause, caseId: string, probablyNew = false) {
    // Webhooks, the consumer and staff may append to one waybill at once: on a conflict the command is
    // decided again on the new state (each is a fact or an intent, never an edit of a version seen).
    for (let attempt = 1; ; attempt++) {
      try {
        return await handleCommand(this.deps.store, stream, decider, command, {
          cache: sharedFoldCache(this.deps.store, decider, codec),
          eventIds: deterministicEventIds(cause.seed),
          ...(probablyNew && { probablyNew }),
          metadata: { caseId, correlationId: cause.correlationId, ...(cause.causationId ? { causationId: cause.causationId } : {}), actor: cause.actor },
        });
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= 8) throw error;
      }
    }
  }

  async execute(waybillId: string, caseId: string, command: WithoutAt<CourierCommand>, cause: Cause) {
    const at = this.deps.clock.now().toISOString();
    return this.run(waybillStream(waybillId), waybillDecider, waybillCodec, { ...command, data: { ...command.data, at } } as CourierCommand, cause, caseId);
  }

  carrier(name: string): Carrier {
    const carrier = this.deps.carriers.get(name);
    if (!carrier) throw new NotFoundError(`no carrier ${name}`);
    return carrier;
  }

  async createWaybill(input: {
    readonly waybillId: string;
    readonly caseId: string;
    readonly direction: 'inbound' | 'outbound';
    readonly carrier?: string;
    readonly counterpart: Address;
    readonly contents: readonly ParcelItem[];
    readonly owner: string;
    readonly deliveryId: string | null;
    readonly createdBy: string;
  }, cause: Cause): Promise<WaybillState> {
    const existing = await this.state(input.waybillId);
    if (existing.waybill) {
      // A retried creation finishes what a crash may have cut short: scans held for it are applied.
      const applied = await this.applyHeldScans(existing.waybill.carrier, existing.waybill.trackingNumber, input.waybillId);
      return applied > 0 ? this.state(input.waybillId) : existing;
    }
    const carrierName = input.carrier ?? this.deps.defaultCarrier;
    if (!this.deps.carriers.has(carrierName)) {
      throw new ValidationError(`no carrier ${carrierName}`, [{ path: '/carrier', reason: `one of ${[...this.deps.carriers.keys()].join(', ')}` }]);
    }
    const carrier = this.carrier(carrierName);
    const [from, to] = input.direction === 'inbound' ? [input.counterpart, this.deps.centreAddress] : [this.deps.centreAddress, input.counterpart];
    if (input.contents.length === 0) throw new ValidationError('a parcel holds something', [{ path: '/contents', reason: 'empty', rule: 'R-COURIER-1' }]);
    const { trackingNumber } = await carrier.createShipment({ waybillId: input.waybillId, from, to, contents: input.contents });
    const result = await this.execute(
      input.waybillId,
      input.caseId,
      {
        type: 'CreateWaybill',
        data: {
          waybillId: input.waybillId,
          caseId: input.caseId,
          direction: input.direction,
          carrier: carrierName,
          trackingNumber,
          from,
          to,
          contents: [...input.contents],
          owner: input.owner,
          deliveryId: input.deliveryId,
          createdBy: input.createdBy,
        },
      },
      cause,
    );
    // The carrier may have scanned the parcel before this append: apply what it sent meanwhile.
    const applied = await this.applyHeldScans(carrierName, trackingNumber, input.waybillId);
    return applied > 0 ? this.state(input.waybillId) : result.state;
  }

  /** Stops the parcel at the carrier; its refusal (already picked up, even if we were not told yet) is a 409. */
  async cancelAtCarrier(carrierName: string, trackingNumber: string): Promise<void> {
    try {
      await this.carrier(carrierName).cancel(trackingNumber);
    } catch (error) {
      if (!(error instanceof CarrierError)) throw error;
      if (error.retryable) throw new UnavailableError(`carrier ${carrierName}: ${error.message}`);
      throw new RuleViolation('R-COURIER-1', `the carrier cannot stop the parcel: ${error.message}`);
    }
  }

  async recordTracking(carrier: string, event: CarrierTrackingEvent, cause: Omit<Cause, 'seed'>): Promise<{ waybillId: string; state: WaybillState } | null> {
    const waybillId = await this.findByTracking(carrier, event.trackingNumber);
    if (!waybillId) return null;
    const current = await this.state(waybillId);
    const result = await this.execute(
      waybillId,
      current.waybill!.caseId,
      {
        type: 'RecordTrackingEvent',
        data: { carrierEventId: event.eventId, status: event.status, occurredAt: new Date(event.occurredAt).toISOString(), sequence: event.sequence, location: event.location, note: event.note },
      },
      { ...cause, seed: `carrier:${carrier}:${event.eventId}` },
    );
    return { waybillId, state: result.state };
  }

  /**
   * A scan from the carrier's webhook: recorded on its waybill, or, for a tracking number no waybill
   * claims yet, held in its (carrier, tracking number) stream until the waybill is created.
   */
  async receiveScan(carrier: string, event: CarrierTrackingEvent, cause: Omit<Cause, 'seed'> & { readonly webhookDeliveryId: string }): Promise<ScanReceipt> {
    const recorded = await this.recordTracking(carrier, event, cause);
    if (recorded) return { kind: 'recorded', ...recorded };
    const scan = { carrierEventId: event.eventId, status: event.status, occurredAt: new Date(event.occurredAt).toISOString(), sequence: event.sequence, location: event.location, note: event.note };
    const held = await this.runUnmatched(
      carrier,
      event.trackingNumber,
      {
        type: 'HoldScan',
        data: { carrier, trackingNumber: event.trackingNumber, scan, webhookDeliveryId: cause.webhookDeliveryId, correlationId: cause.correlationId },
        now: this.deps.clock.now().toISOString(),
        retentionMs: this.deps.unmatchedScanRetentionMs ?? DEFAULT_UNMATCHED_SCAN_RETENTION_MS,
      },
      `unmatched:${carrier}:${event.eventId}:held`,
      cause,
    );
    if (!held.alreadyAppended && held.events.length > 0) this.observe('held', carrier);
    // The waybill may have been recorded between the lookup and the hold, and its creation then found
    // nothing held. Whichever of the two comes second applies, so a held scan never waits for a waybill that exists.
    const waybillId = await this.findByTracking(carrier, event.trackingNumber);
    if (!waybillId) return { kind: 'held' };
    await this.applyHeldScans(carrier, event.trackingNumber, waybillId);
    return { kind: 'recorded', waybillId, state: await this.state(waybillId) };
  }

  /**
   * Applies the scans held for (carrier, tracking number) to the waybill, in the order received, each
   * with the event ids its direct recording would have had (so a scan also sent again later is recorded
   * once), and marks each applied after its recording is stored: a drain cut short is finished by the next.
   */
  async applyHeldScans(carrier: string, trackingNumber: string, waybillId: string): Promise<number> {
    const { waiting } = await this.unmatched(carrier, trackingNumber);
    if (waiting.length === 0) return 0;
    const waybill = (await this.state(waybillId)).waybill;
    if (!waybill) return 0;
    let applied = 0;
    for (const held of waiting) {
      const cause: Cause = { seed: `carrier:${carrier}:${held.scan.carrierEventId}`, actor: { id: `carrier:${carrier}`, role: 'integration' }, correlationId: held.correlationId, causationId: held.webhookDeliveryId };
      await this.execute(waybillId, waybill.caseId, { type: 'RecordTrackingEvent', data: held.scan }, cause);
      const marked = await this.runUnmatched(
        carrier,
        trackingNumber,
        { type: 'MarkApplied', data: { carrierEventId: held.scan.carrierEventId, waybillId }, now: this.deps.clock.now().toISOString() },
        `unmatched:${carrier}:${held.scan.carrierEventId}:applied`,
        cause,
      );
      if (!marked.alreadyAppended && marked.events.length > 0) {
        applied += 1;
        this.observe('applied', carrier);
      }
    }
    return applied;
  }

  async unmatched(carrier: string, trackingNumber: string): Promise<UnmatchedScansState> {
    return (await this.folded(unmatchedScansDecider, unmatchedScanCodec, unmatchedStream(carrier, trackingNumber))).state;
  }

  /**
   * Scans still held, across tracking numbers, and the streams holding one past its retention. Read
   * whole: held scans are few (a carrier scans early by seconds or minutes) and the retention bounds them.
   */
  async heldScans(now: Date = this.deps.clock.now()): Promise<{ readonly waiting: number; readonly due: readonly { readonly carrier: string; readonly trackingNumber: string; readonly firstDue: string }[] }> {
    const held = new Map<string, { carrier: string; trackingNumber: string; carrierEventId: string; holdUntil: string }>();
    let after = 0n;
    for (;;) {
      const batch = await this.deps.store.readAll({ after, maxCount: 500, filter: { categories: [UNMATCHED_CATEGORY] } });
      for (const stored of batch) {
        const event = unmatchedScanCodec.decode(stored);
        if (event.type === 'ScanHeld') {
          const d = event.data;
          held.set(`${stored.stream}\u0000${d.scan.carrierEventId}`, { carrier: d.carrier, trackingNumber: d.trackingNumber, carrierEventId: d.scan.carrierEventId, holdUntil: d.holdUntil });
        } else {
          held.delete(`${stored.stream}\u0000${event.data.carrierEventId}`);
        }
        after = stored.globalPosition;
      }
      if (batch.length < 500) break;
    }
    const due = new Map<string, { carrier: string; trackingNumber: string; firstDue: string }>();
    for (const h of held.values()) {
      if (new Date(h.holdUntil).getTime() > now.getTime()) continue;
      const key = unmatchedStream(h.carrier, h.trackingNumber);
      if (!due.has(key)) due.set(key, { carrier: h.carrier, trackingNumber: h.trackingNumber, firstDue: h.carrierEventId });
    }
    return { waiting: held.size, due: [...due.values()] };
  }

  /** Marks expired every held scan past its retention (kept in its stream, never applied). Returns how many. */
  async expireHeldScans(now: Date = this.deps.clock.now()): Promise<number> {
    let expired = 0;
    for (const { carrier, trackingNumber, firstDue } of (await this.heldScans(now)).due) {
      const result = await this.runUnmatched(
        carrier,
        trackingNumber,
        { type: 'ExpireDue', now: now.toISOString() },
        `unmatched:${carrier}:${trackingNumber}:expire:${firstDue}`,
        { actor: { id: 'courier', role: 'system' }, correlationId: `expire-held-scans-${now.getTime()}` },
      );
      if (result.alreadyAppended) continue;
      expired += result.events.length;
      this.observe('expired', carrier, result.events.length);
    }
    return expired;
  }

  private async runUnmatched(carrier: string, trackingNumber: string, command: UnmatchedScanCommand, seed: string, cause: Omit<Cause, 'seed'>) {
    for (let attempt = 1; ; attempt++) {
      try {
        // No case id in the metadata: nobody knows yet whose parcel this is.
        return await handleCommand(this.deps.store, unmatchedStream(carrier, trackingNumber), unmatchedScansDecider, command, {
          cache: sharedFoldCache(this.deps.store, unmatchedScansDecider, unmatchedScanCodec),
          eventIds: deterministicEventIds(seed),
          metadata: { correlationId: cause.correlationId, ...(cause.causationId ? { causationId: cause.causationId } : {}), actor: cause.actor },
        });
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= 8) throw error;
      }
    }
  }

  async state(waybillId: string): Promise<WaybillState> {
    return (await this.folded(waybillDecider, waybillCodec, waybillStream(waybillId))).state;
  }

  /** A stream as the store holds it, read from where this process last folded it (stream-fold-cache.ts). */
  private folded<S, C, E extends DomainEvent>(decider: Decider<S, C, E>, codec: EventCodec<E>, stream: string) {
    return sharedFoldCache(this.deps.store, decider, codec).load(this.deps.store, stream);
  }

  findByTracking(carrier: string, trackingNumber: string): Promise<string | undefined> {
    return this.directory.findByTracking(carrier, trackingNumber);
  }

  /** The waybills of a case, in creation order. */
  async waybillsOf(caseId: string): Promise<WaybillState[]> {
    return Promise.all((await this.directory.waybillsOf(caseId)).map((id) => this.state(id)));
  }

  /**
   * `probablyNew`: the caller knows the case is nearly always new here (its submission), so it is decided
   * without reading its stream first; a wrong guess is refused by the store and read after all.
   */
  async recordCaseOwner(caseId: string, owner: string, maskedId: string, cause: Cause, options: { probablyNew?: boolean } = {}): Promise<void> {
    // A repeat of the owner held here (the preferences after the submission) is settled without a read (case-owner.ts).
    await this.run(caseStream(caseId), caseOwnerDecider, caseOwnerCodec, { type: 'RecordCaseOwner', data: { owner, maskedId, recordedAt: this.deps.clock.now().toISOString() } }, cause, caseId, options.probablyNew === true);
  }

  async recordCaseCentre(caseId: string, centre: string, basis: 'submission' | 'pickup', cause: Cause): Promise<void> {
    await this.run(caseStream(caseId), caseOwnerDecider, caseOwnerCodec, { type: 'RecordCaseCentre', data: { centre, basis, recordedAt: this.deps.clock.now().toISOString() } }, cause, caseId);
  }

  /** Owner and centres of a case as far as courier heard of them. */
  async caseOf(caseId: string): Promise<CaseOwnerState> {
    return (await this.folded(caseOwnerDecider, caseOwnerCodec, caseStream(caseId))).state;
  }

  async ownerOf(caseId: string): Promise<string | null> {
    return (await this.caseOf(caseId)).owner;
  }

  newWaybillId(): string {
    return `wb-${randomUUID()}`;
  }
}
