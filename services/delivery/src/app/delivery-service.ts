/**
 * The delivery service's command side and queries. Every command goes
 * through `handleCommand` on the case's stream; event ids derive from what
 * caused the command (a Kafka event id, an Idempotency-Key, a send attempt),
 * so a redelivery or a retried request appends nothing twice.
 */
import { randomInt } from 'node:crypto';
import { computeDeadline } from '@govsvc/calendar/deadline';
import { shanghaiDateOf } from '@govsvc/calendar/civil-date';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { openContact, type ApplicantContact, type ContactKeyring } from '@govsvc/contracts/sealed-contact';
import { ConcurrencyError, NotFoundError } from '@govsvc/errors/errors';
import { handleCommand } from '@govsvc/eventstore/command-handler';
import { deterministicEventIds } from '@govsvc/eventstore/event-ids';
import type { Actor, EventStore } from '@govsvc/eventstore/port';
import { sharedFoldCache, type LoadOptions } from '@govsvc/eventstore/stream-fold-cache';
import type { Clock } from '@govsvc/runtime/clock';
import { deterministicId } from '@govsvc/runtime/ids';
import type { CommandContext, DeliveryCommand, RetryPolicy } from '../domain/commands.ts';
import { deliveryDecider } from '../domain/decide.ts';
import type { DeliveryEvent, NoticeFacts, WorkingDayDeadline } from '../domain/events.ts';
import { parkingDecider, type ParkingCommand, type ParkingState } from '../domain/parking.ts';
import type { DeliveryState } from '../domain/state.ts';
import type { DocumentSigner } from '../adapters/document-signer.ts';
import { deliveryCodec, parkingCodec, parkingStreamOf, streamOf } from './codec.ts';
import { createHash } from 'node:crypto';

/** Licensing Law Art. 44: the licence is issued or delivered within 10 working days of the decision. */
export const DELIVERY_LIMIT_WORKING_DAYS = 10;

export interface Cause {
  /** Seed of the produced events' ids: the same cause never appends twice. */
  readonly seed: string;
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId?: string;
}

export interface DeliveryServiceDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly calendar: WorkingCalendar;
  readonly signer: DocumentSigner;
  readonly keyring: ContactKeyring;
  readonly retry: RetryPolicy;
}

type CommandWithoutCtx = DeliveryCommand extends infer C ? (C extends { ctx: CommandContext } ? Omit<C, 'ctx'> : never) : never;

export class DeliveryService {
  constructor(private readonly deps: DeliveryServiceDeps) {}

  get retry(): RetryPolicy {
    return this.deps.retry;
  }

  /** The notice id of a (case, notice key): the unit of deduplication (R-NOTIFY-1). */
  static noticeIdOf(caseId: string, noticeKey: string): string {
    return deterministicId('govsvc-delivery-notice', `${caseId}/${noticeKey}`);
  }

