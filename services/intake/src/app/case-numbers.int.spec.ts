/**
 * Case numbers and the guide projection on real PostgreSQL: parallel
 * submissions get distinct numbers from the day's sequence (consecutive when
 * none fails), the same Idempotency-Key twice at once stores one case under one
 * number, and a restarted intake rebuilds its guides from the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { loadCalendar } from '@govsvc/calendar/data-files';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import { createInProcessBus } from '@govsvc/messaging/in-process-bus';
import { ControlledClock } from '@govsvc/runtime/clock';
import { randomIds } from '@govsvc/runtime/ids';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { chaoyangCentre, contactKeys, foodGuide, smsAndWindowPickup } from '../../test/fixtures.ts';
import { guidePublished, testSeals } from '../../test/harness.ts';
import { createIntakeModule } from '../module.ts';
import { applicantRefOf } from './application-service.ts';
import { LocalDataSharing } from './data-sharing.ts';
import { GuideCatalog } from './guides.ts';
import { ed25519SealSigner, generateSealKey } from './seal.ts';
import { InMemorySlotCounter } from './slot-counter.ts';

let schema: IsolatedSchema;
let store: EventStore;
const clock = new ControlledClock('2026-11-26T10:00:00+08:00');

beforeAll(async () => {
  schema = await createIsolatedSchema('intake_numbers');
  store = await createPostgresEventStore({ connectionString: schema.connectionString });
});
afterAll(async () => {
  await store.close();
  await schema.drop();
});

/** A valid resident ID for the n-th test applicant (check character computed, GB 11643). */
function residentId(n: number): string {
  const id = `11010819850312${String(n).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  return `${id}${'10X98765432'[[...id].reduce((s, ch, i) => s + Number(ch) * weights[i]!, 0) % 11]}`;
}

describe('on PostgreSQL', () => {
  it('R-ACC-1: 20 parallel submissions get 20 distinct, consecutive case numbers; every event carries its case id', async () => {
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
    });
    // Personal items need no business licence: a guide without shared materials.
    const guide = { ...foodGuide, materials: foodGuide.materials.filter((m) => !m.fromDataSharing) };
    await module.guides.learnPublished(guidePublished(guide), 'corr-1');
    const submissions = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        module.applications.submit(
          {
            itemCode: guide.itemCode,
            applicant: { kind: 'person', id: residentId(n), name: `申请人${n}` },
            channel: 'online',
            materials: guide.materials.map((m) => ({ materialId: m.materialId, form: 'electronic' as const, reference: `sha256:${n}` })),
            sharedConfirmations: [],
            delivery: smsAndWindowPickup,
          },
          { subject: applicantRefOf(residentId(n)), roles: ['applicant'], correlationId: `corr-${n}` },
        ),
      ),
    );
    const numbers = submissions.map((s) => s.caseNumber).sort();
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, n) => `京1101052026112600${String(n + 1).padStart(3, '0')}`));
    for (const s of submissions) {
      const events = await store.readStream(`application-${s.caseId}`);
      expect(events.every((e) => e.metadata.caseId === s.caseId)).toBe(true);
    }

    // The same Idempotency-Key twice at once: one case, one number; the loser's number is burned (a gap), never shown.
    const input = {
      itemCode: guide.itemCode,
      applicant: { kind: 'person' as const, id: residentId(99), name: '申请人99' },
      channel: 'online' as const,
      materials: guide.materials.map((m) => ({ materialId: m.materialId, form: 'electronic' as const, reference: 'sha256:99' })),
      sharedConfirmations: [],
      delivery: smsAndWindowPickup,
    };
    const caller = { subject: applicantRefOf(residentId(99)), roles: ['applicant'], correlationId: 'corr-99', idempotencyKey: 'same-key-0001' };
    const twice = await Promise.all([module.applications.submit(input, caller), module.applications.submit(input, caller)]);
    expect(twice[1]!.caseId).toBe(twice[0]!.caseId);
    expect(twice[1]!.caseNumber).toBe(twice[0]!.caseNumber);
    expect(twice.filter((r) => r.alreadySubmitted)).toHaveLength(1);
    expect(await store.readStream(`application-${twice[0]!.caseId}`)).toHaveLength(1);
    expect(await module.applications.list(caller)).toEqual([expect.objectContaining({ caseId: twice[0]!.caseId, caseNumber: twice[0]!.caseNumber })]);

    // A restarted intake knows the guide from its own streams.
    const rebuilt = new GuideCatalog(store);
    await rebuilt.rebuild();
    expect(rebuilt.inForce(guide.itemCode, clock.now())?.guideVersion).toBe('2026.2');
  });
});
