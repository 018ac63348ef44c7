/**
 * What the dispatcher reads (issue 8): woken by a stored event, it needs the case only up to that
 * event, so a case this process just wrote is dispatched from the state it keeps, and a case
 * another instance wrote is read from the store.
 */
import { loadCalendar } from '@govsvc/calendar/data-files';
import { sealContact } from '@govsvc/contracts/sealed-contact';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import { waitFor } from '@govsvc/messaging/wait-for';
import { ControlledClock } from '@govsvc/runtime/clock';
import { createLogger } from '@govsvc/service-kit/logging';
import { afterEach, describe, expect, it } from 'vitest';
import { applicantRef, contact, contactKeys } from '../../test/support.ts';
import { createEd25519Signer } from '../adapters/document-signer.ts';
import { createLocalProvider, LocalOutbox } from '../adapters/local-provider.ts';
import { DeliveryService } from './delivery-service.ts';
import { Dispatcher } from './dispatcher.ts';

const caseId = 'case-reads';
const stream = `delivery-${caseId}`;
const cause = (seed: string) => ({ seed, actor: { id: 't', role: 'integration' }, correlationId: 'c' });

/** The store as another object (so a fold cache of its own, as another instance has), counting reads of the case. */
function countingView(store: EventStore) {
  const reads = { count: 0 };
  const view = new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'readStream') {
        return (name: string, options?: Parameters<EventStore['readStream']>[1]) => {
          if (name === stream) reads.count += 1;
          return target.readStream(name, options);
        };
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { view, reads };
}

const clock = new ControlledClock('2025-03-20T08:00:00.000Z');
const serviceOn = async (store: EventStore) => new DeliveryService({ store, clock, calendar: await loadCalendar(), signer: createEd25519Signer('k'), keyring: contactKeys, retry: { maxAttempts: 6, delaysMs: [5_000, 30_000] } });

async function recordPreferences(service: DeliveryService) {
  await service.execute(
    caseId,
    {
      type: 'RecordPreferences',
      data: {
        caseNumber: '京110105-20250320-000778',
        itemCode: 'item-1',
        itemName: '食品经营许可',
        applicant: { kind: 'person', maskedId: '110105********002X', ref: applicantRef },
        channels: ['sms'],
        choice: { method: 'electronic' },
        contact: sealContact(contact, caseId, contactKeys),
        recordedAt: clock.now().toISOString(),
      },
    },
    cause('p'),
  );
}

const requestNotice = (service: DeliveryService) =>
  service.execute(caseId, { type: 'RequestNotice', data: { noticeKey: 'accepted:r-1', facts: { stage: 'accepted', decisionDue: '2025-04-01', tolerated: null } } }, cause('n'));

let dispatcher: Dispatcher | undefined;
afterEach(async () => dispatcher?.stop());

function startDispatcher(store: EventStore, service: DeliveryService, outbox: LocalOutbox): Promise<void> {
  dispatcher = new Dispatcher({
    store,
    clock,
    service,
    keyring: contactKeys,
    logger: createLogger({ serviceName: 'delivery', level: 'warn' }),
    senders: { sms: createLocalProvider('sms', outbox, clock), phone: createLocalProvider('phone', outbox, clock), email: createLocalProvider('sms', outbox, clock) },
  });
  return dispatcher.start();
}

describe('the dispatcher reads a case only when what woke it is newer than what it keeps', () => {
  it('R-NOTIFY-1: a notice this process requested is sent and recorded without reading the case again', async () => {
    const { view, reads } = countingView(createInMemoryEventStore());
    const service = await serviceOn(view);
    const outbox = new LocalOutbox();
    await startDispatcher(view, service, outbox);
    await recordPreferences(service);
    await requestNotice(service);
    // One read so far: the first command's, of a stream this process had not kept yet.
    expect(reads.count).toBe(1);
    await waitFor(async () => [...(await service.state(caseId, { atLeastRevision: 0n })).notices.values()][0]?.channels.sms?.status === 'sent', 'the SMS recorded as sent');
    await dispatcher!.idle();
    expect(outbox.list().filter((e) => e.kind === 'sms')).toHaveLength(1);
    // The dispatches woken by both events found them in the state kept here.
    expect(reads.count).toBe(1);
  });

  it('R-NOTIFY-1: a notice another instance requested is read from the store and sent', async () => {
    const store = createInMemoryEventStore();
    const here = countingView(store);
    const service = await serviceOn(here.view);
    await recordPreferences(service); // this process keeps the case at its preferences
    const outbox = new LocalOutbox();
    await startDispatcher(here.view, service, outbox);
    await dispatcher!.idle();
    const before = here.reads.count;
    // Another instance (its own cache) requests the notice: the state kept here is older than the event that wakes the dispatcher.
    await requestNotice(await serviceOn(countingView(store).view));
    await waitFor(() => outbox.list().some((e) => e.kind === 'sms'), 'the SMS sent');
    await dispatcher!.idle();
    expect(here.reads.count).toBeGreaterThan(before);
    expect(outbox.list().filter((e) => e.kind === 'sms')).toHaveLength(1);
  });
});
