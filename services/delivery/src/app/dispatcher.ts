/**
 * The dispatcher sends what is due (R-NOTIFY-1): at least once, deduplicated
 * per (case, notice, channel) by the decider, retried with backoff on the
 * injectable clock, and recorded either way: every attempt's outcome is an
 * event, a notification that gives up ends in `NotificationFailed`, which the
 * operator query lists.
 *
 * It follows the delivery streams with a catch-up subscription and works per
 * case, one dispatch per case at a time (a second request while one runs
 * reruns it afterwards). The subscription hands cases over and moves on, so a
 * slow mail server never holds up the stream; what a crash interrupts is found
 * again at start, by scanning for cases with notices (`resumeAll`).
 */
import type { ContactKeyring } from '@govsvc/contracts/sealed-contact';
import type { EventStore, Subscription } from '@govsvc/eventstore/port';
import type { Clock } from '@govsvc/runtime/clock';
import type { Logger } from 'pino';
import { dueSends, nextRetryAt, type DueSend } from '../domain/dispatch.ts';
import type { Channel } from '../domain/events.ts';
import type { DeliveryState } from '../domain/state.ts';
import { renderNotice, UnsafeMessageError } from '../domain/templates.ts';
import { ChannelError, type NotificationSenders } from './channels.ts';
import { caseIdOfStream, DELIVERY_CATEGORY } from './codec.ts';
import type { DeliveryService } from './delivery-service.ts';

export interface DispatcherDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly service: DeliveryService;
  readonly senders: NotificationSenders;
  readonly keyring: ContactKeyring;
  readonly logger: Logger;
  /** Cases dispatched at once. */
  readonly concurrency?: number;
}

const TRIGGERS = ['PreferencesRecorded', 'NoticeRequested', 'NotificationAttemptFailed', 'NotificationRequeued'];

export class Dispatcher {
  private subscription: Subscription | undefined;
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly timers = new Map<string, AbortController>();
  private readonly queue: string[] = [];
  /** Per case asked for: the stored revision its next dispatch must see, or null for a read of the store. */
  private readonly needs = new Map<string, bigint | null>();
  private active = 0;
  private stopped = false;

