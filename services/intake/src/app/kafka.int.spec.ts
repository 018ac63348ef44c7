/**
 * Intake on the real Kafka and PostgreSQL: a guide the catalog publishes on
 * its topic is consumed into intake's projection; a submission's contract
 * reaches the intake topic through the relay, keyed by case id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { loadCalendar } from '@govsvc/calendar/data-files';
import { decodeIntegrationEvent } from '@govsvc/contracts/envelope';
import { topicOf } from '@govsvc/contracts/topics';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import type { BusSubscription, IncomingMessage, MessageBus } from '@govsvc/messaging/bus';
import { createTestKafkaBus } from '@govsvc/messaging/kafka-test-bus';
import { waitFor } from '@govsvc/messaging/wait-for';
import { systemClock } from '@govsvc/runtime/clock';
import { randomIds } from '@govsvc/runtime/ids';
import { uniqueGroupId } from '@govsvc/testkit/kafka';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { uniqueName } from '@govsvc/testkit/unique';
import { chaoyangCentre, contactKeys, foodGuide, PERSON_ID, smsAndWindowPickup } from '../../test/fixtures.ts';
import { guidePublished, publishGuide, testSeals } from '../../test/harness.ts';
import { createIntakeModule, type IntakeModule } from '../module.ts';
import { applicantRefOf } from './application-service.ts';
import { LocalDataSharing } from './data-sharing.ts';
import { ed25519SealSigner, generateSealKey } from './seal.ts';
import { InMemorySlotCounter } from './slot-counter.ts';

let schema: IsolatedSchema;
let store: EventStore;
let bus: MessageBus;
let module: IntakeModule;
let observer: BusSubscription;
const seen: IncomingMessage[] = [];
// A guide of its own per run: the catalog topic is shared by every run on this broker.
const guide = { ...foodGuide, itemCode: `T${uniqueName('item').replace(/[^0-9A-Za-z]/g, '')}`.slice(0, 60), materials: foodGuide.materials.filter((m) => !m.fromDataSharing) };

beforeAll(async () => {
  schema = await createIsolatedSchema('intake_kafka');
  store = await createPostgresEventStore({ connectionString: schema.connectionString });
  bus = await createTestKafkaBus('intake-int');
  module = createIntakeModule({
    store,
    bus,
    clock: systemClock,
    ids: randomIds,
    logger: pino({ level: 'silent' }),
    calendar: await loadCalendar(),
    centres: [chaoyangCentre],
    seals: testSeals,
    signer: ed25519SealSigner(testSeals.map((s) => generateSealKey(`k-${s.sealId}`, s.sealId))),
    slotCounter: new InMemorySlotCounter(systemClock),
    dataSharing: new LocalDataSharing([]),
    contactKeys,
    consumerGroupId: uniqueGroupId('intake'),
    relaySubscriptionId: 'intake-relay-test',
  });
  await module.start();
  observer = await bus.subscribe({ groupId: uniqueGroupId('observer'), topics: [topicOf('intake')], fromBeginning: false, handler: async (m) => void seen.push(m) });
}, 90_000);

afterAll(async () => {
  await observer?.stop();
  await module?.stop();
  await bus?.close();
  await store?.close();
  await schema?.drop();
});

describe('on Kafka (R-CAT-13, R-CAT-14, R-ACC-1)', () => {
  it('consumes a published guide, then publishes the submission contract through the relay', async () => {
    await publishGuide(bus, guidePublished(guide, '2026-01-01T00:00:00+08:00'));
    await waitFor(() => module.guides.inForce(guide.itemCode, new Date()) !== null, 'the guide from the catalog topic', 30_000);

    const submitted = await module.applications.submit(
      {
        itemCode: guide.itemCode,
        applicant: { kind: 'person', id: PERSON_ID, name: '王小明' },
        channel: 'online',
        materials: guide.materials.map((m) => ({ materialId: m.materialId, form: 'electronic' as const, reference: 'sha256:kafka' })),
        sharedConfirmations: [],
        delivery: smsAndWindowPickup,
      },
      { subject: applicantRefOf(PERSON_ID), roles: ['applicant'], correlationId: 'kafka-int-1' },
    );
    await waitFor(() => seen.some((m) => m.key?.toString() === submitted.caseId), 'the contract on the intake topic', 30_000);
    const event = decodeIntegrationEvent(seen.find((m) => m.key?.toString() === submitted.caseId)!);
    expect(event).toMatchObject({ type: 'intake.application-submitted.v1', subject: submitted.caseId, correlationId: 'kafka-int-1' });
    expect(event.data).toMatchObject({ itemCode: guide.itemCode, guideVersion: '2026.2', applicant: { maskedId: '110105********002X' } });
  });
});
