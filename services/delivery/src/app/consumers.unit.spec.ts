/**
 * Each consumed contract becomes the right notice (R-NOTIFY-1), once per
 * event: the handlers run against the in-memory store with decoded events
 * built from the contracts' examples.
 */
import { loadCalendar } from '@govsvc/calendar/data-files';
import type { DecodedIntegrationEvent } from '@govsvc/contracts/envelope';
import { examples } from '@govsvc/contracts/examples';
import type { CurrentIntegrationEvent } from '@govsvc/contracts/registry';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { ControlledClock } from '@govsvc/runtime/clock';
import { describe, expect, it } from 'vitest';
import { contactKeys } from '../../test/support.ts';
import { createEd25519Signer } from '../adapters/document-signer.ts';
import { renderNotice } from '../domain/templates.ts';
import { deliveryHandlers } from './consumers.ts';
import { streamOf as deliveryStreamOf } from './codec.ts';
import { DeliveryService } from './delivery-service.ts';

const decoded = <T extends CurrentIntegrationEvent['type']>(type: T, data: Extract<CurrentIntegrationEvent, { type: T }>['data'], id = `evt-${type}`) =>
  ({ id, source: `/govsvc/${type.split('.')[0]}`, type, data, receivedType: type, subject: (data as { caseId: string }).caseId, time: '2025-03-20T08:00:00Z', dataschema: '', correlationId: 'corr', causationId: null }) as unknown as DecodedIntegrationEvent<
    Extract<CurrentIntegrationEvent, { type: T }>
  >;

async function setup() {
  const store = createInMemoryEventStore();
  const service = new DeliveryService({ store, clock: new ControlledClock('2025-03-20T08:00:00Z'), calendar: await loadCalendar(), signer: createEd25519Signer('k'), keyring: contactKeys, retry: { maxAttempts: 3, delaysMs: [1] } });
  return { store, service, handlers: deliveryHandlers(service) };
}

/**
 * Views of one store as separate processes see it (each has its own kept states: the fold cache is per store
 * object), every stream read through any of them recorded in `reads`.
 */
function readRecording(store: Awaited<ReturnType<typeof setup>>['store']) {
  const reads: string[] = [];
  const processView = () =>
    new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'readStream') return (stream: string, options?: unknown) => (reads.push(stream), target.readStream(stream, options as never));
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
  return { reads, processView };
}

const ctx = { caseNumber: 'BJ-1', itemName: '食品经营许可', name: '张三' };
const caseId = examples['intake.case-accepted.v2'].caseId;

