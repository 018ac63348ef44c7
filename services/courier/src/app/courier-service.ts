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
import type { Clock } from '@govsvc/runtime/clock';
import { caseOwnerDecider, type CaseOwnerState } from '../domain/case-owner.ts';
import type { Address, ParcelItem } from '../domain/events.ts';
import { waybillDecider, type CourierCommand, type WaybillState } from '../domain/waybill.ts';
import { CarrierError, type Carrier, type CarrierTrackingEvent } from './carriers.ts';
import { caseOwnerCodec, caseStream, waybillCodec, waybillStream, WAYBILL_CATEGORY } from './codec.ts';

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
}

type WithoutAt<T> = T extends { data: infer D } ? Omit<T, 'data'> & { data: Omit<D, 'at'> } : never;

export class CourierService {
  /**
   * (carrier, tracking number) → waybill id and case → waybill ids: a cache of the WaybillCreated events,
   * rebuilt from the whole store on a miss (paging `readAll` from a remembered position is no tail: a
   * transaction committing late would be skipped for good).
   */
  private directory = new Map<string, string>();
  private byCase = new Map<string, string[]>();
  private rebuilding: Promise<void> | null = null;

  constructor(private readonly deps: CourierServiceDeps) {}

  private async run<S, C extends { data: object }, E extends DomainEvent>(stream: string, decider: Decider<S, C, E>, codec: EventCodec<E>, command: C, cause: Cause, caseId: string) {
    // Webhooks, the consumer and staff may append to one waybill at once: on a conflict the command is
    // decided again on the new state (each is a fact or an intent, never an edit of a version seen).
    for (let attempt = 1; ; attempt++) {
      try {
        return await handleCommand(this.deps.store, stream, decider, command, {
          codec,
          eventIds: deterministicEventIds(cause.seed),
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
    if (existing.waybill) return existing;
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
    return result.state;
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

  async state(waybillId: string): Promise<WaybillState> {
    const stored = await this.deps.store.readStream(waybillStream(waybillId));
    return stored.map((e) => waybillCodec.decode(e)).reduce(waybillDecider.evolve, waybillDecider.initialState());
  }

  async findByTracking(carrier: string, trackingNumber: string): Promise<string | undefined> {
    const key = `${carrier}\u0000${trackingNumber}`;
    if (!this.directory.has(key)) await this.rebuildDirectory();
    return this.directory.get(key);
  }

  /** The waybills of a case, in creation order. */
  async waybillsOf(caseId: string): Promise<WaybillState[]> {
    await this.rebuildDirectory();
    return Promise.all((this.byCase.get(caseId) ?? []).map((id) => this.state(id)));
  }

  /** One rebuild at a time; concurrent callers share it. */
  private rebuildDirectory(): Promise<void> {
    this.rebuilding ??= this.readDirectory().finally(() => (this.rebuilding = null));
    return this.rebuilding;
  }

  private async readDirectory(): Promise<void> {
    const directory = new Map<string, string>();
    const byCase = new Map<string, string[]>();
    let after = 0n;
    for (;;) {
      const batch = await this.deps.store.readAll({ after, maxCount: 500, filter: { categories: [WAYBILL_CATEGORY], eventTypes: ['WaybillCreated'] } });
      for (const stored of batch) {
        const event = waybillCodec.decode(stored);
        if (event.type === 'WaybillCreated') {
          directory.set(`${event.data.carrier}\u0000${event.data.trackingNumber}`, event.data.waybillId);
          byCase.set(event.data.caseId, [...(byCase.get(event.data.caseId) ?? []), event.data.waybillId]);
        }
        after = stored.globalPosition;
      }
      if (batch.length < 500) break;
    }
    this.directory = directory;
    this.byCase = byCase;
  }

  async recordCaseOwner(caseId: string, owner: string, maskedId: string, cause: Cause): Promise<void> {
    await this.run(caseStream(caseId), caseOwnerDecider, caseOwnerCodec, { type: 'RecordCaseOwner', data: { owner, maskedId, recordedAt: this.deps.clock.now().toISOString() } }, cause, caseId);
  }

  async recordCaseCentre(caseId: string, centre: string, basis: 'submission' | 'pickup', cause: Cause): Promise<void> {
    await this.run(caseStream(caseId), caseOwnerDecider, caseOwnerCodec, { type: 'RecordCaseCentre', data: { centre, basis, recordedAt: this.deps.clock.now().toISOString() } }, cause, caseId);
  }

  /** Owner and centres of a case as far as courier heard of them. */
  async caseOf(caseId: string): Promise<CaseOwnerState> {
    const stored = await this.deps.store.readStream(caseStream(caseId));
    return stored.map((e) => caseOwnerCodec.decode(e)).reduce(caseOwnerDecider.evolve, caseOwnerDecider.initialState());
  }

  async ownerOf(caseId: string): Promise<string | null> {
    return (await this.caseOf(caseId)).owner;
  }

  newWaybillId(): string {
    return `wb-${randomUUID()}`;
  }
}
