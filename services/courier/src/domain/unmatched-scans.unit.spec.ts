import { deciderSpec } from '@govsvc/testkit/decider';
import { describe, expect, it } from 'vitest';
import { unmatchedScansDecider, type HeldScan, type UnmatchedScanCommand, type UnmatchedScanEvent } from './unmatched-scans.ts';

const spec = deciderSpec(unmatchedScansDecider);
const T0 = '2025-03-21T01:00:00.000Z';
const DAY = 24 * 3_600_000;
const plus = (ms: number) => new Date(new Date(T0).getTime() + ms).toISOString();
const scan = (carrierEventId: string): HeldScan => ({ carrierEventId, status: 'picked-up', occurredAt: T0, sequence: 1, location: '北京朝阳营业部', note: null });
const hold = (carrierEventId: string, now = T0): UnmatchedScanCommand => ({
  type: 'HoldScan',
  data: { carrier: 'local', trackingNumber: 'LC1', scan: scan(carrierEventId), webhookDeliveryId: 'dlv-1', correlationId: 'corr-1' },
  now,
  retentionMs: 7 * DAY,
});
const held = (carrierEventId: string, now = T0): UnmatchedScanEvent => ({
  type: 'ScanHeld',
  data: { carrier: 'local', trackingNumber: 'LC1', scan: scan(carrierEventId), webhookDeliveryId: 'dlv-1', correlationId: 'corr-1', receivedAt: now, holdUntil: plus(new Date(now).getTime() - new Date(T0).getTime() + 7 * DAY) },
});
const applied = (carrierEventId: string): UnmatchedScanEvent => ({ type: 'ScanApplied', data: { carrierEventId, waybillId: 'wb-1', appliedAt: T0 } });
const markApplied = (carrierEventId: string): UnmatchedScanCommand => ({ type: 'MarkApplied', data: { carrierEventId, waybillId: 'wb-1' }, now: T0 });

describe('scans held for a waybill that does not exist yet (R-COURIER-1)', () => {
  it('R-COURIER-1: a scan is held once, with the end of its retention; the same carrier event sent again is not held twice', () => {
    spec.given([]).when(hold('e-1')).then([held('e-1')]);
    spec.given([held('e-1')]).when(hold('e-1')).thenNothingHappens();
    // Nor once it was applied or expired: a scan is never applied twice.
    spec.given([held('e-1'), applied('e-1')]).when(hold('e-1')).thenNothingHappens();
    spec.given([held('e-1'), { type: 'ScanExpired', data: { carrierEventId: 'e-1', expiredAt: T0 } }]).when(hold('e-1')).thenNothingHappens();
  });

  it('R-COURIER-1: a held scan is marked applied once; one never held is not', () => {
    spec.given([held('e-1')]).when(markApplied('e-1')).then([applied('e-1')]);
    spec.given([held('e-1'), applied('e-1')]).when(markApplied('e-1')).thenNothingHappens();
    spec.given([]).when(markApplied('e-1')).thenNothingHappens();
  });

  it('R-COURIER-1: only scans past their retention expire, and only those still waiting', () => {
    const given = [held('e-1'), held('e-2', plus(2 * DAY)), held('e-3'), applied('e-3')];
    spec.given(given).when({ type: 'ExpireDue', now: plus(7 * DAY - 1) }).thenNothingHappens();
    spec.given(given).when({ type: 'ExpireDue', now: plus(7 * DAY) }).then([{ type: 'ScanExpired', data: { carrierEventId: 'e-1', expiredAt: plus(7 * DAY) } }]);
    const state = [...given, { type: 'ScanExpired', data: { carrierEventId: 'e-1', expiredAt: plus(7 * DAY) } } as UnmatchedScanEvent].reduce(unmatchedScansDecider.evolve, unmatchedScansDecider.initialState());
    expect(state.waiting.map((w) => w.scan.carrierEventId)).toEqual(['e-2']);
    spec.given(given).when({ type: 'ExpireDue', now: plus(9 * DAY) }).then([
      { type: 'ScanExpired', data: { carrierEventId: 'e-1', expiredAt: plus(9 * DAY) } },
      { type: 'ScanExpired', data: { carrierEventId: 'e-2', expiredAt: plus(9 * DAY) } },
    ]);
  });
});
