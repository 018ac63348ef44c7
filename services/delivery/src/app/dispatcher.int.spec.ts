/**
 * The dispatcher's retries run on the injected clock (R-NOTIFY-1): against a
 * real SMTP server that answers 451 twice, nothing is re-sent until the
 * controlled clock reaches each backoff instant, and the third attempt lands.
 */
import { loadCalendar } from '@govsvc/calendar/data-files';
import { sealContact } from '@govsvc/contracts/sealed-contact';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { waitFor } from '@govsvc/messaging/wait-for';
import { ControlledClock } from '@govsvc/runtime/clock';
import { createLogger } from '@govsvc/service-kit/logging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicantRef, contact, contactKeys } from '../../test/support.ts';
import { startSmtpSink, type SmtpSink } from '../../test/smtp-sink.ts';
import { createEd25519Signer } from '../adapters/document-signer.ts';
import { createLocalProvider, LocalOutbox } from '../adapters/local-provider.ts';
import { createSmtpEmailSender } from '../adapters/smtp-email.ts';
import { DeliveryService } from './delivery-service.ts';
import { Dispatcher } from './dispatcher.ts';
import { LogCapture } from '@govsvc/service-kit/testing';

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => sink.stop());

describe('dispatcher backoff on the injected clock (R-NOTIFY-1)', () => {
  it('R-NOTIFY-1: retries at 5 s and 35 s of controlled time, then records the send once', async () => {
    const clock = new ControlledClock('2025-03-20T08:00:00.000Z');
    const store = createInMemoryEventStore();
    const service = new DeliveryService({ store, clock, calendar: await loadCalendar(), signer: createEd25519Signer('k'), keyring: contactKeys, retry: { maxAttempts: 6, delaysMs: [5_000, 30_000] } });
    const outbox = new LocalOutbox();
    const logs = new LogCapture();
    const dispatcher = new Dispatcher({
      store,
      clock,
      service,
      keyring: contactKeys,
      logger: createLogger({ serviceName: 'delivery', level: 'warn' }, logs),
      senders: {
        email: createSmtpEmailSender({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true, from: 'noreply@zwfw.example', timeoutMs: 5_000 }),
        sms: createLocalProvider('sms', outbox, clock),
        phone: createLocalProvider('phone', outbox, clock),
      },
    });
    const caseId = 'case-backoff';
    const cause = (seed: string) => ({ seed, actor: { id: 't', role: 'integration' }, correlationId: 'c' });
    await service.execute(
      caseId,
      {
        type: 'RecordPreferences',
        data: {
          caseNumber: '京110105-20250320-000777',
          itemCode: 'item-1',
          itemName: '食品经营许可',
          applicant: { kind: 'person', maskedId: '110105********002X', ref: applicantRef },
          channels: ['email'],
          choice: { method: 'electronic' },
          contact: sealContact(contact, caseId, contactKeys),
          recordedAt: clock.now().toISOString(),
        },
      },
      cause('p'),
    );
    sink.tempFail(2);
    await service.execute(caseId, { type: 'RequestNotice', data: { noticeKey: 'accepted:r-1', facts: { stage: 'accepted', decisionDue: '2025-04-01', tolerated: null } } }, cause('n'));
    await dispatcher.start();
    const email = async () => [...(await service.state(caseId)).notices.values()][0]!.channels.email;
    await waitFor(async () => (await email())?.attempts === 1, 'first attempt recorded');
    expect(await email()).toMatchObject({ status: 'pending', nextAttemptAt: '2025-03-20T08:00:05.000Z' });

    clock.advance(4_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await email())?.attempts).toBe(1);
    clock.advance(1_000);
    await waitFor(async () => (await email())?.attempts === 2, 'second attempt at +5 s');
    expect(await email()).toMatchObject({ status: 'pending', nextAttemptAt: '2025-03-20T08:00:35.000Z' });
    clock.advance(30_000);
    await waitFor(async () => (await email())?.status === 'sent', 'third attempt at +35 s succeeds');
    expect(await email()).toMatchObject({ status: 'sent', attempts: 3 });
    await waitFor(() => sink.received.some((m) => m.parsed.subject?.includes('000777')), 'received');
    await dispatcher.idle();
    expect(sink.received.filter((m) => m.parsed.subject?.includes('000777'))).toHaveLength(1);
    await dispatcher.stop();
    // Each failure was logged, with neither the address nor a full ID in the log.
    expect(logs.text).toContain('notification attempt failed');
    expect(logs.text).not.toContain('zhangsan@example.cn');
  });
});
