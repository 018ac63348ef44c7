/**
 * The standalone process as a child (`node --import tsx src/main.ts`), the way
 * `pnpm start` runs it: its output collected, its URL read from the "standalone
 * listening" log line, stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface RunningStandalone {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  /** SIGTERM, then the exit code (graceful shutdown exits 0 when clean). */
  stop(): Promise<number | null>;
}

const packageDir = fileURLToPath(new URL('../', import.meta.url));

export function spawnStandalone(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: packageDir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function startStandalone(env: Record<string, string>, timeoutMs = 90_000): Promise<RunningStandalone> {
  const { child, output, exited } = spawnStandalone(env);
  const marker = '"msg":"standalone listening"';
  const deadline = Date.now() + timeoutMs;
  while (!output().includes(marker)) {
    if (child.exitCode !== null) throw new Error(`the standalone process exited with ${child.exitCode}:\n${output()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the standalone process did not listen within ${timeoutMs} ms:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const line = output().split('\n').find((l) => l.includes(marker))!;
  const url = (JSON.parse(line) as { url: string }).url;
  return {
    child,
    url,
    output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