  /**
   * `probablyNew`: the case's stream is likely absent (its first contracts from intake): decided on the initial
   * state and appended expecting no stream, without a read first; a wrong guess is refused by the store and
   * decided again on a fresh read (handleCommand).
   */
  async execute(
    caseId: string,
    command: CommandWithoutCtx,
    cause: Cause,
    options: { readonly probablyNew?: boolean } = {},
  ): Promise<{ events: readonly DeliveryEvent[]; state: DeliveryState; alreadyAppended: boolean }> {
    const ctx: CommandContext = {
      caseId,
      now: this.deps.clock.now().toISOString(),
      deliveryId: `dlv-${caseId}`,
      pickupCode: String(randomInt(0, 100_000_000)).padStart(8, '0'),
      noticeIdOf: (key) => DeliveryService.noticeIdOf(caseId, key),
    };
    // The consumer, the dispatcher and HTTP requests all append to a case's stream. When another append
    // wins the race, deciding again on the new state is what each of these commands means (they are
    // facts and intents, not edits of a version the caller saw), so a conflict is retried here.
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await handleCommand(this.deps.store, streamOf(caseId), deliveryDecider, { ...command, ctx } as DeliveryCommand, {
          cache: this.cases,
          ...(options.probablyNew === true && { probablyNew: true }),
          eventIds: deterministicEventIds(cause.seed),
          metadata: { caseId, correlationId: cause.correlationId, ...(cause.causationId ? { causationId: cause.causationId } : {}), actor: cause.actor },
        });
        return { events: result.events, state: result.state, alreadyAppended: result.alreadyAppended };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= 8) throw error;
      }
    }
  }

  /**
   * Requests a notice, or parks it while the case's preferences are unknown (finding 7: a notice must not
   * stand ahead of the preferences it is sent by). Parked, it is requested by `releaseParkedNotices` with
   * this cause, so its events get the ids they would have had in order.
   */
  async requestNotice(caseId: string, notice: { readonly noticeKey: string; readonly facts: NoticeFacts }, cause: Cause): Promise<'requested' | 'parked'> {
    if (await this.hasPreferences(caseId)) {
      await this.execute(caseId, { type: 'RequestNotice', data: notice }, cause);
      return 'requested';
    }
    await this.park(caseId, {
      type: 'ParkNotice',
      data: { parkId: cause.seed, ...notice, cause: { seed: cause.seed, actor: { id: cause.actor.id, role: cause.actor.role }, correlationId: cause.correlationId, causationId: cause.causationId ?? null } },
      now: this.deps.clock.now().toISOString(),
    }, `${cause.seed}/park`, cause);
    // The preferences may have been recorded (and the lot drained) between the read above and the park:
    // whichever of the two comes second drains, so nothing waits for preferences that are already here.
    await this.releaseParkedNotices(caseId);
    return 'parked';
  }

  /**
   * Requests every parked notice of the case, in the order parked, once its preferences are known; each
   * released only after its request is stored. A crash in between requests it again on the next drain,
   * which appends nothing (same ids), then releases it.
   */
  async releaseParkedNotices(caseId: string): Promise<number> {
    if (!(await this.hasPreferences(caseId))) return 0;
    const { waiting } = await this.parking(caseId);
    for (const parked of waiting) {
      const cause: Cause = { seed: parked.cause.seed, actor: parked.cause.actor, correlationId: parked.cause.correlationId, ...(parked.cause.causationId !== null && { causationId: parked.cause.causationId }) };
      await this.execute(caseId, { type: 'RequestNotice', data: { noticeKey: parked.noticeKey, facts: parked.facts } }, cause);
      await this.park(caseId, { type: 'ReleaseNotice', data: { parkId: parked.parkId }, now: this.deps.clock.now().toISOString() }, `${parked.cause.seed}/release`, cause);
    }
    return waiting.length;
  }

  /**
   * Whether the case's preferences are recorded. Once recorded they stay (a change only replaces the
   * choice: state.ts), so a kept state that has them answers without asking the store; one without them
   * may be behind it and is read. The notice's own append still expects the revision it decided on. In a
   * megacity day this was one read of the case per contract that asks for a notice.
   */
  private async hasPreferences(caseId: string): Promise<boolean> {
    if (this.cases.kept(streamOf(caseId))?.state.preferences) return true;
    return (await this.state(caseId)).preferences !== null;
  }

  async parking(caseId: string): Promise<ParkingState> {
    return (await this.lots.load(this.deps.store, parkingStreamOf(caseId))).state;
  }

  private async park(caseId: string, command: ParkingCommand, seed: string, cause: Cause): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await handleCommand(this.deps.store, parkingStreamOf(caseId), parkingDecider, command, {
          cache: this.lots,
          eventIds: deterministicEventIds(seed),
          metadata: { caseId, correlationId: cause.correlationId, ...(cause.causationId ? { causationId: cause.causationId } : {}), actor: cause.actor },
        });
        return;
      } catch (error) {
        // Two contracts of one case parked at once: decide again on the lot as it now is.
        if (!(error instanceof ConcurrencyError) || attempt >= 8) throw error;
      }
    }
  }

  /** The case as stored; `options` as `StreamFoldCache.load`'s (the dispatcher passes the revision that woke it). */
  async state(caseId: string, options: LoadOptions = {}): Promise<DeliveryState> {
    return (await this.cases.load(this.deps.store, streamOf(caseId), options)).state;
  }

  // The consumer, the dispatcher and the HTTP routes read a case several times per contract: each read asks the
  // store only for the events after the state kept from the last one (stream-fold-cache.ts).
  private get cases() {
    return sharedFoldCache(this.deps.store, deliveryDecider, deliveryCodec);
  }

  private get lots() {
    return sharedFoldCache(this.deps.store, parkingDecider, parkingCodec);
  }

  /**
   * The state, or 404 when the case is unknown here or not the viewer's: an applicant sees their own
   * cases; a clerk those of their centre (where it was handed in, or where its result is held for
   * pickup); operators and supervisors all. Unknown and not-yours look the same.
   */
  async stateVisibleTo(caseId: string, viewer: Viewer): Promise<DeliveryState> {
    const state = await this.state(caseId);
    const known = state.preferences !== null || state.notices.size > 0 || state.decision !== null || state.licence !== null;
    if (!known || !mayView(state, viewer)) throw new NotFoundError(`no case ${caseId}`);
    return state;
  }

  /** Decision day + 10 working days on the statutory calendar (Art. 44, Art. 82). */
  deliveryDeadline(decidedAt: string): WorkingDayDeadline {
    const deadline = computeDeadline(this.deps.calendar, { start: shanghaiDateOf(decidedAt), workingDays: DELIVERY_LIMIT_WORKING_DAYS });
    return { date: deadline.due, provisional: deadline.provisional };
  }

  /** The electronic result document (电子送达文书), signed. */
  signedDocument(caseId: string, licence: { licenceId: string; resultName: string; electronicLicenceId: string | null; validUntil: string | null; issuedAt: string; forms: readonly string[] }) {
    const content = JSON.stringify({
      document: '电子送达文书',
      caseId,
      licenceId: licence.licenceId,
      resultName: licence.resultName,
      electronicLicenceId: licence.electronicLicenceId,
      forms: [...licence.forms].sort(),
      validUntil: licence.validUntil,
      issuedAt: licence.issuedAt,
      signedWith: this.deps.signer.keyId,
    });
    const bytes = Buffer.from(content, 'utf8');
    return {
      documentId: `doc-${licence.licenceId}`,
      content,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      signature: this.deps.signer.sign(bytes),
      keyId: this.deps.signer.keyId,
    };
  }

  openContact(caseId: string, state: DeliveryState): ApplicantContact {
    if (!state.preferences) throw new NotFoundError('no contact on file');
    return openContact(state.preferences.contact, caseId, this.deps.keyring);
  }

  /**
   * Notifications that gave up, across cases, for the operator (R-NOTIFY-1: never silently). Read whole
   * each time: paging `readAll` by position is no tail (a transaction committing late would be skipped),
   * and these three event types are few.
   */
  async failedNotifications(): Promise<FailedNotification[]> {
    const open = new Map<string, FailedNotification>();
    let after = 0n;
    for (;;) {
      const batch = await this.deps.store.readAll({
        after,
        maxCount: 500,
        filter: { categories: ['delivery'], eventTypes: ['NotificationFailed', 'NotificationRequeued', 'NotificationSent'] },
      });
      for (const stored of batch) {
        const event = deliveryCodec.decode(stored);
        const caseId = stored.stream.slice('delivery-'.length);
        if (event.type === 'NotificationFailed') {
          open.set(`${event.data.noticeId}/${event.data.channel}`, { caseId, ...event.data });
        } else if (event.type === 'NotificationRequeued' || event.type === 'NotificationSent') {
          open.delete(`${event.data.noticeId}/${event.data.channel}`);
        }
        after = stored.globalPosition;
      }
      if (batch.length < 500) break;
    }
    return [...open.values()].sort((a, b) => a.failedAt.localeCompare(b.failedAt));
  }
}

export type Viewer =
  | { readonly kind: 'applicant'; readonly ref: string }
  | { readonly kind: 'clerk'; readonly centre: string | null }
  | { readonly kind: 'kiosk'; readonly kioskId: string }
  | { readonly kind: 'staff' };

function mayView(state: DeliveryState, viewer: Viewer): boolean {
  const choice = state.preferences?.choice;
  const pickupCentre = choice && (choice.method === 'window-pickup' || choice.method === 'kiosk-pickup') ? choice.serviceCentre : null;
  switch (viewer.kind) {
    case 'staff':
      return true;
    case 'applicant':
      return state.preferences?.applicant.ref === viewer.ref;
    case 'clerk':
      return viewer.centre !== null && (viewer.centre === state.submissionCentre || viewer.centre === pickupCentre);
    case 'kiosk':
      // A kiosk only serves results held for kiosk pickup; the code and the card are checked on pickup.
      return choice?.method === 'kiosk-pickup';
  }
}

export interface FailedNotification {
  readonly caseId: string;
  readonly noticeId: string;
  readonly channel: string;
  readonly attempts: number;
  readonly error: string;
  readonly failedAt: string;
}
