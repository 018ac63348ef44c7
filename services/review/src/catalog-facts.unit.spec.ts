/**
 * The facts review decides by come from the catalog (catalog.guide-published.v2):
 * the records published here are the ones the catalog's relay publishes for its
 * fixture guides (packages/contracts `__fixtures__/catalog.guide-published.v2/`,
 * pinned on the catalog's side by its contract-mapping spec), sent over the
 * in-process bus to the running module, which notes them on the item and opens
 * cases with them (R-REV-3, R-REV-4, R-REV-5, R-COLLAB-1).
 */
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topicOf } from '@govsvc/contracts/topics';
import type { IntegrationEvent } from '@govsvc/contracts/registry';
import { RuleViolation } from '@govsvc/errors/errors';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { createInProcessBus } from '@govsvc/messaging/in-process-bus';
import { waitFor } from '@govsvc/messaging/wait-for';
import { itemFactsOf } from './domain/item.ts';
import { reviewStream } from './domain/review-decider.ts';
import type { StaffRef } from './domain/values.ts';
import { intakeContracts, publishContract, reviewHarness, type Harness } from './test-harness.ts';

interface PinnedRecord {
  readonly record: { key: string; headers: Record<string, string>; value: string };
}
const fixtureDir = new URL('../../../packages/contracts/src/__fixtures__/catalog.guide-published.v2/', import.meta.url);
const pinned = async (file: string) => (JSON.parse(await readFile(new URL(`${file}.json`, fixtureDir), 'utf8')) as PinnedRecord).record;
const dataOf = (record: PinnedRecord['record']) => JSON.parse(record.value) as { itemCode: string; guideVersion: string; implementingBody: string };

let h: Harness;
beforeEach(async () => {
  h = await reviewHarness(createInMemoryEventStore(), { bus: createInProcessBus({ redeliveryDelayMs: 5 }) });
  await h.module.start();
});
afterEach(async () => {
  await h.module.stop();
  await h.close();
  await h.bus.close();
});

const ctx = (id: string, role = 'reviewer', department?: string) => ({ actor: { id, role, ...(department && { department }) }, correlationId: `corr-${id}` });

/** The catalog's record on the catalog topic, then intake's submission and acceptance bound to its version. */
async function openCaseFor(file: string, caseId: string) {
  const record = await pinned(file);
  await h.bus.publish(topicOf('catalog'), [{ key: record.key, value: record.value, headers: record.headers }]);
  const guide = dataOf(record);
  await waitFor(async () => (await h.module.service.readItem(guide.itemCode)).state.guides.has(guide.guideVersion), 'guide noted');
  const intake = intakeContracts(caseId, guide.itemCode)
    .slice(1)
    .map((e) => ({ ...e, data: { ...e.data, guideVersion: guide.guideVersion } }) as IntegrationEvent);
  for (const [i, event] of intake.entries()) await publishContract(h.bus, event, `evt-${caseId}-${i}`);
  await waitFor(async () => (await h.module.service.readCase(caseId)).state.status === 'open', 'review opened');
  return { guide, opened: (await h.module.service.getCase(caseId)).state };
}

const approve = async (caseId: string, department: string) => {
  const handler: StaffRef = { staffId: 'staff-h1', department };
  const chief: StaffRef = { staffId: 'staff-c1', department };
  await h.module.service.sign(caseId, { role: 'handler', draft: { outcome: 'approve' } }, handler, ctx('staff-h1', 'reviewer', department));
  return { handler, chief, second: await h.module.service.sign(caseId, { role: 'chief-representative' }, chief, ctx('staff-c1', 'chief', department)) };
};

