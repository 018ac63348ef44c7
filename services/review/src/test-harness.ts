/**
 * A review app for tests: the real module routes on the real service kit app,
 * with real tokens, a real Ed25519 seal, the real calendar data and an event
 * store handed in (in-memory for HTTP specs, PostgreSQL for integration).
 */
import { loadCalendar } from '@govsvc/calendar/data-files';
import { decodeIntegrationEvent, encodeIntegrationEvent, type DecodedIntegrationEvent } from '@govsvc/contracts/envelope';
import type { IntegrationEvent } from '@govsvc/contracts/registry';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import type { EventStore } from '@govsvc/eventstore/port';
import { createInProcessBus } from '@govsvc/messaging/in-process-bus';
import type { MessageBus } from '@govsvc/messaging/bus';
import { ControlledClock } from '@govsvc/runtime/clock';
import { sequentialIds } from '@govsvc/runtime/ids';
import { buildApp, type App } from '@govsvc/service-kit/app';
import type { Role } from '@govsvc/service-kit/principal';
import { createTestAuth, testAppDeps, type TestAuth } from '@govsvc/service-kit/testing';
import { ed25519SealSigner, generateSealKeySet, type SealSigner } from './app/seal-signer.ts';
import { createReviewModule, type ReviewModule } from './module.ts';

let calendarOnce: Promise<WorkingCalendar> | undefined;
export const testCalendar = (): Promise<WorkingCalendar> => (calendarOnce ??= loadCalendar());

