/**
 * Time in the standalone process. Normally the wall clock. With
 * `GOVSVC_CLOCK=controlled` a `ControlledClock` every module shares, moved
 * only by an admin through `POST /admin/clock`, so the guided demo (and a
 * trainer at a whiteboard) can let five working days pass and watch
 * deadlines warn, breach and trigger their automatic outcomes.
 *
 * The controlled instant is written to `<data>/clock.json` at every move, so
 * a restart continues where time stood: events already stored carry those
 * instants, and a clock that jumped back to the wall time would put new
 * events before old ones. For the same reason the endpoint never moves time
 * backwards.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { DomainError, ValidationError } from '@govsvc/errors/errors';
import { ControlledClock, systemClock, type Clock } from '@govsvc/runtime/clock';
import type { App } from '@govsvc/service-kit/app';
import { allow } from '@govsvc/service-kit/auth';

/** 409: the clock endpoint is for the controlled mode only. */
export class ClockNotControlled extends DomainError {
  readonly status = 409;
  readonly code = 'clock-not-controlled';
  readonly title = 'The clock is not controlled';
}

export interface StandaloneClock {
  readonly clock: Clock;
  readonly mode: 'system' | 'controlled';
  /** Present in the controlled mode. */
  readonly controlled: ControlledClock | null;
  /** Moves a controlled clock and records where it stands. */
  move(to: Date): Promise<void>;
}

const stateSchema = z.object({ now: z.iso.datetime({ offset: true }) });

export async function createStandaloneClock(options: { mode: 'system' | 'controlled'; stateFile: string; start?: string }): Promise<StandaloneClock> {
  if (options.mode === 'system') {
    return {
      clock: systemClock,
      mode: 'system',
      controlled: null,
      move: async () => {
        throw new ClockNotControlled('the clock is the system clock: start with GOVSVC_CLOCK=controlled to move it');
      },
    };
  }
  let start = options.start ?? new Date().toISOString();
  try {
    start = stateSchema.parse(JSON.parse(await readFile(options.stateFile, 'utf8'))).now;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${options.stateFile}: ${(error as Error).message}`);
  }
  const controlled = new ControlledClock(start);
  const record = async () => {
    await mkdir(dirname(options.stateFile), { recursive: true });
    await writeFile(options.stateFile, `${JSON.stringify({ now: controlled.now().toISOString() })}\n`);
  };
  await record();
  return {
    clock: controlled,
    mode: 'controlled',
    controlled,
    async move(to) {
      if (to.getTime() < controlled.now().getTime()) {
        throw new ValidationError('the clock does not go backwards: stored events carry the instants it already showed', [
          { path: '/set', reason: `before the current instant ${controlled.now().toISOString()}` },
        ]);
      }
      // Recorded first: a crash right after the move must not bring time back on restart.
      const previous = controlled.now();
      controlled.set(to);
      try {
        await record();
      } catch (error) {
        controlled.set(previous);
        throw error;
      }
    },
  };
}

/**
 * An ISO 8601 duration of days, hours, minutes and seconds (`P5D`, `PT2H30M`,
 * `P1DT12H`) in milliseconds. Months and years are refused: their length is
 * not fixed, and working-day arithmetic is the calendar's business, not this.
 */
export function parseDuration(text: string): number {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) throw new ValidationError('not an ISO 8601 duration of days, hours, minutes or seconds', [{ path: '/advance', reason: `"${text}" (e.g. P5D, PT2H)` }]);
  const [, days, hours, minutes, seconds] = match;
  return ((Number(days ?? 0) * 24 + Number(hours ?? 0)) * 60 + Number(minutes ?? 0)) * 60_000 + Math.round(Number(seconds ?? 0) * 1000);
}

const clockBody = z.union([
  z.strictObject({ advance: z.string().min(2).max(40) }),
  z.strictObject({ set: z.iso.datetime({ offset: true }) }),
]);
const clockReply = z.object({ now: z.string(), mode: z.enum(['system', 'controlled']) });

/** `GET /admin/clock` (admin, operator, supervisor) and `POST /admin/clock` (admin, controlled mode only). */
export function clockRoutes(time: StandaloneClock) {
  return async (app: App) => {
    app.get(
      '/admin/clock',
      { config: allow('admin', 'operator', 'supervisor'), schema: { tags: ['standalone'], summary: 'The instant the system runs at, and whether it is controlled', response: { 200: clockReply } } },
      async () => ({ now: time.clock.now().toISOString(), mode: time.mode }),
    );
    app.post(
      '/admin/clock',
      {
        config: allow('admin'),
        schema: {
          tags: ['standalone'],
          summary: 'Move the controlled clock forward: { "advance": "P5D" } or { "set": "2026-12-01T09:00:00+08:00" }',
          body: clockBody,
          response: { 200: clockReply },
        },
      },
      async (request) => {
        if (time.controlled === null) throw new ClockNotControlled('the clock is the system clock: start with GOVSVC_CLOCK=controlled to move it');
        const body = request.body;
        const to = 'advance' in body ? new Date(time.clock.now().getTime() + parseDuration(body.advance)) : new Date(body.set);
        await time.move(to);
        request.log.info({ now: to.toISOString() }, 'controlled clock moved');
        return { now: time.clock.now().toISOString(), mode: time.mode };
      },
    );
  };
}