describe('consumed contracts → notices (R-NOTIFY-1)', () => {
  it('R-NOTIFY-1: acceptance, supplement notice, refusal to accept, an extended time limit and a refused decision each become one notice with what the applicant must know', async () => {
    const { service, handlers } = await setup();
    await handlers['intake.case-accepted.v2'](decoded('intake.case-accepted.v2', examples['intake.case-accepted.v2']));
    await handlers['intake.supplement-requested.v1'](decoded('intake.supplement-requested.v1', examples['intake.supplement-requested.v1']));
    await handlers['intake.case-not-accepted.v1'](decoded('intake.case-not-accepted.v1', examples['intake.case-not-accepted.v1']));
    await handlers['review.time-limit-extended.v1'](decoded('review.time-limit-extended.v1', examples['review.time-limit-extended.v1']));
    await handlers['review.decision-made.v1'](decoded('review.decision-made.v1', examples['review.decision-made.v1']));
    // Redelivered: nothing new.
    await handlers['review.decision-made.v1'](decoded('review.decision-made.v1', examples['review.decision-made.v1']));
    // No preferences yet: the notices wait, in order (finding 7), and go out once they arrive.
    expect((await service.state(caseId)).notices.size).toBe(0);
    expect((await service.parking(caseId)).waiting).toHaveLength(5);
    await handlers['intake.delivery-preferences-recorded.v1'](decoded('intake.delivery-preferences-recorded.v1', { ...examples['intake.delivery-preferences-recorded.v1'], caseId }));
    expect((await service.parking(caseId)).waiting).toEqual([]);
    const notices = [...(await service.state(caseId)).notices.values()];
    expect(notices.map((n) => n.facts.stage)).toEqual(['accepted', 'supplement-requested', 'not-accepted', 'time-limit-extended', 'decided']);
    const texts = notices.map((n) => renderNotice(n.facts, ctx, 'sms').text);
    expect(texts[1]).toContain('经营场所平面图（未提交经营场所平面图）');
    expect(texts[1]).toContain('2025年3月17日前');
    expect(texts[3]).toContain('由2025年4月10日延长至2025年4月24日。理由：需现场核查');
    expect(texts[4]).toContain('经营场所不符合食品安全要求');
    expect(texts[4]).toContain('致电12345');
    const state = await service.state(caseId);
    expect(state.decision).toMatchObject({ outcome: 'refuse' });
    expect(state.scheduled).toBeNull();
  });

  it('R-NOTIFY-1: review’s progress notices are told (under review, excluded time); its decision notice is not told twice', async () => {
    const { service, handlers } = await setup();
    await handlers['intake.delivery-preferences-recorded.v1'](decoded('intake.delivery-preferences-recorded.v1', { ...examples['intake.delivery-preferences-recorded.v1'], caseId }));
    const base = examples['review.applicant-notice-due.v1'];
    await handlers['review.applicant-notice-due.v1'](
      decoded('review.applicant-notice-due.v1', { ...base, stage: 'time-excluded', outcome: '因需组织听证，听证所需时间不计入办理时限', nextStep: 'await-excluded-step', due: null, document: { documentId: 'doc-excl-1', kind: 'time-exclusion-notice' } }, 'evt-excl'),
    );
    await handlers['review.applicant-notice-due.v1'](decoded('review.applicant-notice-due.v1', base, 'evt-approved'));
    const notices = [...(await service.state(caseId)).notices.values()];
    expect(notices.map((n) => n.facts.stage)).toEqual(['review-progress']);
    const text = renderNotice(notices[0]!.facts, ctx, 'sms').text;
    expect(text).toContain('中止计算办理时限');
    expect(text).toContain('因需组织听证，听证所需时间不计入办理时限。请按书面通知参加听证');
  });

  it('R-DELIV-1: an approval is scheduled with decision day + 10 working days; an inbound shipment status is ignored', async () => {
    const { service, handlers } = await setup();
    await handlers['intake.delivery-preferences-recorded.v1'](decoded('intake.delivery-preferences-recorded.v1', { ...examples['intake.delivery-preferences-recorded.v1'], caseId }));
    const approval = { ...examples['review.decision-made.v1'], outcome: 'approve' as const, licenceForms: ['paper' as const], decidedAt: '2025-09-26T10:00:00+08:00' };
    await handlers['review.decision-made.v1'](decoded('review.decision-made.v1', approval as never));
    // From Fri 2025-09-26: Sun 28 Sep (调休 working day), 29, 30 Sep, then the National Day holiday 1–8 Oct is skipped,
    // 9, 10, Sat 11 Oct (调休), 13, 14, 15, 16 Oct: the tenth working day.
    expect((await service.state(caseId)).decision?.deliverBy).toEqual({ date: '2025-10-16', provisional: false });
    await handlers['courier.shipment-status-changed.v1'](decoded('courier.shipment-status-changed.v1', { ...examples['courier.shipment-status-changed.v1'], caseId, direction: 'applicant-to-office' }));
    expect((await service.state(caseId)).postal).toBeNull();
  });
});

