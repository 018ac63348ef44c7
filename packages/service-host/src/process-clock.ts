/**
 * Time in a service process (`GOVSVC_CLOCK`):
 * - `system`: the wall clock (production: the only mode allowed);
 * - `controlled`: a `ControlledClock` moved only by an admin through
 *   `POST /admin/clock` (`advance` or `set`, never backwards), so a demo, a
 *   compressed-day benchmark or an end-to-end test can let five working days
 *   pass and watch deadlines warn, breach and trigger their outcomes;
 * - `offset`: the wall clock plus an offset an admin shifts either way
 *   (`shift`), which is what NTP stepping the system time looks like to a
 *   process: the fault harness jumps a running service by ±2 h with it.
 *
 * A controlled clock given a state file writes its instant there at every
 * move, so a restart continues where time stood: events already stored carry
 * those instants, and a clock that jumped back to the wall time would put new
 * events before old ones. For the same reason `controlled` never moves
 * backwards; `offset` does, because testing that is its purpose.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { DomainError, ValidationError } from '@govsvc/errors/errors';
import { ControlledClock, OffsetClock, systemClock, type Clock } from '@govsvc/runtime/clock';
import type { App } from '@govsvc/service-kit/app';
import { allow } from '@govsvc/service-kit/auth';

export const CLOCK_MODES = ['system', 'controlled', 'offset'] as const;
export type ClockMode = (typeof CLOCK_MODES)[number];

/** 409: the requested move does not exist in the process's clock mode. */
export class ClockNotMovable extends DomainError {
  readonly status = 409;
  readonly code = 'clock-not-movable';
  readonly title = 'The clock cannot be moved this way';
}

export interface ProcessClock {
  readonly clock: Clock;
  readonly mode: ClockMode;
  /** Moves a controlled clock forward to `to` and records where it stands. */
  moveTo(to: Date): Promise<void>;
  /** Shifts an offset clock by `ms`, either way. */
  shift(ms: number): void;
}

const stateSchema = z.object({ now: z.iso.datetime({ offset: true }) });

export interface ProcessClockOptions {
  readonly mode: ClockMode;
  /** Controlled mode: where the instant is kept across restarts (none: it starts again at `start`). */
  readonly stateFile?: string;
  /** Controlled mode: the first instant when no state file says otherwise (default: now). */
  readonly start?: string;
}

const notIn = (mode: ClockMode, wanted: ClockMode) =>
  new ClockNotMovable(`the clock is ${mode === 'system' ? 'the system clock' : `in ${mode} mode`}: start with GOVSVC_CLOCK=${wanted} to move it this way`);

export async function createProcessClock(options: ProcessClockOptions): Promise<ProcessClock> {
  if (options.mode === 'system') {
    return {
      clock: systemClock,
      mode: 'system',
      moveTo: async () => {
        throw notIn('system', 'controlled');
      },
      shift: () => {
        throw notIn('system', 'offset');
      },
    };
  }
  if (options.mode === 'offset') {
    const offset = new OffsetClock();
    return {
      clock: offset,
      mode: 'offset',
      moveTo: async () => {
        throw notIn('offset', 'controlled');
      },
      shift: (ms) => offset.shift(ms),
    };
  }
  const stateFile = options.stateFile;
  let start = options.start ?? new Date().toISOString();
  if (stateFile) {
    try {
      start = stateSchema.parse(JSON.parse(await readFile(stateFile, 'utf8'))).now;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${stateFile}: ${(error as Error).message}`);
    }
  }
  const controlled = new ControlledClock(start);
  const record = async () => {
    if (!stateFile) return;
    await mkdir(dirname(stateFile), { recursive: true });
    await writeFile(stateFile, `${JSON.stringify({ now: controlled.now().toISOString() })}\n`);
  };
  await record();
  return {
    clock: controlled,
    mode: 'controlled',
    async moveTo(to) {
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
    shift: () => {
      throw notIn('controlled', 'offset');
    },
  };
}

/**
 * An ISO 8601 duration of days, hours, minutes and seconds (`P5D`, `PT2H30M`,
 * `P1DT12H`) in milliseconds, negative with a leading `-` when `signed`.
 * Months and years are refused: their length is not fixed, and working-day
 * arithmetic is the calendar's business, not this.
 */
export function parseDuration(text: string, options: { signed?: boolean; path?: string } = {}): number {
  const path = options.path ?? '/advance';
  const negative = options.signed === true && text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(body);
  if (!match || body === 'P' || body.endsWith('T')) {
    throw new ValidationError('not an ISO 8601 duration of days, hours, minutes or seconds', [{ path, reason: `"${text}" (e.g. P5D, PT2H${options.signed ? ', -PT2H' : ''})` }]);
  }
  const [, days, hours, minutes, seconds] = match;
  const ms = ((Number(days ?? 0) * 24 + Number(hours ?? 0)) * 60 + Number(minutes ?? 0)) * 60_000 + Math.round(Number(seconds ?? 0) * 1000);
  return negative ? -ms : ms;
}

const clockBody = z.union([
  z.strictObject({ advance: z.string().min(2).max(40) }),
  z.strictObject({ set: z.iso.datetime({ offset: true }) }),
  z.strictObject({ shift: z.string().min(2).max(41) }),
]);
const clockReply = z.object({ now: z.string(), mode: z.enum(CLOCK_MODES) });

/**
 * `GET /admin/clock` (admin, operator, supervisor) and `POST /admin/clock`
 * (admin): `{ "advance": "P5D" }` or `{ "set": "…" }` in controlled mode,
 * `{ "shift": "-PT2H" }` in offset mode; any other pairing is a 409.
 */
export function clockRoutes(time: ProcessClock, tag = 'clock') {
  return async (app: App) => {
    app.get(
      '/admin/clock',
      { config: allow('admin', 'operator', 'supervisor'), schema: { tags: [tag], summary: 'The instant this process runs at, and its clock mode', response: { 200: clockReply } } },
      async () => ({ now: time.clock.now().toISOString(), mode: time.mode }),
    );
    app.post(
      '/admin/clock',
      {
        config: allow('admin'),
        schema: {
          tags: [tag],
          summary: 'Move the clock: { "advance": "P5D" } or { "set": "2026-12-01T09:00:00+08:00" } (controlled), { "shift": "-PT2H" } (offset)',
          body: clockBody,
          response: { 200: clockReply },
        },
      },
      async (request) => {
        const body = request.body;
        if ('shift' in body) {
          time.shift(parseDuration(body.shift, { signed: true, path: '/shift' }));
        } else {
          const to = 'advance' in body ? new Date(time.clock.now().getTime() + parseDuration(body.advance)) : new Date(body.set);
          await time.moveTo(to);
        }
        request.log.info({ now: time.clock.now().toISOString(), mode: time.mode }, 'clock moved');
        return { now: time.clock.now().toISOString(), mode: time.mode };
      },
    );
  };
}
