import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '@govsvc/service-kit/app';
import { createTestAuth, testAppDeps } from '@govsvc/service-kit/testing';
import { clockRoutes, createProcessClock, parseDuration, type ClockMode } from './process-clock.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
const stateFile = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'govsvc-clock-'));
  dirs.push(dir);
  return join(dir, 'clock.json');
};

async function appWith(mode: ClockMode, file: string) {
  const auth = await createTestAuth('review');
  const time = await createProcessClock({ mode, stateFile: file, start: '2026-11-26T09:00:00+08:00' });
  const app = await buildApp(testAppDeps(auth, 'review'), { serviceName: 'review', version: 'test' });
  await app.register(clockRoutes(time));
  const admin = await auth.token(['admin']);
  const post = (body: unknown, token = admin) => app.inject({ method: 'POST', url: '/admin/clock', headers: { authorization: `Bearer ${token}` }, payload: body as object });
  return { app, time, auth, post };
}

describe('ISO 8601 durations of the clock endpoint', () => {
  it('reads days, hours, minutes and seconds', () => {
    expect(parseDuration('P5D')).toBe(5 * 86_400_000);
    expect(parseDuration('PT2H30M')).toBe(9_000_000);
    expect(parseDuration('P1DT12H')).toBe(36 * 3_600_000);
    expect(parseDuration('PT0.5S')).toBe(500);
  });
  it('refuses months, years, and empty or malformed durations', () => {
    for (const text of ['P1M', 'P1Y', 'P', 'PT', '5D', 'P-1D', 'PT1H2D', '-P1D']) expect(() => parseDuration(text), text).toThrow(/ISO 8601/);
  });
  it('reads a negative duration only where a sign is allowed (an offset clock\'s shift)', () => {
    expect(parseDuration('-PT2H', { signed: true })).toBe(-7_200_000);
    expect(parseDuration('PT2H', { signed: true })).toBe(7_200_000);
    expect(() => parseDuration('--PT2H', { signed: true })).toThrow(/ISO 8601/);
  });
});

describe('POST /admin/clock', () => {
  it('is refused (409) while the clock is the system clock', async () => {
    const { post, time } = await appWith('system', await stateFile());
    const reply = await post({ advance: 'P1D' });
    expect(reply.statusCode).toBe(409);
    expect(reply.json()).toMatchObject({ status: 409, detail: expect.stringContaining('GOVSVC_CLOCK=controlled') });
    expect(Math.abs(time.clock.now().getTime() - Date.now())).toBeLessThan(5_000);
  });

  it('moves a controlled clock forward for an admin, wakes its sleepers, and records where it stands', async () => {
    const file = await stateFile();
    const { post, time, auth } = await appWith('controlled', file);
    let woke = false;
    void time.clock.sleepUntil(new Date('2026-11-27T09:00:00+08:00')).then(() => (woke = true));

    expect((await post({ advance: 'P1D' }, await auth.token(['operator']))).statusCode).toBe(403);
    const reply = await post({ advance: 'P1D' });
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json()).toEqual({ now: '2026-11-27T01:00:00.000Z', mode: 'controlled' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(woke).toBe(true);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ now: '2026-11-27T01:00:00.000Z' });

    const set = await post({ set: '2026-12-01T09:00:00+08:00' });
    expect(set.json().now).toBe('2026-12-01T01:00:00.000Z');
    expect((await post({ set: '2026-11-30T09:00:00+08:00' })).statusCode).toBe(400); // never backwards
    expect((await post({ advance: 'P1D', set: '2026-12-09T00:00:00Z' })).statusCode).toBe(400);
    // A restart continues where time stood, not at the configured start.
    const again = await createProcessClock({ mode: 'controlled', stateFile: file, start: '2026-11-26T09:00:00+08:00' });
    expect(again.clock.now().toISOString()).toBe('2026-12-01T01:00:00.000Z');
    // A controlled clock is not shifted: that is the offset mode's move.
    expect((await post({ shift: '-PT2H' })).statusCode).toBe(409);
  });

  it('shifts an offset clock either way (a wall-clock jump), and refuses advance/set there', async () => {
    const { post, time } = await appWith('offset', await stateFile());
    const before = time.clock.now().getTime();
    const back = await post({ shift: '-PT2H' });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json().mode).toBe('offset');
    expect(before - Date.parse(back.json().now)).toBeGreaterThan(7_190_000);
    const forward = await post({ shift: 'PT4H' });
    expect(Date.parse(forward.json().now) - before).toBeGreaterThan(7_190_000);
    expect(Date.parse(forward.json().now) - before).toBeLessThan(7_300_000);
    expect((await post({ advance: 'P1D' })).statusCode).toBe(409);
    expect((await post({ shift: 'yesterday' })).json()).toMatchObject({ status: 400 });
  });

  it('works without a state file: the instant is then not kept across restarts', async () => {
    const time = await createProcessClock({ mode: 'controlled', start: '2026-11-26T09:00:00+08:00' });
    await time.moveTo(new Date('2026-11-27T09:00:00+08:00'));
    expect(time.clock.now().toISOString()).toBe('2026-11-27T01:00:00.000Z');
  });
});