export interface Harness {
  readonly app: App;
  readonly module: ReviewModule;
  readonly clock: ControlledClock;
  readonly auth: TestAuth;
  readonly store: EventStore;
  readonly bus: MessageBus;
  readonly seal: SealSigner;
  token(roles: Role[], who: { subject: string; department?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function reviewHarness(store: EventStore, options: { now?: string; bus?: MessageBus; topicFor?: (t: string) => string; consumerGroup?: string } = {}): Promise<Harness> {
  const auth = await createTestAuth('review');
  const deps = testAppDeps(auth, 'review', 'warn');
  const clock = new ControlledClock(options.now ?? '2026-03-09T02:00:00.000Z');
  const bus = options.bus ?? createInProcessBus({ redeliveryDelayMs: 10 });
  const seal = ed25519SealSigner(generateSealKeySet());
  const module = createReviewModule({
    store,
    bus,
    clock,
    ids: sequentialIds(),
    logger: deps.logger,
    calendar: await testCalendar(),
    seal,
    ...(options.topicFor && { topicFor: options.topicFor }),
    ...(options.consumerGroup && { consumerGroup: options.consumerGroup }),
  });
  const app = await buildApp(deps, { serviceName: 'review', version: '0.1.0', defaultMetrics: false });
  await app.register(module.routes, { prefix: '/review' });
  await app.ready();
  return {
    app,
    module,
    clock,
    auth,
    store,
    bus,
    seal,
    token: (roles, who) => auth.token(roles, { subject: who.subject, ...(who.department !== undefined && { department: who.department }) }),
    close: async () => {
      await app.close();
    },
  };
}

export const APPLICANT_REF = '7d1c7a5e-2f4b-4c55-9f0e-6e1f1d2a3b4c';

/** Brings a case to review the way the consumer does: submission noted, then acceptance. */
export async function openCase(
  h: Harness,
  caseId: string,
  options: { assisting?: string[]; lead?: string; itemCode?: string; acceptedOn?: string; decisionDue?: string } = {},
): Promise<void> {
  const ctx = { actor: { id: 'intake', role: 'integration' }, correlationId: `corr-${caseId}` };
  const itemCode = options.itemCode ?? '11110000000021467Q4110105000';
  const lead = options.lead ?? 'market-regulation';
  await h.module.service.noteSubmission(
    {
      caseId,
      itemCode,
      guideVersion: '3',
      applicant: { kind: 'person', maskedId: '110105********002X', ref: APPLICANT_REF },
      collaboration: options.assisting ? { leadDepartment: lead, assistingDepartments: options.assisting } : null,
      materials: [{ materialId: 'm1', name: '营业执照' }],
      submittedAt: '2026-03-02T01:00:00.000Z',
    },
    ctx,
  );
  await h.module.service.openReview(
    {
      caseId,
      itemCode,
      guideVersion: '3',
      receiptId: `RCPT-${caseId}`,
      acceptedOn: options.acceptedOn ?? '2026-03-02',
      decisionDue: { date: options.decisionDue ?? '2026-03-16', provisional: false },
      statutoryDue: { date: '2026-03-30', provisional: false },
      acceptedByDepartment: lead,
    },
    ctx,
  );
}

/** Publishes a contract the way its producer's relay would (CloudEvents binary mode, keyed by case id). */
export async function publishContract(bus: MessageBus, event: IntegrationEvent, id: string, topicFor: (t: string) => string = (t) => t): Promise<void> {
  const record = encodeIntegrationEvent(event, { id, time: '2026-03-02T02:00:00.000Z', correlationId: `corr-${id}` });
  await bus.publish(topicFor(record.topic), [{ key: record.key, value: record.value, headers: record.headers }]);
}

/** Collects every decodable contract on `topic` (from the beginning) into the returned array. */
export async function collectContracts(bus: MessageBus, topic: string, groupId: string): Promise<{ events: DecodedIntegrationEvent[]; stop: () => Promise<void> }> {
  const events: DecodedIntegrationEvent[] = [];
  const subscription = await bus.subscribe({
    groupId,
    topics: [topic],
    fromBeginning: true,
    handler: async (message) => {
      events.push(decodeIntegrationEvent(message));
    },
  });
  return { events, stop: () => subscription.stop() };
}

/** The submission and acceptance of one case as intake publishes them. */
export function intakeContracts(caseId: string, itemCode: string, options: { assisting?: string[] } = {}): IntegrationEvent[] {
  const staff = { staffId: 'clerk-7', department: 'market-regulation' };
  return [
    {
      type: 'catalog.guide-published.v1',
      data: {
        itemCode,
        basicCode: '000000000000A',
        itemName: '食品经营许可',
        itemType: '01',
        guideVersion: '3',
        previousVersion: null,
        level: 'city',
        implementingBody: 'market-regulation',
        handlingForm: 'both',
        statutoryLimitWorkingDays: 20,
        promisedLimitWorkingDays: 10,
        resultName: '食品经营许可证',
        feeCharged: false,
        materials: [{ materialId: 'm1', name: '营业执照', toleratedDeficiencyAllowed: false, electronicRequired: false, fromDataSharing: true }],
        publishedAt: '2026-01-05T09:00:00+08:00',
        effectiveFrom: '2026-01-06T00:00:00+08:00',
      },
    },
    {
      type: 'intake.application-submitted.v1',
      data: {
        caseId,
        itemCode,
        guideVersion: '3',
        applicant: { kind: 'person', maskedId: '110105********002X', ref: APPLICANT_REF },
        channel: 'online',
        serviceCentre: null,
        materials: [{ materialId: 'm1', name: '营业执照', form: 'electronic', source: 'data-sharing' }],
        submittedAt: '2026-03-02T09:00:00+08:00',
        acceptanceDue: { date: '2026-03-03', provisional: false },
        collaboration: options.assisting ? { leadDepartment: 'market-regulation', assistingDepartments: options.assisting } : null,
      },
    },
    {
      type: 'intake.case-accepted.v2',
      data: {
        caseId,
        itemCode,
        guideVersion: '3',
        basis: 'decision',
        effectiveFrom: '2026-03-02',
        receipt: { documentId: `RCPT-${caseId}`, kind: 'acceptance-receipt' },
        acceptedAt: '2026-03-02T10:00:00+08:00',
        toleratedDeficiencies: null,
        decisionDue: { date: '2026-03-16', provisional: false },
        statutoryDue: { date: '2026-03-30', provisional: false },
        acceptedBy: staff,
        seal: { kind: 'approval-business', sealId: 'seal-intake', electronic: true },
      },
    },
  ];
}
