/**
 * The delivery and courier part of issue 6's journey, across separately
 * running processes on the real Kafka, PostgreSQL and an SMTP server: a
 * decided case → the applicant's e-mail received → licence issued → postal
 * hand-over → courier waybill → the local carrier's signed webhooks →
 * delivered → delivery.result-delivered published (what evaluation's rating
 * invitation follows) and the applicant told by e-mail.
 */
import { randomUUID } from 'node:crypto';
import { decodeIntegrationEvent, type DecodedIntegrationEvent } from '@govsvc/contracts/envelope';
import { topicOf } from '@govsvc/contracts/topics';
import type { BusSubscription, MessageBus } from '@govsvc/messaging/bus';
import { createTestKafkaBus } from '@govsvc/messaging/kafka-test-bus';
import { waitFor } from '@govsvc/messaging/wait-for';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contact, applicantRef, decisionEvent, licenceEvent, publish } from '../support.ts';
import { sealContact } from '@govsvc/contracts/sealed-contact';
import { examples } from '@govsvc/contracts/examples';
import { startPostalJourney, type PostalJourneyHarness } from './harness.ts';

let harness: PostalJourneyHarness;
let bus: MessageBus;
let collector: BusSubscription;
const published: DecodedIntegrationEvent[] = [];

beforeAll(async () => {
  harness = await startPostalJourney();
  bus = await createTestKafkaBus(`${harness.topicPrefix}-driver`);
  collector = await bus.subscribe({
    groupId: `${harness.topicPrefix}-collector`,
    topics: [harness.topicFor(topicOf('delivery')), harness.topicFor(topicOf('courier'))],
    fromBeginning: true,
    handler: async (m) => void published.push(decodeIntegrationEvent(m)),
  });
});

afterAll(async () => {
  await collector?.stop();
  await bus?.close();
  await harness?.stop();
});

describe('decided case → notification → postal delivery → courier webhooks → delivered (issue 6, delivery and courier part)', () => {
  it('R-NOTIFY-1, R-DELIV-1, R-COURIER-1: the whole postal journey across processes', async () => {
    const caseId = `case-${randomUUID()}`;
    const caseNumber = `京110105-20250310-${caseId.slice(-6)}`;
    await publish(bus, harness.topicFor, {
      type: 'intake.delivery-preferences-recorded.v1',
      data: {
        ...examples['intake.delivery-preferences-recorded.v1'],
        caseId,
        caseNumber,
        applicant: { kind: 'person', maskedId: '110105********002X', ref: applicantRef },
        notificationChannels: ['email'],
        resultDelivery: { method: 'post' },
        contact: sealContact(contact, caseId, harness.contactKeys),
      },
    });
    await publish(bus, harness.topicFor, decisionEvent(caseId));
    const mails = () => harness.sink.received.filter((m) => m.parsed.subject?.includes(caseNumber));
    await waitFor(() => mails().length >= 1, 'decision e-mail at the SMTP server', 30_000);
    expect(mails()[0]!.parsed.subject).toContain('准予许可');

    await publish(bus, harness.topicFor, licenceEvent(caseId));
    await waitFor(() => published.some((e) => e.subject === caseId && e.type === 'delivery.result-delivered.v1'), 'delivered after the courier journey', 60_000);
    const statuses = published.filter((e) => e.subject === caseId && e.type === 'courier.shipment-status-changed.v1').map((e) => (e.data as { status: string }).status);
    expect(statuses).toEqual(['created', 'picked-up', 'in-transit', 'out-for-delivery', 'delivered']);
    const delivered = published.find((e) => e.subject === caseId && e.type === 'delivery.result-delivered.v1')!;
    const waybillId = (published.find((e) => e.subject === caseId && e.type === 'courier.shipment-status-changed.v1')!.data as { waybillId: string }).waybillId;
    expect(delivered.data).toMatchObject({ method: 'post', waybillId, licenceId: `lic-${caseId}` });

    // The applicant tracks the parcel at the courier service and is told by e-mail it arrived.
    const token = await harness.courier.auth.token(['applicant'], { subject: applicantRef });
    const waybill = await fetch(`${harness.courier.url}/courier/waybills/${waybillId}`, { headers: { authorization: `Bearer ${token}` } });
    expect(waybill.status).toBe(200);
    expect(await waybill.json()).toMatchObject({ status: 'delivered', direction: 'outbound' });
    await waitFor(() => mails().some((m) => m.parsed.subject?.includes('办理结果已送达')), 'delivered e-mail', 30_000);
    expect(mails().map((m) => m.parsed.subject)).toEqual([
      `【北京政务服务】办件${caseNumber}准予许可`,
      `【北京政务服务】办件${caseNumber}食品经营许可证已制作完成`,
      `【北京政务服务】办件${caseNumber}办理结果已送达`,
    ]);
  });
});
