import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { deciderSpec } from '@govsvc/testkit/decider';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CourierEvent, TrackingStatus } from './events.ts';
import { mayMove, waybillDecider, type CourierCommand, type WaybillState } from './waybill.ts';

const spec = deciderSpec(waybillDecider);
const T0 = '2025-03-21T01:00:00.000Z';
const at = (minutes: number) => new Date(new Date(T0).getTime() + minutes * 60_000).toISOString();
const address = { name: '张三', phone: '13812345678', region: '110105', address: '北京市朝阳区某街道1号' };
const created: CourierEvent = {
  type: 'WaybillCreated',
  data: {
    waybillId: 'wb-1',
    caseId: 'case-1',
    direction: 'outbound',
    carrier: 'local',
    trackingNumber: 'LC1',
    from: { ...address, name: '政务服务中心' },
    to: address,
    contents: [{ kind: 'licence', reference: 'lic-1', title: '食品经营许可证', copies: 1 }],
    owner: '0f8fad5b-d9cb-469f-a165-70867728950e',
    deliveryId: 'dlv-1',
    createdBy: 'system',
    createdAt: T0,
  },
};
const track = (carrierEventId: string, status: TrackingStatus, minutes: number, sequence: number | null = null): CourierCommand => ({
  type: 'RecordTrackingEvent',
  data: { carrierEventId, status, occurredAt: at(minutes), sequence, location: null, note: null, at: at(1_000) },
});
const run = (commands: readonly CourierCommand[], start: readonly CourierEvent[] = [created]): { state: WaybillState; events: CourierEvent[] } => {
  let state = start.reduce(waybillDecider.evolve, waybillDecider.initialState());
  const events: CourierEvent[] = [...start];
  for (const command of commands) {
    const produced = waybillDecider.decide(command, state);
    events.push(...produced);
    state = produced.reduce(waybillDecider.evolve, state);
  }
  return { state, events };
};

