import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '@govsvc/service-kit/app';
import { createTestAuth, testAppDeps } from '@govsvc/service-kit/testing';
import { clockRoutes, createStandaloneClock, parseDuration } from './clock.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
const stateFile = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'govsvc-clock-'));
  dirs.push(dir);
  return join(dir, 'clock.json');
};

async function appWith(mode: 'system' | 'controlled', file: string) {
  const auth = await createTestAuth('standalone');
  const time = await createStandaloneClock({ mode, stateFile: file, start: '2026-11-26T09:00:00+08:00' });
  const app = await buildApp(testAppDeps(auth, 'standalone'), { serviceName: 'standalone', version: 'test' });
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
    for (const text of ['P1M', 'P1Y', 'P', 'PT', '5D', 'P-1D', 'PT1H2D']) expect(() => parseDuration(text), text).toThrow(/ISO 8601/);
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
    const again = await createStandaloneClock({ mode: 'controlled', stateFile: file, start: '2026-11-26T09:00:00+08:00' });
    expect(again.clock.now().toISOString()).toBe('2026-12-01T01:00:00.000Z');
  });
});
