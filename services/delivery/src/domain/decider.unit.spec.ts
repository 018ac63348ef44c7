import { NotFoundError, RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { deciderSpec } from '@govsvc/testkit/decider';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, type DeliveryCommand } from './commands.ts';
import { deliveryDecider, matchesMasked, retryDelay } from './decide.ts';
import { dueSends, nextRetryAt } from './dispatch.ts';
import type { DeliveryEvent } from './events.ts';
import { ctx, decisionRecorded, deliverBy, licenceRecorded, NOW, noticeIdOf, preferences, recordPreferences, scheduled, sealed } from './fixtures.ts';
import { initialDeliveryState } from './state.ts';

const spec = deciderSpec(deliveryDecider);
const fold = (events: readonly DeliveryEvent[]) => events.reduce(deliveryDecider.evolve, initialDeliveryState());
const acceptedNotice: DeliveryCommand = {
  type: 'RequestNotice',
  data: { noticeKey: 'accepted:rcpt-1', facts: { stage: 'accepted', decisionDue: '2025-04-01', tolerated: null } },
  ctx: ctx(),
};
const noticeId = noticeIdOf('accepted:rcpt-1');
const outcome = (attempt: number, result: { kind: 'sent'; providerMessageId: string } | { kind: 'failed'; error: string; permanent: boolean }, now = NOW): DeliveryCommand => ({
  type: 'RecordSendOutcome',
  data: { noticeId, channel: 'email', attempt, outcome: result, retry: { maxAttempts: 3, delaysMs: [1_000, 10_000] } },
  ctx: ctx({ now }),
});

describe('notifications (R-NOTIFY-1)', () => {
  it('R-NOTIFY-1: a notice is requested once per (case, notice): a redelivered event adds nothing', () => {
    spec.given([]).when(acceptedNotice).then([{ type: 'NoticeRequested', data: { noticeId, noticeKey: 'accepted:rcpt-1', facts: acceptedNotice.data.facts as never, requestedAt: NOW } }]);
    const requested = deliveryDecider.decide(acceptedNotice, initialDeliveryState());
    spec.given(requested).when(acceptedNotice).thenNothingHappens();
  });

  it('R-NOTIFY-1: nothing is due until the applicant’s channels are known; then every chosen channel is', () => {
    const requested = deliveryDecider.decide(acceptedNotice, initialDeliveryState());
    expect(dueSends(fold(requested), new Date(NOW))).toEqual([]);
    const due = dueSends(fold([...requested, preferences()]), new Date(NOW));
    expect(due.map((d) => [d.channel, d.attempt])).toEqual([['email', 1], ['sms', 1]]);
  });

  it('R-NOTIFY-1: a sent channel is final; a second success or a stale attempt records nothing', () => {
    const given = [preferences(), ...deliveryDecider.decide(acceptedNotice, initialDeliveryState())];
    const sent = deliveryDecider.decide(outcome(1, { kind: 'sent', providerMessageId: 'm-1' }), fold(given));
    expect(sent).toEqual([{ type: 'NotificationSent', data: { noticeId, stage: 'accepted', channel: 'email', attempt: 1, providerMessageId: 'm-1', sentAt: NOW } }]);
    spec.given([...given, ...sent]).when(outcome(1, { kind: 'sent', providerMessageId: 'm-2' })).thenNothingHappens();
    spec.given([...given, ...sent]).when(outcome(2, { kind: 'failed', error: 'x', permanent: false })).thenNothingHappens();
    expect(dueSends(fold([...given, ...sent]), new Date(NOW)).map((d) => d.channel)).toEqual(['sms']);
  });

  it('R-NOTIFY-1: failures retry with growing backoff and end as a visible failure, never silently', () => {
    let history: DeliveryEvent[] = [preferences(), ...deliveryDecider.decide(acceptedNotice, initialDeliveryState())];
    const first = deliveryDecider.decide(outcome(1, { kind: 'failed', error: 'ECONNREFUSED', permanent: false }), fold(history));
    expect(first).toEqual([
      { type: 'NotificationAttemptFailed', data: { noticeId, channel: 'email', attempt: 1, error: 'ECONNREFUSED', failedAt: NOW, retryAt: '2025-03-20T08:00:01.000Z' } },
    ]);
    history = [...history, ...first];
    expect(nextRetryAt(fold(history))).toEqual(new Date('2025-03-20T08:00:01.000Z'));
    expect(dueSends(fold(history), new Date(NOW)).map((d) => d.channel)).toEqual(['sms']);
    expect(dueSends(fold(history), new Date('2025-03-20T08:00:01.000Z')).find((d) => d.channel === 'email')?.attempt).toBe(2);
    const second = deliveryDecider.decide(outcome(2, { kind: 'failed', error: 'timeout', permanent: false }), fold(history));
    expect(second[0]?.type === 'NotificationAttemptFailed' && second[0].data.retryAt).toBe('2025-03-20T08:00:10.000Z');
    history = [...history, ...second];
    const third = deliveryDecider.decide(outcome(3, { kind: 'failed', error: 'timeout', permanent: false }), fold(history));
    expect(third).toEqual([{ type: 'NotificationFailed', data: { noticeId, channel: 'email', attempts: 3, error: 'timeout', failedAt: NOW } }]);
    history = [...history, ...third];
    expect(dueSends(fold(history), new Date('2030-01-01T00:00:00Z')).map((d) => d.channel)).toEqual(['sms']);
    // The operator sends it again: a fresh round of attempts.
    const requeue: DeliveryCommand = { type: 'RequeueNotification', data: { noticeId, channel: 'email', by: 'op-1' }, ctx: ctx() };
    const requeued = deliveryDecider.decide(requeue, fold(history));
    expect(requeued.map((e) => e.type)).toEqual(['NotificationRequeued']);
    expect(dueSends(fold([...history, ...requeued]), new Date(NOW)).find((d) => d.channel === 'email')?.attempt).toBe(1);
  });

  it('R-NOTIFY-1: a permanent failure (no address for the channel) fails at once; only failed ones can be requeued', () => {
    const history = [preferences(), ...deliveryDecider.decide(acceptedNotice, initialDeliveryState())];
    const failed = deliveryDecider.decide(outcome(1, { kind: 'failed', error: 'no e-mail address on file', permanent: true }), fold(history));
    expect(failed.map((e) => e.type)).toEqual(['NotificationFailed']);
    spec.given(history).when({ type: 'RequeueNotification', data: { noticeId, channel: 'email', by: 'op' }, ctx: ctx() }).thenThrows(NotFoundError);
  });

  it('default retry policy: 6 attempts over about 40 minutes', () => {
    expect(DEFAULT_RETRY.maxAttempts).toBe(6);
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay(DEFAULT_RETRY, n))).toEqual([5_000, 30_000, 120_000, 600_000, 1_800_000, 1_800_000]);
  });
});