describe('waybill state machine (R-COURIER-1)', () => {
  it('R-COURIER-1: created → picked up → in transit → out for delivery → delivered, each step an event with the carrier’s time', () => {
    const { state, events } = run([track('e1', 'picked-up', 10), track('e2', 'in-transit', 60), track('e3', 'out-for-delivery', 600), track('e4', 'delivered', 700)]);
    expect(state.status).toBe('delivered');
    expect(events.filter((e) => e.type === 'StatusChanged').map((e) => (e.type === 'StatusChanged' ? `${e.data.from}>${e.data.to}@${e.data.occurredAt}` : ''))).toEqual([
      `created>picked-up@${at(10)}`,
      `picked-up>in-transit@${at(60)}`,
      `in-transit>out-for-delivery@${at(600)}`,
      `out-for-delivery>delivered@${at(700)}`,
    ]);
  });

  it('R-COURIER-1: a duplicate carrier event is recorded once', () => {
    const { events } = run([track('e1', 'picked-up', 10)]);
    spec.given(events).when(track('e1', 'picked-up', 10)).thenNothingHappens();
  });

  it('R-COURIER-1: a late event is kept in the history but does not move the status backwards', () => {
    const { events, state } = run([track('e1', 'picked-up', 10), track('e3', 'out-for-delivery', 600)]);
    expect(state.status).toBe('out-for-delivery');
    spec.given(events).when(track('e2', 'in-transit', 60)).then([
      { type: 'TrackingEventRecorded', data: { carrierEventId: 'e2', status: 'in-transit', occurredAt: at(60), sequence: null, location: null, note: null, receivedAt: at(1_000), effect: 'late' } },
    ]);
  });

  it('R-COURIER-1: same carrier time is ordered by the carrier’s sequence number', () => {
    const { state } = run([track('e1', 'picked-up', 10, 1), track('e3', 'out-for-delivery', 60, 3), track('e2', 'in-transit', 60, 2)]);
    expect(state.status).toBe('out-for-delivery');
    expect(state.history.map((h) => h.effect)).toEqual(['applied', 'applied', 'late']);
  });

  it('R-COURIER-1: a failed attempt goes out again or back to the sender; delivered and returned are final', () => {
    const { state, events } = run([track('e1', 'picked-up', 1), track('e2', 'out-for-delivery', 2), track('e3', 'delivery-failed', 3), track('e4', 'out-for-delivery', 4), track('e5', 'delivery-failed', 5), track('e6', 'returned', 6)]);
    expect(state.status).toBe('returned');
    expect(state.failedAttempts).toBe(2);
    spec.given(events).when(track('e7', 'delivered', 7)).thenSatisfies((produced) => {
      expect(produced.map((e) => e.type)).toEqual(['TrackingEventRecorded']);
      expect(produced[0]?.type === 'TrackingEventRecorded' && produced[0].data.effect).toBe('not-allowed');
    });
  });

  it('R-COURIER-1: cancelling is possible only before pickup', () => {
    spec.given([created]).when({ type: 'CancelWaybill', data: { reason: '申请人改为窗口领取', by: 'clerk-1', at: at(1) } }).thenSatisfies((events) => {
      expect(events.map((e) => e.type)).toEqual(['WaybillCancelled', 'StatusChanged']);
    });
    const { events } = run([track('e1', 'picked-up', 1)]);
    spec.given(events).when({ type: 'CancelWaybill', data: { reason: 'x', by: 'c', at: at(2) } }).thenThrows(RuleViolation);
  });

  it('R-COURIER-1: inbound materials are checked in at the centre once delivered, once', () => {
    const inbound: CourierEvent = { ...created, data: { ...created.data, direction: 'inbound', deliveryId: null, contents: [{ kind: 'material', reference: 'm-1', title: '平面图', copies: 1 }] } } as CourierEvent;
    const receive: CourierCommand = {
      type: 'RecordMaterialsReceived',
      data: { materials: [{ materialId: 'm-1', name: '平面图', copies: 1 }], discrepancy: null, receivedBy: { staffId: 'clerk-1', department: '朝阳区政务服务中心' }, at: at(800) },
    };
    spec.given([inbound]).when(receive).thenThrows(RuleViolation, (e) => /once it is delivered/.test(e.message));
    const { events } = run([track('e1', 'picked-up', 1), track('e2', 'delivered', 2)], [inbound]);
    spec.given(events).when(receive).thenSatisfies((produced) => expect(produced.map((e) => e.type)).toEqual(['MaterialsReceived']));
    spec.given([created]).when(receive).thenThrows(RuleViolation, (e) => /inbound/.test(e.message));
  });

  it('refuses an outbound waybill without a delivery', () => {
    const { createdAt: _c, ...data } = created.data as Extract<CourierEvent, { type: 'WaybillCreated' }>['data'];
    spec.given([]).when({ type: 'CreateWaybill', data: { ...data, deliveryId: null, at: T0 } }).thenThrows(ValidationError);
  });

  it('R-COURIER-1: whatever order and however often the carrier sends a journey’s events, the status ends where the latest event says', () => {
    const journey: CourierCommand[] = [track('e1', 'picked-up', 10), track('e2', 'in-transit', 60), track('e3', 'in-transit', 200), track('e4', 'out-for-delivery', 600), track('e5', 'delivered', 700)];
    // Every event at least once, some again, in any order.
    const deliveries = fc
      .array(fc.integer({ min: 0, max: journey.length - 1 }), { maxLength: 10 })
      .chain((again) => {
        const all = [...journey.keys(), ...again];
        return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
      });
    fc.assert(
      fc.property(deliveries, (order) => {
        const { state } = run(order.map((i) => journey[i]!));
        expect(state.status).toBe('delivered');
        expect(state.history.map((h) => h.carrierEventId).sort()).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
      }),
      { numRuns: 200 },
    );
  });

  it('transition table', () => {
    expect(mayMove('created', 'delivered')).toBe(true);
    expect(mayMove('out-for-delivery', 'in-transit')).toBe(false);
    expect(mayMove('delivery-failed', 'out-for-delivery')).toBe(true);
    expect(mayMove('delivered', 'returned')).toBe(false);
    expect(mayMove('created', 'delivery-failed')).toBe(false);
  });
});

describe('a scan older than our record of the waybill (R-COURIER-1)', () => {
  it('R-COURIER-1: a carrier scan timed before the waybill was recorded (held while it was created) still moves it from created', () => {
    const { state } = run([track('early-1', 'picked-up', -1)]);
    expect(state.status).toBe('picked-up');
    expect(state.history.map((h) => h.effect)).toEqual(['applied']);
    // Once the carrier has moved it, its own older scans are history as before.
    const later = run([track('early-1', 'picked-up', -1), track('e-2', 'in-transit', 5), track('e-0', 'picked-up', -2)]);
    expect(later.state.history.map((h) => `${h.carrierEventId}:${h.effect}`)).toEqual(['early-1:applied', 'e-2:applied', 'e-0:late']);
  });
});

