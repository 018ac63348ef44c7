import { deciderSpec } from '@govsvc/testkit/decider';
import { describe, expect, it } from 'vitest';
import { NOW } from './fixtures.ts';
import { initialParkingState, parkingDecider, type ParkingCommand, type ParkingEvent } from './parking.ts';

const spec = deciderSpec(parkingDecider);
const fold = (events: readonly ParkingEvent[]) => events.reduce(parkingDecider.evolve, initialParkingState());
const cause = (seed: string) => ({ seed, actor: { id: '/govsvc/intake', role: 'integration' }, correlationId: 'corr', causationId: 'evt' });
const park = (parkId: string): ParkingCommand => ({
  type: 'ParkNotice',
  data: { parkId, noticeKey: `accepted:${parkId}`, facts: { stage: 'accepted', decisionDue: '2025-04-01', tolerated: null }, cause: cause(parkId) },
  now: NOW,
});
const parked = (parkId: string): ParkingEvent => {
  const command = park(parkId);
  if (command.type !== 'ParkNotice') throw new Error('unreachable');
  return { type: 'NoticeParked', data: { ...command.data, parkedAt: NOW } };
};
const release = (parkId: string): ParkingCommand => ({ type: 'ReleaseNotice', data: { parkId }, now: NOW });
const released = (parkId: string): ParkingEvent => ({ type: 'NoticeReleased', data: { parkId, releasedAt: NOW } });

describe('notices waiting for the preferences (reliability finding 7)', () => {
  it('a notice parks once; a redelivered contract parks nothing, waiting or already released', () => {
    spec.given([]).when(park('a')).then([parked('a')]);
    spec.given([parked('a')]).when(park('a')).thenNothingHappens();
    spec.given([parked('a'), released('a')]).when(park('a')).thenNothingHappens();
  });

  it('a waiting notice is released once; what never waited is not released', () => {
    spec.given([parked('a')]).when(release('a')).then([released('a')]);
    spec.given([parked('a'), released('a')]).when(release('a')).thenNothingHappens();
    spec.given([]).when(release('a')).thenNothingHappens();
  });

  it('notices wait in the order they were parked', () => {
    expect(fold([parked('b'), parked('a'), parked('c'), released('a')]).waiting.map((p) => p.parkId)).toEqual(['b', 'c']);
  });
});