describe('a case’s contracts out of order (reliability finding 7, R-NOTIFY-1)', () => {
  const contracts = () => ({
    preferences: decoded('intake.delivery-preferences-recorded.v1', { ...examples['intake.delivery-preferences-recorded.v1'], caseId }, 'evt-prefs'),
    accepted: decoded('intake.case-accepted.v2', examples['intake.case-accepted.v2'], 'evt-accepted'),
    extended: decoded('review.time-limit-extended.v1', examples['review.time-limit-extended.v1'], 'evt-extended'),
  });
  const streamOf = async (store: Awaited<ReturnType<typeof setup>>['store']) =>
    (await store.readStream(`delivery-${caseId}`)).map((e) => ({ id: e.id, type: e.type, data: e.data, causationId: e.metadata.causationId }));

  it('notices that arrive before the preferences wait and are then requested with the ids they would have had in order; the stream is the in-order one', async () => {
    const inOrder = await setup();
    const c = contracts();
    await inOrder.handlers['intake.delivery-preferences-recorded.v1'](c.preferences);
    await inOrder.handlers['intake.case-accepted.v2'](c.accepted);
    await inOrder.handlers['review.time-limit-extended.v1'](c.extended);
    expect((await inOrder.store.readStream(`deliveryparked-${caseId}`))).toEqual([]);

    const reordered = await setup();
    await reordered.handlers['review.time-limit-extended.v1'](c.extended);
    await reordered.handlers['intake.case-accepted.v2'](c.accepted);
    // Waiting, not requested: the delivery stream holds nothing yet, and nothing is lost.
    expect(await streamOf(reordered.store)).toEqual([]);
    expect((await reordered.service.parking(caseId)).waiting.map((p) => p.noticeKey)).toEqual([`time-limit-extended:${examples['review.time-limit-extended.v1'].newDue.date}`, `accepted:${examples['intake.case-accepted.v2'].receipt.documentId}`]);
    await reordered.handlers['intake.delivery-preferences-recorded.v1'](c.preferences);

    const expected = await streamOf(inOrder.store);
    const got = await streamOf(reordered.store);
    expect(got.map((e) => e.type)).toEqual(['PreferencesRecorded', 'NoticeRequested', 'NoticeRequested']);
    // The same events with the same ids; parked notices in the order they came (so extension before acceptance here).
    expect(new Set(got.map((e) => e.id))).toEqual(new Set(expected.map((e) => e.id)));
    expect(got.map((e) => e.causationId)).toEqual(['evt-prefs', 'evt-extended', 'evt-accepted']);
    expect((await reordered.service.parking(caseId)).waiting).toEqual([]);

    // Every contract delivered again: nothing parks again, nothing is requested twice.
    const before = (await reordered.store.readAll()).length;
    for (const [type, event] of [['review.time-limit-extended.v1', c.extended], ['intake.case-accepted.v2', c.accepted], ['intake.delivery-preferences-recorded.v1', c.preferences]] as const) {
      await (reordered.handlers[type] as (e: unknown) => Promise<void>)(event);
    }
    expect((await reordered.store.readAll()).length).toBe(before);
  });

  it('a drain interrupted after the request and before the release requests nothing twice when it runs again', async () => {
    const { store, service, handlers } = await setup();
    const c = contracts();
    await handlers['intake.case-accepted.v2'](c.accepted);
    // The preferences are stored but the drain never ran (the process died in between).
    await service.execute(caseId, { type: 'RecordPreferences', data: { ...(await preferencesData()) } }, { seed: '/govsvc/intake#evt-prefs/preferences', actor: { id: '/govsvc/intake', role: 'integration' }, correlationId: 'corr', causationId: 'evt-prefs' });
    expect((await service.parking(caseId)).waiting).toHaveLength(1);
    // The redelivered preferences drain it; a second drain finds nothing.
    await handlers['intake.delivery-preferences-recorded.v1'](c.preferences);
    expect(await service.releaseParkedNotices(caseId)).toBe(0);
    expect((await store.readStream(`delivery-${caseId}`)).map((e) => e.type)).toEqual(['PreferencesRecorded', 'NoticeRequested']);
  });

  it('a notice for a case whose preferences this process already holds asks the store nothing before appending; one whose preferences it has not seen reads the case first', async () => {
    const base = await setup();
    const { reads, processView } = readRecording(base.store);
    const service = new DeliveryService({ store: processView(), clock: new ControlledClock('2025-03-20T08:00:00Z'), calendar: await loadCalendar(), signer: createEd25519Signer('k'), keyring: contactKeys, retry: { maxAttempts: 3, delaysMs: [1] } });
    const handlers = deliveryHandlers(service);
    await handlers['intake.delivery-preferences-recorded.v1'](decoded('intake.delivery-preferences-recorded.v1', { ...examples['intake.delivery-preferences-recorded.v1'], caseId }));
    reads.length = 0;
    await handlers['intake.case-accepted.v2'](decoded('intake.case-accepted.v2', examples['intake.case-accepted.v2']));
    expect(reads.filter((stream) => stream === deliveryStreamOf(caseId))).toEqual([]);
    expect([...(await service.state(caseId)).notices.values()].map((n) => n.facts.stage)).toEqual(['accepted']);
    // Another process's service, which has not seen the preferences, reads the case before deciding to request or park.
    const other = new DeliveryService({ store: processView(), clock: new ControlledClock('2025-03-20T08:00:00Z'), calendar: await loadCalendar(), signer: createEd25519Signer('k'), keyring: contactKeys, retry: { maxAttempts: 3, delaysMs: [1] } });
    reads.length = 0;
    await other.requestNotice(caseId, { noticeKey: 'extra', facts: [...(await service.state(caseId)).notices.values()][0]!.facts }, { seed: 'extra', actor: { id: 't', role: 'system' }, correlationId: 'c' });
    expect(reads.filter((stream) => stream === deliveryStreamOf(caseId)).length).toBeGreaterThan(0);
    expect((await service.parking(caseId)).waiting).toEqual([]);
  });
});