  constructor(private readonly deps: DispatcherDeps) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.resumeAll();
    this.subscription = this.deps.store.subscribeToAll(
      // Lingers 50 ms after a drained read: a sending is due within seconds, and a read per commit was most of delivery's tails.
      { subscriptionId: 'delivery-dispatcher', filter: { categories: [DELIVERY_CATEGORY], eventTypes: TRIGGERS }, lingerMs: 50 },
      async (events) => {
        for (const e of events) this.request(caseIdOfStream(e.stream), e.revision);
      },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) timer.abort();
    this.timers.clear();
    await this.subscription?.stop();
    await Promise.allSettled([...this.running.values()]);
  }

  /** Dispatches every case that has notices: after a restart, nothing due is forgotten. */
  async resumeAll(): Promise<void> {
    const cases = new Set<string>();
    let after = 0n;
    for (;;) {
      const batch = await this.deps.store.readAll({ after, maxCount: 1_000, filter: { categories: [DELIVERY_CATEGORY], eventTypes: ['NoticeRequested'] } });
      for (const e of batch) cases.add(caseIdOfStream(e.stream));
      const last = batch[batch.length - 1];
      if (!last || batch.length < 1_000) break;
      after = last.globalPosition;
    }
    for (const caseId of cases) this.request(caseId);
  }

  /** Resolves once no dispatch is running or queued (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.queue.length > 0) await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Dispatches the case soon. `storedUpTo`: the revision of the stored event that asks for it. The
   * dispatch then reads the case only when the state this process keeps is older than that (what
   * was appended after it wakes the dispatcher again); without it (start, retry timers) it reads.
   */
  request(caseId: string, storedUpTo: bigint | null = null): void {
    if (this.stopped) return;
    const needed = this.needs.get(caseId);
    // The later of the two revisions; a request that must read (null) wins over any revision.
    if (needed === undefined || (needed !== null && (storedUpTo === null || storedUpTo > needed))) this.needs.set(caseId, storedUpTo);
    this.enqueue(caseId);
  }

  private enqueue(caseId: string): void {
    if (this.stopped) return;
    // Running: once more afterwards. Queued: the run has not read the case yet, so it sees this request too.
    if (this.running.has(caseId)) {
      this.again.add(caseId);
      return;
    }
    if (this.queue.includes(caseId)) return;
    this.queue.push(caseId);
    this.pump();
  }

  private pump(): void {
    const limit = this.deps.concurrency ?? 8;
    while (this.active < limit && this.queue.length > 0) {
      const caseId = this.queue.shift()!;
      this.active++;
      const run = this.dispatchCase(caseId)
        .catch((error: unknown) => this.deps.logger.error({ caseId, err: error }, 'dispatch failed; it is retried on the next trigger'))
        .finally(() => {
          this.active--;
          this.running.delete(caseId);
          if (this.again.delete(caseId)) this.enqueue(caseId);
          this.pump();
        });
      this.running.set(caseId, run);
    }
  }

  private async dispatchCase(caseId: string): Promise<void> {
    const storedUpTo = this.needs.get(caseId) ?? null;
    this.needs.delete(caseId);
    let state = await this.deps.service.state(caseId, { atLeastRevision: storedUpTo ?? undefined });
    for (const due of dueSends(state, this.deps.clock.now())) {
      state = await this.sendOne(caseId, state, due);
    }
    this.scheduleRetry(caseId, nextRetryAt(state));
  }

  private async sendOne(caseId: string, state: DeliveryState, due: DueSend): Promise<DeliveryState> {
    const { notice, channel, attempt, round } = due;
    let outcome: { kind: 'sent'; providerMessageId: string } | { kind: 'failed'; error: string; permanent: boolean };
    try {
      const contact = this.deps.service.openContact(caseId, state);
      const to = addressFor(channel, contact);
      if (!to) throw new ChannelError(`no ${channel === 'email' ? 'e-mail address' : 'phone number'} on file for the ${channel} channel`, true);
      const prefs = state.preferences!;
      const message = renderNotice(notice.facts, { caseNumber: prefs.caseNumber, itemName: prefs.itemName, name: contact.name }, channel);
      const sent = await this.deps.senders[channel].send({ to, ...message, idempotencyKey: `${notice.noticeId}.${channel}` });
      outcome = { kind: 'sent', providerMessageId: sent.providerMessageId };
    } catch (error) {
      const permanent = error instanceof ChannelError ? error.permanent : error instanceof UnsafeMessageError || isValidation(error);
      outcome = { kind: 'failed', error: error instanceof Error ? error.message : String(error), permanent };
      this.deps.logger.warn({ caseId, noticeId: notice.noticeId, channel, attempt, permanent, err: outcome.error }, 'notification attempt failed');
    }
    const result = await this.deps.service.execute(
      caseId,
      { type: 'RecordSendOutcome', data: { noticeId: notice.noticeId, channel, attempt, outcome, retry: this.deps.service.retry } },
      {
        seed: `send:${notice.noticeId}:${channel}:${round}:${attempt}`,
        actor: { id: 'delivery-dispatcher', role: 'system' },
        correlationId: notice.noticeId,
      },
    );
    return result.state;
  }

  private scheduleRetry(caseId: string, at: Date | null): void {
    this.timers.get(caseId)?.abort();
    this.timers.delete(caseId);
    if (!at || this.stopped) return;
    const controller = new AbortController();
    this.timers.set(caseId, controller);
    this.deps.clock.sleepUntil(at, controller.signal).then(
      () => {
        if (this.timers.get(caseId) === controller) this.timers.delete(caseId);
        this.request(caseId);
      },
      () => undefined,
    );
  }
}

const isValidation = (error: unknown): boolean => (error as { code?: string } | null)?.code === 'validation';

function addressFor(channel: Channel, contact: { mobile?: string; phone?: string; email?: string }): string | undefined {
  if (channel === 'email') return contact.email;
  if (channel === 'sms') return contact.mobile;
  return contact.phone ?? contact.mobile;
}
