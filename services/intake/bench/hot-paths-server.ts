/**
 * Intake alone, for the focused HTTP hot-path measurement of issue 8
 * (`packages/bench-system/src/hot-paths.ts` runs it): the real module and app
 * (real JWT verification, the real pino logger at LOG_LEVEL, default warn like
 * the system bench) on the real PostgreSQL event store (the schema in
 * DATABASE_URL's search_path) with the SQL case-number sequences. The bus is
 * in-process (no Kafka): the guide is published on it as the catalog would.
 * Prints one JSON line `{ port, token, body }` once listening, the store's
 * group-commit counts on SIGUSR2; SIGTERM closes and exits normally, so
 * `node --cpu-prof` writes its profile.
 */
import { loadCalendar } from '@govsvc/calendar/data-files';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import { createInProcessBus } from '@govsvc/messaging/in-process-bus';
import { waitFor } from '@govsvc/messaging/wait-for';
import { ControlledClock } from '@govsvc/runtime/clock';
import { randomIds } from '@govsvc/runtime/ids';
import { buildApp } from '@govsvc/service-kit/app';
import { createLogger } from '@govsvc/service-kit/logging';
import { createTestAuth } from '@govsvc/service-kit/testing';
import type { LevelWithSilent } from 'pino';
import { applicantRefOf } from '../src/app/application-service.ts';
import { LocalDataSharing } from '../src/app/data-sharing.ts';
import { ed25519SealSigner, generateSealKey } from '../src/app/seal.ts';
import { InMemorySlotCounter } from '../src/app/slot-counter.ts';
import { createIntakeModule } from '../src/module.ts';
import { chaoyangCentre, contactKeys, ENTERPRISE_USCC, FOOD_ITEM, foodGuide } from '../test/fixtures.ts';
import { guidePublished, publishGuide, testSeals } from '../test/harness.ts';

const port = Number(process.argv[2] ?? 3971);
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL (with the run schema in its search_path) is required');

const clock = new ControlledClock('2026-11-26T10:00:00+08:00');
// HOT_PATHS_POOL / HOT_PATHS_APPEND_CONCURRENCY: to see how the figures depend on the store's pool and commit slots.
const store = await createPostgresEventStore({
  connectionString: databaseUrl,
  ...(process.env.HOT_PATHS_POOL && { maxConnections: Number(process.env.HOT_PATHS_POOL) }),
  ...(process.env.HOT_PATHS_APPEND_CONCURRENCY && { appendConcurrency: Number(process.env.HOT_PATHS_APPEND_CONCURRENCY) }),
});
const bus = createInProcessBus({ redeliveryDelayMs: 10 });
const auth = await createTestAuth('intake');
const logger = createLogger({ serviceName: 'intake', level: (process.env.LOG_LEVEL ?? 'warn') as LevelWithSilent });
const app = await buildApp({ logger, tokenVerifier: auth.verifier }, { serviceName: 'intake', version: 'hot-paths', defaultMetrics: false });
const module = createIntakeModule({
  store,
  bus,
  clock,
  ids: randomIds,
  logger,
  calendar: await loadCalendar(),
  centres: [chaoyangCentre],
  seals: testSeals,
  signer: ed25519SealSigner(testSeals.map((s, i) => generateSealKey(`key-${i + 1}`, s.sealId))),
  slotCounter: new InMemorySlotCounter(clock),
  dataSharing: new LocalDataSharing(),
  contactKeys,
});
await app.register(module.routes, { prefix: '/intake' });
await app.ready();
await module.start();
await publishGuide(bus, guidePublished(foodGuide));
await waitFor(() => module.guides.inForce(foodGuide.itemCode, clock.now()) !== null, 'the guide to be learned from the bus');
await app.listen({ host: '127.0.0.1', port });

// A new case per request (no Idempotency-Key): every POST is a durable append of a new stream.
const body = {
  itemCode: FOOD_ITEM,
  applicant: { kind: 'enterprise', id: ENTERPRISE_USCC, name: '北京京味餐饮管理有限公司' },
  channel: 'online',
  materials: ['application-form', 'premises-proof', 'layout-plan', 'safety-rules'].map((m) => ({ materialId: m, form: 'electronic', reference: `sha256:${m}` })),
  sharedConfirmations: [{ materialId: 'business-licence', recordId: 'samr-bl-91110108551385082Q', revision: 3 }],
  delivery: { notificationChannels: ['sms'], resultDelivery: { method: 'electronic' }, contact: { name: '张经理', mobile: '13812345678' } },
};
const token = await auth.token(['applicant'], { subject: applicantRefOf(ENTERPRISE_USCC), ttlSeconds: 4 * 3600 });
process.stdout.write(`${JSON.stringify({ port, token, body })}\n`);

process.on('SIGUSR2', () => {
  const stats = (store as { appendStats?: () => unknown }).appendStats?.() ?? {};
  process.stdout.write(`${JSON.stringify(stats)}\n`);
});
process.on('SIGTERM', () => {
  void (async () => {
    await app.close();
    await module.stop();
    await bus.close();
    await store.close();
    process.exit(0);
  })();
});
