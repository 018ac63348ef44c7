/**
 * An intake module on in-memory adapters behind a real app (real JWTs, real
 * problem+json), with a controlled clock: what the HTTP tests drive with
 * `app.inject`. Guides arrive the way they do in production, as catalog
 * contracts on the bus, consumed by the module's own consumer.
 */
import { loadCalendar } from '@govsvc/calendar/data-files';
import { encodeIntegrationEvent } from '@govsvc/contracts/envelope';
import type { DataOf } from '@govsvc/contracts/registry';
import { createInMemoryEventStore, type InMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { createInProcessBus } from '@govsvc/messaging/in-process-bus';
import type { MessageBus } from '@govsvc/messaging/bus';
import { waitFor } from '@govsvc/messaging/wait-for';
import { ControlledClock } from '@govsvc/runtime/clock';
import { randomIds } from '@govsvc/runtime/ids';
import { buildApp, type App } from '@govsvc/service-kit/app';
import type { Role } from '@govsvc/service-kit/principal';
import { createTestAuth, testAppDeps, type LogCapture, type TestAuth } from '@govsvc/service-kit/testing';
import { applicantRefOf } from '../src/app/application-service.ts';
import { LocalDataSharing } from '../src/app/data-sharing.ts';
import { ed25519SealSigner, generateSealKey, type SealRegistration } from '../src/app/seal.ts';
import { InMemorySlotCounter } from '../src/app/slot-counter.ts';
import type { BoundGuide } from '../src/domain/guide.ts';
import { createIntakeModule, type IntakeModule } from '../src/module.ts';
import { chaoyangCentre, contactKeys, foodGuide } from './fixtures.ts';

export const testSeals: SealRegistration[] = [
  { sealId: 'seal-cy-scjg-spz', kind: 'approval-business', name: '北京市朝阳区市场监督管理局审批业务专用章', owner: '北京市朝阳区市场监督管理局' },
  { sealId: 'seal-cy-scjg', kind: 'department', name: '北京市朝阳区市场监督管理局', owner: '北京市朝阳区市场监督管理局' },
];

export function guidePublished(guide: BoundGuide, effectiveFrom = '2026-01-01T00:00:00+08:00'): DataOf<'catalog.guide-published.v1'> {
  return {
    itemCode: guide.itemCode,
    basicCode: '00017201100Y',
    itemName: guide.itemName,
    itemType: guide.itemType as DataOf<'catalog.guide-published.v1'>['itemType'],
    guideVersion: guide.guideVersion,
    previousVersion: null,
    level: 'district',
    implementingBody: guide.implementingBody,
    handlingForm: guide.handlingForm,
    statutoryLimitWorkingDays: guide.statutoryLimitWorkingDays,
    promisedLimitWorkingDays: guide.promisedLimitWorkingDays,
    resultName: '食品经营许可证',
    feeCharged: false,
    materials: guide.materials,
    publishedAt: '2025-12-20T10:00:00+08:00',
    effectiveFrom,
  };
}

/** Publishes a guide as the catalog would: a CloudEvent on the catalog topic. */
export async function publishGuide(bus: MessageBus, data: DataOf<'catalog.guide-published.v1'>): Promise<void> {
  const record = encodeIntegrationEvent({ type: 'catalog.guide-published.v1', data }, { id: `${data.itemCode}@${data.guideVersion}`, time: data.publishedAt, correlationId: 'catalog-publish-1' });
  await bus.publish(record.topic, [{ key: record.key, value: record.value, headers: record.headers }]);
}

export interface Harness {
  readonly app: App;
  readonly module: IntakeModule;
  readonly store: InMemoryEventStore;
  readonly bus: MessageBus;
  readonly clock: ControlledClock;
  readonly auth: TestAuth;
  readonly dataSharing: LocalDataSharing;
  /** The app's log lines (info and above), as pino wrote them: masking is checked on the real output. */
  readonly logs: LogCapture;
  token(roles: readonly Role[], claims?: { subject?: string; centre?: string }): Promise<string>;
  /** A token for the applicant with this identifier (their one identity). */
  applicantToken(identifier: string): Promise<string>;
  clerkToken(staffId?: string, centre?: string): Promise<string>;
  close(): Promise<void>;
}

export async function createHarness(options: { now?: string; seals?: SealRegistration[] } = {}): Promise<Harness> {
  const seals = options.seals ?? testSeals;
  const clock = new ControlledClock(options.now ?? '2026-11-26T10:00:00+08:00');
  const store = createInMemoryEventStore({ now: () => clock.now() });
  const bus = createInProcessBus({ redeliveryDelayMs: 10 });
  const auth = await createTestAuth('intake');
  const deps = testAppDeps(auth, 'intake', 'info');
  const app = await buildApp(deps, { serviceName: 'intake', version: 'test', defaultMetrics: false });
  const dataSharing = new LocalDataSharing();
  const module = createIntakeModule({
    store,
    bus,
    clock,
    ids: randomIds,
    logger: deps.logger,
    calendar: await loadCalendar(),
    centres: [chaoyangCentre, { ...chaoyangCentre, centreId: 'bj-haidian', name: '北京市海淀区政务服务中心', region: '110108', staff: [{ staffId: 'clerk-sun', name: '孙立' }] }],
    seals,
    signer: ed25519SealSigner(seals.map((s, i) => generateSealKey(`key-${i + 1}`, s.sealId))),
    slotCounter: new InMemorySlotCounter(clock),
    dataSharing,
    contactKeys,
  });
  await app.register(module.routes, { prefix: '/intake' });
  await app.ready();
  await module.start();
  await publishGuide(bus, guidePublished(foodGuide));
  await waitFor(() => module.guides.inForce(foodGuide.itemCode, clock.now()) !== null, 'the guide to be learned from the bus');
  return {
    app,
    module,
    store,
    bus,
    clock,
    auth,
    dataSharing,
    logs: deps.logs,
    token: (roles, claims = {}) => auth.token(roles, { ...(claims.subject ? { subject: claims.subject } : {}), ...(claims.centre ? { centre: claims.centre } : {}) }),
    applicantToken: (identifier) => auth.token(['applicant'], { subject: applicantRefOf(identifier) }),
    clerkToken: (staffId = 'clerk-li', centre = 'bj-chaoyang') => auth.token(['clerk'], { subject: staffId, centre }),
    async close() {
      await module.stop();
      await app.close();
      await bus.close();
      await store.close();
    },
  };
}
