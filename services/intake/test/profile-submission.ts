/**
 * Where a submission's time goes (issue 8): `pnpm exec tsx test/profile-submission.ts [n] [concurrency]`
 * runs n submissions through ApplicationService on the real PostgreSQL (a schema of its
 * own, dropped after) and prints, per submission, the store calls and their time and the
 * time spent outside the store (validation, decisions, codecs, sealing the contact).
 * A diagnostic, not a benchmark: figures for the record come from `pnpm bench:system`.
 */
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { loadCalendar } from '@govsvc/calendar/data-files';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import { createInProcessBus } from '@govsvc/messaging/in-process-bus';
import { ControlledClock } from '@govsvc/runtime/clock';
import { randomIds } from '@govsvc/runtime/ids';
import { createIsolatedSchema } from '@govsvc/testkit/postgres';
import { applicantRefOf } from '../src/app/application-service.ts';
import { LocalDataSharing } from '../src/app/data-sharing.ts';
import { ed25519SealSigner, generateSealKey } from '../src/app/seal.ts';
import { InMemorySlotCounter } from '../src/app/slot-counter.ts';
import { createIntakeModule } from '../src/module.ts';
import { chaoyangCentre, contactKeys, foodGuide, smsAndWindowPickup } from './fixtures.ts';
import { guidePublished, testSeals } from './harness.ts';

const n = Number(process.argv[2] ?? 200);
const concurrency = Number(process.argv[3] ?? 1);

const timings = new Map<string, { calls: number; ms: number }>();
/** The store with every call timed under its method name (readStream by category). */
function timed(store: EventStore): EventStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || !['appendToStream', 'readStream', 'readAll', 'streamRevision'].includes(String(prop))) return value;
      return async (...args: unknown[]) => {
        const key = `${String(prop)} ${String(args[0]).split('-')[0]}`;
        const start = performance.now();
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          const t = timings.get(key) ?? { calls: 0, ms: 0 };
          t.calls++;
          t.ms += performance.now() - start;
          timings.set(key, t);
        }
      };
    },
  });
}

const schema = await createIsolatedSchema('intake_profile');
const raw = await createPostgresEventStore({ connectionString: schema.connectionString });
const store = timed(raw);
const clock = new ControlledClock('2026-11-26T10:00:00+08:00');
const module = createIntakeModule({
  store,
  bus: createInProcessBus(),
  clock,
  ids: randomIds,
  logger: pino({ level: 'silent' }),
  calendar: await loadCalendar(),
  centres: [chaoyangCentre],
  seals: testSeals,
  signer: ed25519SealSigner(testSeals.map((s) => generateSealKey(`k-${s.sealId}`, s.sealId))),
  slotCounter: new InMemorySlotCounter(clock),
  dataSharing: new LocalDataSharing([]),
  contactKeys,
  // The allocator on the untimed store: its one statement is timed as `nextval` below.
});
const guide = { ...foodGuide, materials: foodGuide.materials.filter((m) => !m.fromDataSharing) };
await module.guides.learnPublished(guidePublished(guide), 'corr-profile');
const applicant = { kind: 'enterprise' as const, id: '91110108551385082Q', name: '北京京味餐饮管理有限公司' };
const input = {
  itemCode: guide.itemCode,
  applicant,
  channel: 'online' as const,
  materials: guide.materials.map((m) => ({ materialId: m.materialId, form: 'electronic' as const, reference: 'sha256:x' })),
  sharedConfirmations: [],
  delivery: smsAndWindowPickup,
};
const caller = { subject: applicantRefOf(applicant.id), roles: ['applicant'], correlationId: 'corr-profile' };

// Warm-up (prepared statements, JIT), then measured.
for (let i = 0; i < 20; i++) await module.applications.submit(input, caller);
timings.clear();
const latencies: number[] = [];
const start = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < n) {
      next++;
      const t = performance.now();
      await module.applications.submit(input, caller);
      latencies.push(performance.now() - t);
    }
  }),
);
const wall = performance.now() - start;
latencies.sort((a, b) => a - b);
const storeMs = [...timings.values()].reduce((s, t) => s + t.ms, 0);
console.log(`${n} submissions, ${concurrency} at a time: ${(n / (wall / 1000)).toFixed(0)}/s, p50 ${latencies[Math.floor(n / 2)]!.toFixed(1)} ms, p99 ${latencies[Math.floor(n * 0.99)]!.toFixed(1)} ms`);
console.log('per submission (store call time overlaps when concurrent):');
for (const [key, t] of [...timings].sort((a, b) => b[1].ms - a[1].ms)) console.log(`  ${key.padEnd(28)} ${(t.calls / n).toFixed(2)} calls  ${(t.ms / n).toFixed(2)} ms`);
if (concurrency === 1) console.log(`  outside the store             ${((latencies.reduce((s, l) => s + l, 0) - storeMs) / n).toFixed(2)} ms (includes nextval)`);
await raw.close();
await schema.drop();
