/**
 * Time is a port. Deciders receive instants as data; the app layer reads them
 * from a Clock, so tests and the guided demo run on a controlled clock while
 * production runs on the wall clock. Timers that wait for an instant go
 * through the clock too, so advancing a controlled clock fires them.
 */
export interface Clock {
  now(): Date;
  /** Resolves when the clock reaches `instant` (immediately if already past); rejects on abort. */
  sleepUntil(instant: Date, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleepUntil(instant, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, instant.getTime() - Date.now()));
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

interface Sleeper {
  readonly at: number;
  readonly resolve: () => void;
}

/** A clock that moves only when told to: `set` and `advance` wake every sleeper whose instant has come. */
export class ControlledClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];

  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  sleepUntil(instant: Date, signal?: AbortSignal): Promise<void> {
    if (instant.getTime() <= this.current) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const sleeper: Sleeper = {
        at: instant.getTime(),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  /** Moves to `instant`; going backwards is allowed (a wall-clock jump) and wakes nobody. */
  set(instant: Date | string): void {
    this.current = new Date(instant).getTime();
    this.wake();
  }

  advance(ms: number): void {
    this.set(new Date(this.current + ms));
  }

  private wake(): void {
    const due = this.sleepers.filter((s) => s.at <= this.current);
    this.sleepers = this.sleepers.filter((s) => s.at > this.current);
    for (const sleeper of due.sort((a, b) => a.at - b.at)) sleeper.resolve();
  }
}

/**
 * The wall clock plus an offset that can be moved either way: what a process
 * sees when NTP steps the system time. Fault injection uses it to jump a
 * running service's time by hours without touching the machine's clock.
 * Sleepers are re-armed on every shift, so a forward jump wakes those whose
 * instant it passes and a backward jump makes the rest wait longer.
 */
export class OffsetClock implements Clock {
  private offsetMs = 0;
  private readonly sleepers = new Set<{ at: number; arm: () => void }>();

  constructor(private readonly wall: () => number = Date.now) {}

  now(): Date {
    return new Date(this.wall() + this.offsetMs);
  }

  get offset(): number {
    return this.offsetMs;
  }

  sleepUntil(instant: Date, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const sleeper = {
        at: instant.getTime(),
        arm: () => {
          clearTimeout(timer);
          const wait = sleeper.at - this.now().getTime();
          if (wait <= 0) return done();
          timer = setTimeout(sleeper.arm, wait);
        },
      };
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(sleeper);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        clearTimeout(timer);
        this.sleepers.delete(sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.add(sleeper);
      sleeper.arm();
    });
  }

  /** Moves time by `ms` (negative: backwards). */
  shift(ms: number): void {
    this.offsetMs += ms;
    for (const sleeper of [...this.sleepers]) sleeper.arm();
  }
}