describe('result delivery (R-DELIV-1) and the Art. 44 deadline', () => {
  const recordDecision: DeliveryCommand = { type: 'RecordDecision', data: { outcome: 'approve', decisionId: 'dec-1', decidedAt: NOW, deliverBy }, ctx: ctx() };

  it('R-DELIV-1: the approval and the applicant’s choice arrive in any order; delivery is scheduled with its deadline once both are known', () => {
    spec.given([]).when(recordDecision).then([decisionRecorded]);
    spec.given([decisionRecorded]).when(recordPreferences()).then([preferences(), scheduled('post')]);
    spec.given([preferences()]).when(recordDecision).then([decisionRecorded, scheduled('post')]);
    spec.given([preferences(), decisionRecorded, scheduled()]).when(recordPreferences()).thenNothingHappens();
  });

  it('R-DELIV-1 / R-COURIER-1: post hands over to courier with the sealed contact once the licence is recorded, and tells the applicant', () => {
    const recordLicence: DeliveryCommand = { type: 'RecordLicence', data: licenceRecorded.data as never, ctx: ctx() };
    spec.given([preferences(), decisionRecorded, scheduled()]).when(recordLicence).thenSatisfies((events) => {
      expect(events.map((e) => e.type)).toEqual(['LicenceRecorded', 'PostalDeliveryRequested', 'NoticeRequested']);
      const postal = events[1] as Extract<DeliveryEvent, { type: 'PostalDeliveryRequested' }>;
      expect(postal.data.recipient).toEqual(sealed);
      expect(postal.data.deliverBy).toEqual(deliverBy);
      expect(postal.data.contents).toEqual([{ kind: 'licence', reference: 'lic-1', title: '食品经营许可证' }]);
      const notice = events[2] as Extract<DeliveryEvent, { type: 'NoticeRequested' }>;
      expect(notice.data.facts).toMatchObject({ stage: 'licence-issued', method: 'post', pickupCode: null, deliverBy: '2025-04-03' });
    });
  });

  it('R-DELIV-1: the courier’s delivered status completes a postal delivery once; the applicant is told', () => {
    const given = [preferences(), decisionRecorded, scheduled(), ...deliveryDecider.decide({ type: 'RecordLicence', data: licenceRecorded.data as never, ctx: ctx() }, fold([preferences(), decisionRecorded, scheduled()]))];
    const status = (s: string): DeliveryCommand => ({ type: 'RecordShipmentStatus', data: { waybillId: 'wb-1', status: s, occurredAt: '2025-03-22T06:00:00.000Z' }, ctx: ctx() });
    spec.given(given).when(status('in-transit')).then([{ type: 'ShipmentProgressed', data: { waybillId: 'wb-1', status: 'in-transit', occurredAt: '2025-03-22T06:00:00.000Z' } }]);
    const delivered = deliveryDecider.decide(status('delivered'), fold(given));
    expect(delivered.map((e) => e.type)).toEqual(['ShipmentProgressed', 'ResultDelivered', 'NoticeRequested']);
    expect(delivered[1]?.data).toEqual({ method: 'post', waybillId: 'wb-1', licenceId: 'lic-1', deliveredAt: '2025-03-22T06:00:00.000Z' });
    spec.given([...given, ...delivered]).when(status('delivered')).thenNothingHappens();
  });

  it('R-DELIV-1: window pickup needs the code and the applicant’s identity (or an agent with a power of attorney); the ID is stored masked', () => {
    const window = { method: 'window-pickup', serviceCentre: 'centre-cy' } as const;
    const given = [preferences(window), decisionRecorded, scheduled('window-pickup')];
    const issued = deliveryDecider.decide({ type: 'RecordLicence', data: licenceRecorded.data as never, ctx: ctx() }, fold(given));
    expect(issued.map((e) => e.type)).toEqual(['LicenceRecorded', 'PickupCodeIssued', 'NoticeRequested']);
    expect((issued[2] as Extract<DeliveryEvent, { type: 'NoticeRequested' }>).data.facts).toMatchObject({ pickupCode: '12345678', serviceCentre: 'centre-cy' });
    const history = [...given, ...issued];
    const pickup = (over: Partial<Extract<DeliveryCommand, { type: 'ConfirmPickup' }>['data']>): DeliveryCommand => ({
      type: 'ConfirmPickup',
      data: { method: 'window-pickup', code: '12345678', place: 'centre-cy', recipientId: '11010519491231002X', recipientKind: 'applicant', authorization: null, handedOverBy: 'clerk-1', ...over },
      ctx: ctx(),
    });
    spec.given(history).when(pickup({ code: '00000000' })).thenThrows(RuleViolation, (e) => e.rule === 'R-DELIV-1');
    spec.given(history).when(pickup({ recipientId: '110105194912310037' })).thenThrows(RuleViolation, (e) => /not the applicant/.test(e.message));
    spec.given(history).when(pickup({ place: 'centre-hd' })).thenThrows(RuleViolation);
    spec.given(history).when(pickup({ recipientKind: 'agent', recipientId: '110105194912310037' })).thenThrows(ValidationError);
    const done = deliveryDecider.decide(pickup({}), fold(history));
    expect(done[0]).toEqual({
      type: 'ResultDelivered',
      data: { method: 'window-pickup', serviceCentre: 'centre-cy', recipient: { kind: 'applicant', maskedId: '110105********002X', authorization: null }, handedOverBy: 'clerk-1', licenceId: 'lic-1', deliveredAt: NOW },
    });
    expect(JSON.stringify(done)).not.toContain('11010519491231002X');
    spec.given([...history, ...done]).when(pickup({})).thenThrows(RuleViolation, (e) => /already been delivered/.test(e.message));
  });

  it('R-DELIV-1: electronic delivery completes on the first recorded download; later downloads are recorded too', () => {
    const given = [preferences({ method: 'electronic' }), decisionRecorded, scheduled('electronic'), licenceRecorded];
    const download = (id: string): DeliveryCommand => ({ type: 'RecordDownload', data: { downloadId: id, by: 'applicant-ref' }, ctx: ctx() });
    const first = deliveryDecider.decide(download('d-1'), fold(given));
    expect(first.map((e) => e.type)).toEqual(['ResultDownloaded', 'ResultDelivered', 'NoticeRequested']);
    const second = deliveryDecider.decide(download('d-2'), fold([...given, ...first]));
    expect(second.map((e) => e.type)).toEqual(['ResultDownloaded']);
    spec.given([...given, ...first]).when(download('d-1')).thenNothingHappens();
    spec.given([preferences(), decisionRecorded, scheduled(), licenceRecorded]).when(download('d-3')).thenThrows(RuleViolation);
  });

  it('R-DELIV-1: a change of method is an event; a pickup chosen after the licence gets its code; no change once posted or delivered', () => {
    const given = [preferences({ method: 'electronic' }), decisionRecorded, scheduled('electronic'), licenceRecorded];
    const change = (to: Extract<DeliveryCommand, { type: 'ChangeDeliveryMethod' }>['data']['to'], hasPostalAddress = true): DeliveryCommand => ({
      type: 'ChangeDeliveryMethod',
      data: { to, by: { id: 'applicant-ref', role: 'applicant' }, hasPostalAddress },
      ctx: ctx(),
    });
    const changed = deliveryDecider.decide(change({ method: 'kiosk-pickup', serviceCentre: 'centre-cy' }), fold(given));
    expect(changed.map((e) => e.type)).toEqual(['DeliveryMethodChanged', 'PickupCodeIssued', 'NoticeRequested']);
    spec.given(given).when(change({ method: 'post' }, false)).thenThrows(ValidationError);
    const posted = deliveryDecider.decide(change({ method: 'post' }), fold(given));
    expect(posted.map((e) => e.type)).toEqual(['DeliveryMethodChanged', 'PostalDeliveryRequested', 'NoticeRequested']);
    spec.given([...given, ...posted]).when(change({ method: 'electronic' })).thenThrows(RuleViolation, (e) => /handed to the post/.test(e.message));
    spec.given([]).when(change({ method: 'electronic' })).thenThrows(NotFoundError);
  });

  it('R-DELIV-1 / R-COURIER-1: a parcel returned to the centre frees the choice: pickup instead, or post again as a new shipment', () => {
    const start = [preferences(), decisionRecorded, scheduled()];
    const handedOver = deliveryDecider.decide({ type: 'RecordLicence', data: licenceRecorded.data as never, ctx: ctx() }, fold(start));
    const returned = deliveryDecider.decide(
      { type: 'RecordShipmentStatus', data: { waybillId: 'wb-1', status: 'returned', occurredAt: '2025-03-25T06:00:00.000Z' }, ctx: ctx() },
      fold([...start, ...handedOver]),
    );
    const history = [...start, ...handedOver, ...returned];
    const change = (to: Extract<DeliveryCommand, { type: 'ChangeDeliveryMethod' }>['data']['to']): DeliveryCommand => ({
      type: 'ChangeDeliveryMethod',
      data: { to, by: { id: 'clerk-1', role: 'clerk' }, hasPostalAddress: true },
      ctx: ctx(),
    });
    const toWindow = deliveryDecider.decide(change({ method: 'window-pickup', serviceCentre: 'centre-cy' }), fold(history));
    expect(toWindow.map((e) => e.type)).toEqual(['DeliveryMethodChanged', 'PickupCodeIssued', 'NoticeRequested']);
    // Posting again: a new hand-over with its own delivery id, so courier creates a new waybill.
    const postAgain = deliveryDecider.decide(change({ method: 'post' }), fold([...history, ...toWindow]));
    expect(postAgain.map((e) => e.type)).toEqual(['DeliveryMethodChanged', 'PostalDeliveryRequested', 'NoticeRequested']);
    expect((postAgain[1] as Extract<DeliveryEvent, { type: 'PostalDeliveryRequested' }>).data.deliveryId).toBe('dlv-case-0001-r1');
  });

  it('a refusal schedules no delivery', () => {
    spec.given([preferences()]).when({ type: 'RecordDecision', data: { outcome: 'refuse', decisionId: 'd', decidedAt: NOW, deliverBy }, ctx: ctx() }).then([
      { type: 'DecisionRecorded', data: { outcome: 'refuse', decisionId: 'd', decidedAt: NOW, deliverBy } },
    ]);
  });

  it('masked identity matching', () => {
    expect(matchesMasked('110105********002X', '11010519491231002x')).toBe(true);
    expect(matchesMasked('110105********002X', '110106194912310027')).toBe(false);
  });
});
