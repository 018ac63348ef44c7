/**
 * A review app for tests: the real module routes on the real service kit app,
 * with real tokens, a real Ed25519 seal, the real calendar data and an event
 * store handed in (in-memory for HTTP specs, PostgreSQL for integration).
 */
import { loadCalendar } from '@govsvc/calendar/data-files';
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

export async function reviewHarness(store: EventStore, options: { now?: string; bus?: MessageBus } = {}): Promise<Harness> {
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
