/**
 * Out-of-order delivery within a case (issue 9). Story: a case is submitted
 * and accepted in one system; intake's contracts about it are recorded. A
 * second system with the same keys (so seals verify) has never seen the case;
 * it gets those contracts in a random order (property, seeded). Each
 * consumer's stream for the case must then be the original one, or the
 * original with some events missing (a contract refused or waiting): never
 * the original's events in another order, never an event the original did
 * not have.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishedMessage } from '../src/system.ts';
import { startSystem } from '../src/system.ts';
import { acceptApplication, APPLICANT_A, submitApplication } from '../src/workload.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_126);

/** The contract type inside a recorded message (CloudEvents JSON). */
const typeOf = (m: PublishedMessage) => {
  const header = m.message.headers?.['ce_type'];
  if (header !== undefined) return String(header);
  try {
    return String((JSON.parse(m.message.value?.toString() ?? '{}') as { type?: unknown }).type ?? m.topic);
  } catch {
    return m.topic;
  }
};

/**
 * Finding 7, fixed: delivery applied a later contract of a case before an earlier one (given
 * intake.case-accepted.v2 before intake.delivery-preferences-recorded.v1 its stream was NoticeRequested,
 * PreferencesRecorded, NotificationSent). A notice now waits in the case's parking stream
 * (`deliveryparked-<case>`) until the preferences are recorded. That stream is a waiting room, not a
 * consumer's history: it is not compared with the original, but must be drained once every contract has
 * arrived (each NoticeParked followed by its NoticeReleased).
 */
const DELIVERY = /^delivery-/;
const PARKING = /^deliveryparked-/;

/**
 * Finding 8, fixed by supervision: with the same contracts reordered, supervision's case stream recorded
 * CaseContextNoted twice where the in-order run records it once (CaseContextNoted, DeadlineTracked ×2,
 * CaseContextNoted, DeadlineTracked ×2), and opened acceptance deadlines for a case already accepted.
 * A submission arriving after its acceptance now changes nothing. Checked in its own row below. (Case files
 * record one DeadlinesTracked per contract now, where they then recorded one DeadlineTracked per deadline.)
 */
const KNOWN_SUPERVISION = /^supervisedcase-/;

/** Whether `part` is `whole` with some elements left out, order kept. */
function isSubsequence(part: readonly string[], whole: readonly string[]): boolean {
  let i = 0;
  for (const item of whole) if (i < part.length && part[i] === item) i++;
  return i === part.length;
}

describe('out-of-order delivery within a case', () => {
  let dataDir: string;
  let caseId: string;
  let contracts: PublishedMessage[];
  let original: Map<string, string[]>;

  const consumerStreams = async (system: Awaited<ReturnType<typeof startSystem>>) => {
    const streams = new Map<string, string[]>();
    const sent = new Map<string, Set<string>>();
    for (const event of await system.store.readAll()) {
      // intake's own streams (the case, its number, its indexes) are written by the commands, not by consumers.
      if (event.metadata.caseId !== caseId || /^(application|casenumber|intakeindex)-/.test(event.stream)) continue;
      const types = streams.get(event.stream) ?? [];
      if (DELIVERY.test(event.stream)) {
        // delivery's dispatcher sends on its own timer, so where a NotificationSent falls among later notice
        // requests is timing, not the order of the contracts: it is checked against its own notice instead.
        const noticeId = String((event.data as { noticeId?: unknown }).noticeId);
        const requested = sent.get(event.stream) ?? new Set<string>();
        if (event.type === 'NoticeRequested') {
          if (!types.includes('PreferencesRecorded')) throw new Error(`${event.stream}: a notice requested before the preferences (${types.join(',')})`);
          requested.add(noticeId);
        }
        sent.set(event.stream, requested);
        if (event.type === 'NotificationSent') {
          if (!requested.has(noticeId)) throw new Error(`${event.stream}: notice ${noticeId} sent before it was requested`);
          continue;
        }
      }
      streams.set(event.stream, [...types, event.type]);
    }
    return streams;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'govsvc-ordering-'));
    const system = await startSystem({ dataDir });
    try {
      ({ caseId } = await submitApplication(system.http, system, APPLICANT_A));
      await acceptApplication(system.http, system, caseId);
      await system.settle();
      contracts = system.published.filter((m) => m.topic.includes('intake') && m.message.key?.toString() === caseId);
      original = await consumerStreams(system);
    } finally {
      await system.close();
    }
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('the story has something to reorder', () => {
    expect(contracts.length).toBeGreaterThanOrEqual(2);
    expect(original.size).toBeGreaterThanOrEqual(1);
    console.info(`[ordering] ${contracts.length} intake contracts for the case; consumer streams ${JSON.stringify(Object.fromEntries(original))}`);
  });

  const property = (streams: (stream: string) => boolean) => async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(contracts, { minLength: contracts.length }), async (shuffled) => {
        const system = await startSystem({ dataDir });
        try {
          for (const { topic, message } of shuffled) await system.bus.publish(topic, [message]);
          await system.settle(400);
          const got = await consumerStreams(system);
          for (const [stream, types] of [...got].filter(([name]) => PARKING.test(name))) {
            const parked = types.filter((t) => t === 'NoticeParked').length;
            if (parked !== types.filter((t) => t === 'NoticeReleased').length) throw new Error(`${stream}: notices still waiting after every contract arrived (${types.join(',')})`);
          }
          for (const [stream, types] of [...got].filter(([name]) => streams(name) && !PARKING.test(name))) {
            const expected = original.get(stream.replace(/-[0-9a-f-]{36}$/, `-${caseId}`)) ?? original.get(stream) ?? [];
            if (!isSubsequence(types, expected)) throw new Error(`${stream}: ${types.join(',')} is not the original ${expected.join(',')} in order (delivery order ${shuffled.map(typeOf).join(' → ')})`);
          }
          runs += 1;
        } finally {
          await system.close();
        }
      }),
      { seed: SEED, numRuns: 5, endOnFailure: true },
    );
    expect(runs).toBe(5);
  };

  it(`property: intake's contracts for one case in a random order (seed ${SEED}): each consumer stream keeps the original order or refuses`, property((stream) => !DELIVERY.test(stream) && !KNOWN_SUPERVISION.test(stream)));

  it(`property (finding 7, fixed): delivery's stream keeps the original order when intake.case-accepted.v2 comes before the preferences (seed ${SEED}); its notices wait and none is left waiting`, property((stream) => DELIVERY.test(stream)));

  it('supervision notes the case context once when the three intake contracts of a case arrive reordered (finding 8: the seed 20261126 first run used to give an extra CaseContextNoted)', property((stream) => KNOWN_SUPERVISION.test(stream)));
});
