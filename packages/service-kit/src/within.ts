/** Waiting for something with a bound: the shutdown's drain and closers, a read that first lets a projection catch up. */

export const TIMED_OUT = Symbol('timed out');

/** `promise`'s outcome, or `TIMED_OUT` once `ms` have passed first; the timer is cleared either way. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
