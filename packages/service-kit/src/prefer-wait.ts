/**
 * `Prefer: wait=<seconds>` (RFC 7240 §4.3) on a read of something that may not exist yet: instead of
 * answering 404 at once, the server holds the request until the resource appears or the wait ends.
 *
 * Why: a department back-end (or the journey driver of the megacity benchmark) learns that a case
 * reached a service from Kafka, asynchronously, and then wants to act on it. Polling every half second
 * cost the service a request, an authentication and a store read per poll; in a 1,000-case day the
 * polls outnumbered the commands three to one. A held request costs a timer and wakes on the
 * service's own append (change-signals.ts), or on its own slow re-read for another instance's.
 * EventStoreDB's HTTP API offers the same for stream reads (`ES-LongPoll`).
 *
 * The preference is a hint: a malformed one is ignored (the request answers at once, as RFC 7240 §2
 * asks), and the wait is capped by the server.
 */
import { NotFoundError } from '@govsvc/errors/errors';
import type { ChangeSignals } from './change-signals.ts';

/** The longest wait honoured: below the service's handler deadline (25 s by default). */
export const MAX_PREFERRED_WAIT_MS = 20_000;

/**
 * The `wait` preference in milliseconds, capped at `maxMs`, or null when the request states none (or
 * only a malformed one). Accepts several `Prefer` headers, several preferences per header, a quoted
 * value and parameters after `;`.
 */
export function preferredWaitMs(header: string | readonly string[] | undefined, maxMs = MAX_PREFERRED_WAIT_MS): number | null {
  if (header === undefined) return null;
  for (const line of typeof header === 'string' ? [header] : header) {
    for (const preference of line.split(',')) {
      const [token, ...value] = preference.split(';')[0]!.split('=');
      if (token!.trim().toLowerCase() !== 'wait' || value.length !== 1) continue;
      const seconds = value[0]!.trim().replace(/^"(.*)"$/, '$1');
      if (!/^\d{1,9}$/.test(seconds)) return null;
      return Math.min(Number(seconds) * 1000, maxMs);
    }
  }
  return null;
}

export interface AwaitFoundOptions {
  /** The key whose change means "read again" (the stream that holds the resource). */
  readonly key: string;
  readonly waitMs: number;
  readonly signals: ChangeSignals;
  /** Read again this often even without a change signal: another instance may be the one that wrote. */
  readonly recheckMs?: number;
  /** The request's: a client gone or the handler deadline passed ends the wait. */
  readonly signal?: AbortSignal;
}

/**
 * `read()`'s value once it stops throwing NotFoundError, waiting at most `waitMs` for that; the last
 * NotFoundError once the wait is over. Any other error is thrown at once.
 */
export async function awaitFound<T>(read: () => Promise<T>, options: AwaitFoundOptions): Promise<T> {
  const until = performance.now() + options.waitMs;
  const recheckMs = options.recheckMs ?? 1_000;
  for (;;) {
    // Watched before the read, so a change made while it runs is not missed.
    const watch = options.signals.watch(options.key, Math.min(until - performance.now(), recheckMs), options.signal);
    try {
      const value = await read();
      watch.cancel();
      return value;
    } catch (error) {
      // No wait left, or none possible (closing, too many waiting, the request gone): answer as without the preference.
      if (!(error instanceof NotFoundError) || !watch.waiting) {
        watch.cancel();
        throw error;
      }
      await watch.changed;
    }
  }
}
