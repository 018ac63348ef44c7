import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.ts';
import { ENTERPRISE_USCC, FOOD_ITEM, PERSON_ID } from '../../test/fixtures.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ now: '2026-11-25T10:00:00+08:00' });
});
afterEach(async () => h.close());

const slotId = `bj-chaoyang~${FOOD_ITEM}~20261126~1000`;
const person = { kind: 'person', id: PERSON_ID, name: '王小明' };
const inject = async (method: 'GET' | 'POST', url: string, token: string, payload?: object, headers: Record<string, string> = {}) =>
  h.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...headers }, ...(payload ? { payload } : {}) });

describe('appointments over HTTP (R-APPT-1)', () => {
  it('R-APPT-1: lists a working day’s slots with extended hours and places left', async () => {
    const res = await inject('GET', `/intake/centres/bj-chaoyang/slots?itemCode=${FOOD_ITEM}&date=2026-11-26`, await h.clerkToken());
    expect(res.statusCode).toBe(200);
    const slots = res.json().slots as { start: string; kind: string; available: number }[];
    expect(slots.map((s) => s.kind)).toContain('early');
    expect(slots.map((s) => s.kind)).toContain('lunch');
    expect(slots.find((s) => s.start === '10:00')).toMatchObject({ available: 3 });
  });

  it('R-APPT-1: online, by phone and on site, up to capacity; then refused', async () => {
    const online = await inject('POST', `/intake/slots/${slotId}/bookings`, await h.applicantToken(PERSON_ID), { channel: 'online', applicant: person });
    expect(online.statusCode, online.body).toBe(201);
    const clerk = await h.clerkToken();
    const phone = await inject('POST', `/intake/slots/${slotId}/bookings`, clerk, { channel: 'phone', applicant: { kind: 'enterprise', id: ENTERPRISE_USCC, name: '北京京味餐饮管理有限公司' } });
    expect(phone.statusCode, phone.body).toBe(201);
    const onSite = await inject('POST', `/intake/slots/${slotId}/bookings`, clerk, { channel: 'on-site', applicant: { kind: 'person', id: '110108198503121233', name: '陈静' } });
    expect(onSite.statusCode, onSite.body).toBe(201);
    const full = await inject('POST', `/intake/slots/${slotId}/bookings`, clerk, { channel: 'on-site', applicant: { kind: 'person', id: '110105199001014564', name: '刘洋' } });
    expect(full.statusCode).toBe(409);
    expect(full.body).toContain('fully booked');

    // A cancellation gives the place back.
    const cancel = await inject('POST', `/intake/slots/${slotId}/bookings/${online.json().bookingId}/cancel`, await h.applicantToken(PERSON_ID), {});
    expect(cancel.statusCode).toBe(200);
    expect((await inject('POST', `/intake/slots/${slotId}/bookings`, clerk, { channel: 'on-site', applicant: { kind: 'person', id: '110105199001014564', name: '刘洋' } })).statusCode).toBe(201);
  });

  it('R-APPT-1: an applicant cannot book by phone themselves, nor cancel another’s booking (404)', async () => {
    const me = await h.applicantToken(PERSON_ID);
    expect((await inject('POST', `/intake/slots/${slotId}/bookings`, me, { channel: 'phone', applicant: person })).statusCode).toBe(409);
    const other = await inject('POST', `/intake/slots/${slotId}/bookings`, await h.clerkToken(), { channel: 'on-site', applicant: { kind: 'person', id: '110108198503121233', name: '陈静' } });
    expect((await inject('POST', `/intake/slots/${slotId}/bookings/${other.json().bookingId}/cancel`, me, {})).statusCode).toBe(404);
  });

  it('R-APPT-1: a no-show is recorded after the slot ended; a slot the centre does not offer is 404', async () => {
    const booked = await inject('POST', `/intake/slots/${slotId}/bookings`, await h.applicantToken(PERSON_ID), { channel: 'online', applicant: person });
    const clerk = await h.clerkToken();
    const url = `/intake/slots/${slotId}/bookings/${booked.json().bookingId}/no-show`;
    expect((await inject('POST', url, clerk, {})).statusCode).toBe(409);
    h.clock.set('2026-11-26T10:31:00+08:00');
    expect((await inject('POST', url, clerk, {})).statusCode).toBe(200);
    expect((await inject('POST', `/intake/slots/bj-chaoyang~${FOOD_ITEM}~20261129~1000/bookings`, clerk, { channel: 'on-site', applicant: person })).statusCode).toBe(404);
    expect((await inject('POST', `/intake/slots/${slotId}/bookings`, await h.clerkToken('clerk-sun', 'bj-haidian'), { channel: 'on-site', applicant: person })).statusCode).toBe(404);
  });

  it('R-ID-1: a booking with an invalid resident ID is a 400; a retried booking (Idempotency-Key) is booked once', async () => {
    const me = await h.applicantToken(PERSON_ID);
    expect((await inject('POST', `/intake/slots/${slotId}/bookings`, me, { channel: 'online', applicant: { ...person, id: '110105194912310021' } })).statusCode).toBe(400);
    const first = await inject('POST', `/intake/slots/${slotId}/bookings`, me, { channel: 'online', applicant: person }, { 'idempotency-key': 'book-000001' });
    const again = await inject('POST', `/intake/slots/${slotId}/bookings`, me, { channel: 'online', applicant: person }, { 'idempotency-key': 'book-000001' });
    expect([first.statusCode, again.statusCode]).toEqual([201, 200]);
    expect(again.json().bookingId).toBe(first.json().bookingId);
    expect((await h.store.readStream(`appointment-${slotId}`)).length).toBe(1);
  });
});
