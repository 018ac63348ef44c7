/**
 * The fault harness's checker logic that needs no run: order per case
 * (causation and stream rules), the courier leg (parcels booked once and
 * delivered once), the projection comparisons, and the latency
 * proxy the broker and PostgreSQL rows go through. Each rule is shown failing.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractIdOf } from '@govsvc/messaging/relay';
import { spread } from '../faults/checks.ts';
import { releaseAt, startLatencyProxy, type LatencyProxy } from '../faults/latency-proxy.ts';
import { causesPrecedeEffects, effectsWithoutCause, streamRulesHold, type OrderedEvent } from '../faults/order.ts';
import { parcelsHeld, type WaybillEvent } from '../faults/parcels.ts';
import { foldTimelines, snapshotDiff, timelineOf } from '../faults/projections.ts';

const ev = (position: number, stream: string, type: string, extra: Partial<OrderedEvent> = {}): OrderedEvent => ({ id: `id-${position}`, stream, type, position: BigInt(position), caseId: stream.split('-').slice(1).join('-'), ...extra });

describe('order per case: every effect after its cause', () => {
  it('holds when each effect comes after the event it names, through the contract id the relay derived', () => {
    const events = [
      ev(1, 'application-c1', 'ApplicationSubmitted'),
      ev(2, 'application-c1', 'CaseAccepted'),
      ev(5, 'review-c1', 'ReviewOpened', { causationId: 'id-2' }),
      // The second contract of event 2 (index 1) caused courier's effect.
      ev(6, 'couriercase-c1', 'CaseOwnerRecorded', { causationId: contractIdOf('id-2', 1) }),
      // A cause the store does not hold (a contract the harness published itself): nothing to check.
      ev(7, 'deadline-c1:opinion', 'DeadlineOpened', { causationId: 'published-by-the-harness' }),
    ];
    const result = causesPrecedeEffects(events, contractIdOf);
    expect(result.problems).toEqual([]);
    expect(result.checked).toBe(2);
    expect(Object.fromEntries(result.byLink)).toEqual({ 'application → review': 1, 'application → couriercase': 1 });
  });

  it('names an effect recorded before its cause', () => {
    const events = [ev(3, 'delivery-c2', 'NotificationSent', { causationId: contractIdOf('id-4', 1) }), ev(4, 'review-c2', 'DecisionMade')];
    const result = causesPrecedeEffects(events, contractIdOf);
    expect(result.checked).toBe(1);
    expect(result.problems).toEqual(['c2: NotificationSent (delivery-c2 @3) before its cause DecisionMade (review-c2 @4)']);
  });

  it('leaves events without a case or without a cause alone', () => {
    const events = [ev(1, 'guide-x', 'GuidePublished', { caseId: undefined, causationId: 'id-2' }), ev(2, 'review-c3', 'ReviewOpened')];
    expect(causesPrecedeEffects(events, contractIdOf)).toMatchObject({ checked: 0, problems: [] });
  });
});

describe('order per case: stream rules', () => {
  it('holds for a case whose streams follow their domain order', () => {
    const events = [
      ev(1, 'application-c1', 'ApplicationSubmitted'),
      ev(2, 'application-c1', 'CaseAccepted'),
      ev(3, 'deadline-c1:acceptance', 'DeadlineOpened'),
      ev(4, 'delivery-c1', 'PreferencesRecorded'),
      ev(5, 'review-c1', 'ReviewOpened'),
      ev(6, 'deadline-c1:acceptance', 'DeadlineClosed'),
      ev(7, 'delivery-c1', 'NotificationSent'),
      ev(8, 'review-c1', 'DecisionMade'),
    ];
    const result = streamRulesHold(events);
    expect(result.problems).toEqual([]);
    expect(Object.fromEntries(result.checked)).toEqual({
      'application: ApplicationSubmitted < CaseAccepted': 1,
      'deadline: DeadlineOpened < DeadlineClosed': 1,
      'delivery: PreferencesRecorded < NotificationSent': 1,
      'review: ReviewOpened < DecisionMade': 1,
    });
  });

  it('names a later event that comes first, and one whose earlier event is missing', () => {
    const events = [ev(1, 'review-c1', 'DecisionMade'), ev(2, 'review-c1', 'ReviewOpened'), ev(3, 'deadline-c1:acceptance', 'DeadlineClosed')];
    expect(streamRulesHold(events).problems).toEqual(['review-c1: DecisionMade @1 before ReviewOpened @2', 'deadline-c1:acceptance: DeadlineClosed @3 without DeadlineOpened']);
  });
});

describe('order per case: courier', () => {
  it("a waybill's scans and status changes come after its creation", () => {
    const ok = [ev(1, 'waybill-w1', 'WaybillCreated'), ev(2, 'waybill-w1', 'TrackingEventRecorded'), ev(3, 'waybill-w1', 'StatusChanged')];
    expect(Object.fromEntries(streamRulesHold(ok).checked)).toEqual({ 'waybill: WaybillCreated < TrackingEventRecorded': 1, 'waybill: WaybillCreated < StatusChanged': 1 });
    expect(streamRulesHold([ev(1, 'waybill-w2', 'StatusChanged'), ev(2, 'waybill-w2', 'WaybillCreated')]).problems).toEqual(['waybill-w2: StatusChanged @1 before WaybillCreated @2']);
  });

  it("a waybill must name delivery's hand-over (through the relayed contract) as its cause", () => {
    const events = [
      ev(1, 'delivery-c1', 'PostalDeliveryRequested'),
      ev(2, 'waybill-w1', 'WaybillCreated', { caseId: 'c1', causationId: contractIdOf('id-1', 1) }),
      ev(3, 'review-c2', 'DecisionMade'),
      ev(4, 'waybill-w2', 'WaybillCreated', { caseId: 'c2', causationId: 'id-3' }),
      ev(5, 'waybill-w3', 'WaybillCreated', { caseId: 'c3' }),
    ];
    expect(effectsWithoutCause(events, contractIdOf, 'WaybillCreated', 'delivery')).toEqual([
      'waybill-w2: WaybillCreated whose cause (id-3) is no delivery event in the store',
      'waybill-w3: WaybillCreated whose cause (none) is no delivery event in the store',
    ]);
  });
});

describe('courier leg: every post case booked once and delivered once', () => {
  const created = (w: string, caseId: string, deliveryId: string | null): WaybillEvent => ({ stream: `waybill-${w}`, type: 'WaybillCreated', data: { caseId, deliveryId, direction: 'outbound', to: { name: 'x' } } });
  const scan = (w: string, n: number, status: string, effect = 'applied'): WaybillEvent => ({ stream: `waybill-${w}`, type: 'TrackingEventRecorded', data: { carrierEventId: `LC1-${n}`, status, effect } });
  const moved = (w: string, from: string, to: string): WaybillEvent => ({ stream: `waybill-${w}`, type: 'StatusChanged', data: { caseId: '?', from, to } } as WaybillEvent);
  const journey = (w: string, caseId: string, deliveryId: string) => [created(w, caseId, deliveryId), moved(w, 'none', 'created'), scan(w, 1, 'picked-up'), moved(w, 'created', 'picked-up'), scan(w, 4, 'delivered'), moved(w, 'picked-up', 'delivered')];

  it('holds when each hand-over has one waybill that reached delivered once, whatever was sent again', () => {
    const events = [...journey('w1', 'c1', 'd1'), scan('w1', 5, 'delivered', 'no-change'), ...journey('w2', 'c2', 'd2')];
    expect(parcelsHeld([{ caseId: 'c1', deliveryIds: ['d1'] }, { caseId: 'c2', deliveryIds: ['d2'] }], events)).toEqual({ lost: [], twice: [], booked: 2, delivered: 2 });
  });

  it('names a hand-over without a waybill, a parcel never delivered, and a case delivery never handed over', () => {
    const stuck = [created('w3', 'c3', 'd3'), moved('w3', 'none', 'created'), scan('w3', 1, 'picked-up'), moved('w3', 'created', 'picked-up')];
    const report = parcelsHeld([{ caseId: 'c1', deliveryIds: ['d1'] }, { caseId: 'c2', deliveryIds: [] }, { caseId: 'c3', deliveryIds: ['d3'] }], stuck);
    expect(report.lost).toEqual([
      'c1: no waybill for shipment d1',
      'c2: chose post, but delivery never handed the result to courier',
      'waybill-w3 (c3): tracking never reached delivered (last picked-up)',
    ]);
    expect(report).toMatchObject({ twice: [], booked: 1, delivered: 0 });
  });

  it('names a second booking, a second waybill per shipment, a waybill nobody asked for, and a double delivery', () => {
    const events = [
      ...journey('w1', 'c1', 'd1'),
      created('w1', 'c1', 'd1'),
      ...journey('w1b', 'c1', 'd1'),
      ...journey('w9', 'c9', 'd9'),
      moved('w1b', 'delivered', 'delivered'),
      scan('w1b', 4, 'delivered'),
    ];
    const report = parcelsHeld([{ caseId: 'c1', deliveryIds: ['d1'] }], events);
    expect(report.lost).toEqual([]);
    expect(report.twice).toEqual([
      'waybill-w1: 2 WaybillCreated (booked more than once)',
      'c1: 2 waybills for shipment d1 (waybill-w1, waybill-w1b)',
      'waybill-w1b: delivered 2×',
      'waybill-w1b: 2 delivered scans applied',
      'waybill-w9: a waybill for c9 no postal hand-over asked for (shipment d9)',
      'waybill-w1b: carrier event LC1-4 recorded 2×',
    ]);
  });
});

describe('projection comparisons', () => {
  it('a diff names the keys present in one snapshot only or with different values', () => {
    const before = new Map([['a', '1'], ['b', '2'], ['c', '3']]);
    const after = new Map([['a', '1'], ['b', '9'], ['d', '4']]);
    expect(snapshotDiff(before, after)).toEqual(['b: 2 → 9', 'c: 3 → absent', 'd: absent → 4']);
    expect(snapshotDiff(before, new Map(before))).toEqual([]);
  });

  it("the store's fold of a case timeline is its events in global order, cut at the head the check began at", () => {
    const events = [ev(4, 'review-c1', 'ReviewOpened'), ev(2, 'application-c1', 'ApplicationSubmitted'), ev(3, 'application-c2', 'ApplicationSubmitted'), ev(9, 'deadline-c1:review', 'DeadlineWarned')];
    const fold = foldTimelines(events, ['c1', 'c3'], 8n);
    expect(fold).toEqual(new Map([['c1', '2:application-c1:ApplicationSubmitted 4:review-c1:ReviewOpened'], ['c3', '']]));
    // The answer of the history route, compared the same way: a missing entry is a difference.
    const answered = timelineOf([{ position: '4', stream: 'review-c1', type: 'ReviewOpened' }], 8n);
    expect(snapshotDiff(fold, new Map([['c1', answered], ['c3', '']]))).toEqual(['c1: 2:application-c1:ApplicationSubmitted 4:review-c1:ReviewOpened → 4:review-c1:ReviewOpened']);
  });

  it('a sample spreads over the whole list', () => {
    expect(spread([1, 2, 3], 5)).toEqual([1, 2, 3]);
    expect(spread(Array.from({ length: 100 }, (_, i) => i), 4)).toEqual([0, 25, 50, 75]);
  });
});

describe('latency proxy', () => {
  let echo: Server;
  let proxy: LatencyProxy;
  beforeAll(async () => {
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = await startLatencyProxy({ host: '127.0.0.1', port: (echo.address() as { port: number }).port });
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise((resolve) => echo.close(resolve));
  });

  const roundTrips = async (socket: Socket, messages: readonly string[]): Promise<{ ms: number; text: string }> => {
    const began = Date.now();
    const want = messages.join('');
    let text = '';
    await new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        text += chunk.toString();
        if (text.length >= want.length) {
          socket.off('data', onData);
          resolve();
        }
      };
      socket.on('data', onData);
      for (const m of messages) socket.write(m);
    });
    return { ms: Date.now() - began, text };
  };

  it('adds the delay each way without throttling, keeps chunks in order, and costs nothing when off', async () => {
    const socket = connect({ host: '127.0.0.1', port: proxy.port });
    await new Promise((resolve) => socket.once('connect', resolve));
    proxy.setDelay(100);
    // Ten writes 10 ms apart: latency, not throttling — the last is back ~200 ms after it was sent, not ten delays later.
    const began = Date.now();
    const messages = Array.from({ length: 10 }, (_, i) => `m${i};`);
    let text = '';
    const done = new Promise<void>((resolve) => socket.on('data', (chunk: Buffer) => ((text += chunk.toString()), text.length >= messages.join('').length && resolve())));
    for (const m of messages) {
      socket.write(m);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await done;
    socket.removeAllListeners('data');
    const ms = Date.now() - began;
    expect(text).toBe(messages.join(''));
    expect(ms).toBeGreaterThanOrEqual(200);
    expect(ms).toBeLessThan(900);
    expect(proxy.stats()).toMatchObject({ open: 1 });
    expect(proxy.stats().delayedChunks).toBeGreaterThanOrEqual(2);
    proxy.setDelay(0);
    const off = await roundTrips(socket, ['ping']);
    expect(off.text).toBe('ping');
    expect(off.ms).toBeLessThan(100);
    socket.destroy();
  });

  it('a chunk never leaves before the one ahead of it, even when the delay is lowered', () => {
    expect(releaseAt(1_000, 100, 0)).toBe(1_100);
    expect(releaseAt(1_050, 0, 1_100)).toBe(1_100);
  });
});