describe("intake's first contracts for a case (R-DELIV-1)", () => {
  it('an online submission and the preferences are recorded without a read of the case first; a window submission found stored is decided on a fresh read', async () => {
    const base = await setup();
    const { reads, processView } = readRecording(base.store);
    const service = new DeliveryService({ store: processView(), clock: new ControlledClock('2025-03-20T08:00:00Z'), calendar: await loadCalendar(), signer: createEd25519Signer('k'), keyring: contactKeys, retry: { maxAttempts: 3, delaysMs: [1] } });
    const handlers = deliveryHandlers(service);
    const submitted = examples['intake.application-submitted.v1'];
    await handlers['intake.application-submitted.v1'](decoded('intake.application-submitted.v1', { ...submitted, caseId, serviceCentre: null }));
    await handlers['intake.delivery-preferences-recorded.v1'](decoded('intake.delivery-preferences-recorded.v1', { ...examples['intake.delivery-preferences-recorded.v1'], caseId }));
    expect(reads.filter((stream) => stream === deliveryStreamOf(caseId))).toEqual([]);
    expect(await base.store.readStream(deliveryStreamOf(caseId))).toHaveLength(1); // the preferences: an online submission records nothing
    expect((await service.state(caseId)).preferences).not.toBeNull();

    // At a window, in another process after the preferences: the guess that the stream is new is refused, and read.
    const other = new DeliveryService({ store: processView(), clock: new ControlledClock('2025-03-20T08:00:00Z'), calendar: await loadCalendar(), signer: createEd25519Signer('k'), keyring: contactKeys, retry: { maxAttempts: 3, delaysMs: [1] } });
    reads.length = 0;
    await deliveryHandlers(other)['intake.application-submitted.v1'](decoded('intake.application-submitted.v1', { ...submitted, caseId, serviceCentre: 'centre-chaoyang' }, 'evt-window'));
    expect(reads.filter((stream) => stream === deliveryStreamOf(caseId))).toHaveLength(1);
    expect((await other.state(caseId)).submissionCentre).toBe('centre-chaoyang');
    expect((await other.state(caseId)).preferences).not.toBeNull();
  });
});

async function preferencesData() {
  const d = examples['intake.delivery-preferences-recorded.v1'];
  return { caseNumber: d.caseNumber, itemCode: d.itemCode, itemName: d.itemName, applicant: d.applicant, channels: d.notificationChannels, choice: d.resultDelivery, contact: d.contact, recordedAt: d.recordedAt };
}
