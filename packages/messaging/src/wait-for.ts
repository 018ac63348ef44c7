/** Polls `check` until it returns true or throws `message` after `timeoutMs`. For tests and readiness probes. */
export async function waitFor(check: () => boolean | Promise<boolean>, message: string, timeoutMs = 15_000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${message}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