describe('the catalog’s guide facts reach review through the bus', () => {
  it('R-REV-5, R-COLLAB-1: the planning permit needs its assisting departments’ opinions and a collective decision recorded at the third step', async () => {
    const caseId = 'BJ-2026-000900';
    const { guide, opened } = await openCaseFor('construction-planning-permit-city', caseId);
    const lead = guide.implementingBody;
    expect(opened.item.collectiveDecision).toEqual({ required: true, legalBasis: '《北京市城乡规划条例》' });
    expect(opened.leadDepartment).toBe('北京市规划和自然资源委员会');
    expect(opened.assistingDepartments).toEqual(['北京市人民防空办公室', '北京市园林绿化局']);

    // The lead may not sign before every assisting department has answered.
    const early = h.module.service.sign(caseId, { role: 'handler', draft: { outcome: 'approve' } }, { staffId: 'staff-h1', department: lead }, ctx('staff-h1', 'reviewer', lead));
    await expect(early).rejects.toSatisfy((e: unknown) => e instanceof RuleViolation && e.rule === 'R-COLLAB-1');
    for (const [i, department] of opened.assistingDepartments.entries()) {
      const asked = await h.module.service.requestOpinion(caseId, { department, question: '配建人防工程与附属绿地是否符合要求', dueInWorkingDays: 3 }, { staffId: 'staff-h1', department: lead }, ctx('staff-h1', 'reviewer', lead));
      const request = asked.state.status === 'open' ? asked.state.opinionRequests.find((r) => r.department === department)! : undefined;
      await h.module.service.giveOpinion(caseId, { requestId: request!.requestId, opinion: 'concur', reasons: [], signedBy: { staffId: `staff-a${i}`, department }, channel: 'http' }, ctx(`staff-a${i}`, 'reviewer', department));
    }

    const { chief, second } = await approve(caseId, lead);
    // The chief representative's signature does not conclude an item that needs a collective decision.
    expect(second.events.map((e) => e.type)).toEqual(['DecisionSigned']);
    await h.module.service.sign(caseId, { role: 'chief-representative', collectiveMinutesId: 'MIN-2026-031' }, chief, ctx('staff-c1', 'chief', lead));
    const types = (await h.store.readStream(reviewStream(caseId))).map((e) => e.type);
    expect(types.slice(types.indexOf('CollectiveDecisionRecorded'))).toEqual(['CollectiveDecisionRecorded', 'DecisionMade', 'ApplicantNoticeDue']);
    expect((await h.module.service.getCase(caseId)).state.decision).toMatchObject({ collectiveMinutesId: 'MIN-2026-031', outcome: 'approve' });
  });

  it('R-REV-3: the mortgage registration issues electronic certificates only: paper is refused, the certificate is electronic and does not expire', async () => {
    const caseId = 'BJ-2026-000901';
    const { guide, opened } = await openCaseFor('mortgage-first-registration', caseId);
    expect(opened.item.licence).toMatchObject({ electronicAvailable: true, paperAbolished: true, validityMonths: null });
    const applicant = { actor: { id: 'applicant', role: 'applicant' }, correlationId: 'corr-forms' };
    await expect(h.module.service.requestLicenceForms(caseId, ['electronic', 'paper'], applicant)).rejects.toSatisfy((e: unknown) => e instanceof RuleViolation && e.rule === 'R-REV-3');
    await approve(caseId, guide.implementingBody);
    await waitFor(async () => (await h.module.service.readLicence(`LIC-${caseId}`)).state.status === 'issued', 'licence issued');
    const licence = await h.module.service.getLicence(`LIC-${caseId}`);
    expect(licence.state.licence.forms).toEqual(['electronic']);
    expect(licence.state.validUntil).toBeNull();
  });

  it('R-REV-4: the food licence is valid five years and its renewal is applied for by 15 working days before expiry, not Art. 50’s 30 days', async () => {
    const caseId = 'BJ-2026-000902';
    const { guide, opened } = await openCaseFor('food-business-licence', caseId);
    expect(opened.item.licence).toEqual({ electronicAvailable: true, paperAbolished: false, validityMonths: 60, renewalLeadDays: 15, renewalLeadUnit: 'working-days' });
    await approve(caseId, guide.implementingBody);
    await waitFor(async () => (await h.module.service.readLicence(`LIC-${caseId}`)).state.status === 'issued', 'licence issued');
    const licenceId = `LIC-${caseId}`;
    const { state } = await h.module.service.getLicence(licenceId);
    // Decided on 9 March 2026 (Beijing): valid through 8 March 2031.
    expect([state.licence.validFrom, state.validUntil]).toEqual(['2026-03-09', '2031-03-08']);
    const applyBy = h.module.service.deadlines.renewalApplyBy('2031-03-08', 15, 'working-days');
    // Later than Art. 50's 30 calendar days (6 February): the item's own rule allows it.
    expect(applyBy > '2031-02-06').toBe(true);
    const applicant = { actor: { id: 'applicant', role: 'applicant' }, correlationId: 'corr-renewal' };
    h.clock.set(`${applyBy}T16:30:00.000Z`); // 00:30 in Beijing on the day after the last day
    await expect(h.module.service.applyForRenewal(licenceId, applicant)).rejects.toSatisfy((e: unknown) => e instanceof RuleViolation && e.rule === 'R-REV-4');
    h.clock.set(`${applyBy}T08:00:00.000Z`); // 16:00 in Beijing on the last day
    const applied = await h.module.service.applyForRenewal(licenceId, applicant);
    expect(applied.events.map((e) => e.type)).toEqual(['RenewalApplied']);
  });

  it('a v1 record (upcast) states no licence facts: the item keeps the cautious defaults', async () => {
    const caseId = 'BJ-2026-000903';
    const itemCode = '11110000000021467Q4110105000';
    for (const [i, event] of intakeContracts(caseId, itemCode).entries()) await publishContract(h.bus, event, `evt-${caseId}-${i}`);
    await waitFor(async () => (await h.module.service.readCase(caseId)).state.status === 'open', 'review opened');
    const item = await h.module.service.readItem(itemCode);
    expect(item.state.guides.get('3')?.facts).toEqual({ collectiveDecision: { required: false, legalBasis: null }, licence: null, collaboration: null });
    expect(itemFactsOf(item.state, itemCode, '3').licence).toEqual({ electronicAvailable: false, paperAbolished: false, validityMonths: null, renewalLeadDays: 30, renewalLeadUnit: 'calendar-days' });
  });
});
