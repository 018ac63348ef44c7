/** vitest globalSetup: the browser test needs Debian's chromium; install it once if missing (scripts/ensure-chromium.sh). */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  execFileSync('bash', [fileURLToPath(new URL('../scripts/ensure-chromium.sh', import.meta.url))], { stdio: 'inherit', timeout: 600_000 });
}
