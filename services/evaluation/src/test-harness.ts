/**
 * An evaluation app for tests: the real module routes on the real service kit
 * app, real tokens, the real calendar data, and the event store and bus handed
 * in (in-memory for HTTP specs, PostgreSQL and Kafka for integration).
 */
import { loadCalendar } from '@govsvc/calendar/data-files';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import type { EventStore } from '@govsvc/eventstore/port';
import type { MessageBus } from '@govsvc/messaging/bus';
import { createInProcessBus } from '@govsvc/messaging/in-process-bus';
import { ControlledClock } from '@govsvc/runtime/clock';
import { sequentialIds } from '@govsvc/runtime/ids';
import { buildApp, type App } from '@govsvc/service-kit/app';
import type { Role } from '@govsvc/service-kit/principal';
import { createTestAuth, testAppDeps, type TestAuth } from '@govsvc/service-kit/testing';
import type { CommandContext } from './app/evaluation-service.ts';
import { createEvaluationModule, type EvaluationModule } from './module.ts';

let calendarOnce: Promise<WorkingCalendar> | undefined;
export const testCalendar = (): Promise<WorkingCalendar> => (calendarOnce ??= loadCalendar());

export const APPLICANT_REF = '5b0e7f6e-2d1c-4c55-9a7e-2f7c1f0b1a11';
export const OTHER_APPLICANT_REF = '0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5';
export const DEPARTMENT = '北京市市场监督管理局';
export const OTHER_DEPARTMENT = '北京市公安局';

export interface Harness {
  readonly app: App;
  readonly module: EvaluationModule;
  readonly clock: ControlledClock;
  readonly auth: TestAuth;
  readonly store: EventStore;
  readonly bus: MessageBus;
  token(roles: Role[], who?: { subject?: string; department?: string; centre?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function evaluationHarness(
  store: EventStore,
  options: { now?: string; bus?: MessageBus; topicFor?: (t: string) => string; consumerGroup?: string } = {},
): Promise<Harness> {
  const auth = await createTestAuth('evaluation');
  const deps = testAppDeps(auth, 'evaluation', 'warn');
  const clock = new ControlledClock(options.now ?? '2026-03-10T02:00:00.000Z');
  const bus = options.bus ?? createInProcessBus({ redeliveryDelayMs: 10 });
  const module = createEvaluationModule({
    store,
    bus,
    clock,
    ids: sequentialIds(),
    logger: deps.logger,
    calendar: await testCalendar(),
    ...(options.topicFor && { topicFor: options.topicFor }),
    ...(options.consumerGroup && { consumerGroup: options.consumerGroup }),
  });
  const app = await buildApp(deps, { serviceName: 'evaluation', version: '0.1.0', defaultMetrics: false });
  await app.register(module.routes, { prefix: '/evaluation' });
  await app.ready();
  return {
    app,
    module,
    clock,
    auth,
    store,
    bus,
    token: (roles, who = {}) =>
      auth.token(roles, {
        subject: who.subject ?? 'test-user',
        ...(who.department !== undefined && { department: who.department }),
        ...(who.centre !== undefined && { centre: who.centre }),
      }),
    close: async () => {
      await app.close();
    },
  };
}

const intake: CommandContext = { actor: { id: '/govsvc/intake', role: 'integration' }, correlationId: 'corr-test' };

/** Brings a case to evaluation the way the consumer does: submission, acceptance by a department, delivery. */
export async function deliveredCase(h: Harness, caseId: string, options: { applicantRef?: string; department?: string; method?: 'electronic' | 'window-pickup' } = {}) {
  await h.module.service.registerCase(
    { caseId, itemCode: '110000-FOOD-LIC-01', applicantRef: options.applicantRef ?? APPLICANT_REF, serviceCentre: 'BJ-CENTRE-01', leadDepartment: null, submittedAt: '2026-03-02T01:00:00.000Z' },
    intake,
  );
  await h.module.service.assignDepartment({ caseId, department: options.department ?? DEPARTMENT, source: 'acceptance', at: '2026-03-02T03:00:00.000Z' }, intake);
  const method = options.method ?? 'electronic';
  await h.module.service.inviteRating(
    { caseId, deliveryMethod: method, serviceCentre: method === 'window-pickup' ? 'BJ-CENTRE-07' : null, deliveredAt: '2026-03-09T02:00:00.000Z' },
    intake,
  );
}
