/**
 * What the harness does to a service process, as an operator or a crashing
 * machine would: kill -9 or SIGTERM its whole process group and start it
 * again with the same environment (as a supervisor would), or SIGSTOP it past
 * its Kafka session timeout and SIGCONT it (a zombie member that wakes up
 * after the group moved on).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually } from '@govsvc/standalone/client';
import type { ServiceProcess } from '@govsvc/standalone/distributed';
import { REPO_ROOT } from '@govsvc/standalone/config';

export interface FaultRecorder {
  record(entry: { kind: 'fault' | 'note'; [key: string]: unknown }): void;
}

/** A service the harness may have replaced: the latest process stands for it. */
export interface Running {
  readonly service: ServiceProcess;
  /** Its environment as first started (read from /proc), to start it again exactly so even after a crash. */
  readonly env: Record<string, string>;
  child: ChildProcess;
  /** Set while the harness itself stops the process: any other exit is a crash. */
  stopping: boolean;
}

export async function runningOf(service: ServiceProcess): Promise<Running> {
  return { service, env: await environOf(service.child.pid!), child: service.child, stopping: false };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The environment of a running process (to restart it exactly as it was started). */
async function environOf(pid: number): Promise<Record<string, string>> {
  const raw = await readFile(`/proc/${pid}/environ`, 'utf8');
  return Object.fromEntries(raw.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function gone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

/**
 * Stops the service's process group with `signal` (SIGKILL: a crash; SIGTERM: a graceful stop that drains its
 * consumers and relay), then starts it again with the same environment: again whenever it exits before it is
 * ready (e.g. a dependency still down). Resolves with how long the graceful stop took.
 */
export async function stopAndRestart(running: Running, signal: 'SIGKILL' | 'SIGTERM', history: FaultRecorder, fault: string): Promise<{ stopMs: number }> {
  const { service } = running;
  const pid = running.child.pid!;
  const began = Date.now();
  running.stopping = true;
  process.kill(-pid, signal);
  history.record({ kind: 'fault', phase: 'applied', fault, target: service.name, pid, signal });
  if (signal === 'SIGTERM' && !(await gone(pid, 30_000))) {
    history.record({ kind: 'note', finding: `${service.name} did not stop within 30 s of SIGTERM; killed`, pid });
    process.kill(-pid, 'SIGKILL');
  }
  await Promise.race([exited(running.child), gone(pid, 10_000)]);
  const stopMs = Date.now() - began;
  await sleep(signal === 'SIGKILL' ? 1_000 : 200);
  await startAgain(running, history, fault, { stopMs });
  return { stopMs };
}

/** Starts the service again with its first environment, retrying while it exits before it is ready. */
export async function startAgain(running: Running, history: FaultRecorder, fault: string, extra: Record<string, unknown> = {}): Promise<void> {
  const { service, env } = running;
  // From the checkout, not from the log's place: a run folder given with --run-dir may be anywhere.
  const cwd = join(REPO_ROOT, 'services', service.name);
  const deadline = Date.now() + 180_000;
  for (let start = 1; ; start++) {
    const out = createWriteStream(service.logFile, { flags: 'a' });
    const child = spawn(join(cwd, 'node_modules/.bin/tsx'), ['src/main.ts'], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    child.once('exit', () => out.end());
    const ready = await eventually(
      `${service.name} ready again`,
      async () => (child.exitCode !== null || child.signalCode !== null ? 'exited' : (await fetch(`${service.url}/health/ready`).catch(() => undefined))?.ok === true ? 'ready' : undefined),
      Math.max(1_000, deadline - Date.now()),
      250,
    );
    if (ready === 'ready') {
      running.child = child;
      running.stopping = false;
      history.record({ kind: 'fault', phase: 'healed', fault, target: service.name, pid: child.pid, starts: start, ...extra });
      return;
    }
    history.record({ kind: 'note', finding: `${service.name} exited while starting (${fault})`, start, exitCode: child.exitCode });
    if (Date.now() > deadline) throw new Error(`${service.name} did not come back within 180 s`);
    await sleep(1_000);
  }
}

/** SIGSTOP the whole process group for `pauseMs` (past the consumer session timeout), then SIGCONT; waits until ready. */
export async function freezeAndThaw(running: Running, pauseMs: number, history: FaultRecorder): Promise<void> {
  const pid = running.child.pid!;
  process.kill(-pid, 'SIGSTOP');
  history.record({ kind: 'fault', phase: 'applied', fault: 'zombie-consumer', target: running.service.name, pid, pauseMs });
  await sleep(pauseMs);
  process.kill(-pid, 'SIGCONT');
  await eventually(`${running.service.name} ready after SIGCONT`, async () => (await fetch(`${running.service.url}/health/ready`).catch(() => undefined))?.ok === true, 120_000, 250);
  history.record({ kind: 'fault', phase: 'healed', fault: 'zombie-consumer', target: running.service.name, pid });
}

/**
 * Watches the services like a process supervisor: a process that exits without the harness stopping it is
 * recorded as a crash and started again (so one crash does not stall the run; the checker reports it).
 */
export function superviseCrashes(all: readonly Running[], history: FaultRecorder, crashes: string[], isClosing: () => boolean): void {
  const watched = new WeakSet<ChildProcess>();
  const watch = () => {
    for (const running of all) {
      if (watched.has(running.child)) continue;
      const child = running.child;
      watched.add(child);
      child.once('exit', (code, signal) => {
        if (running.stopping || isClosing() || running.child !== child) return;
        crashes.push(`${running.service.name} exited (${code ?? signal}) at ${new Date().toISOString()}`);
        history.record({ kind: 'note', finding: `${running.service.name} exited on its own`, code, signal });
        running.stopping = true;
        void startAgain(running, history, 'crash-restart').then(watch, () => undefined);
      });
    }
  };
  watch();
  // Processes the faults replace are watched too.
  const timer = setInterval(() => (isClosing() ? clearInterval(timer) : watch()), 1_000);
  timer.unref();
}

/** Stops every process the harness started in place of a service's original one. */
export async function stopReplacements(running: readonly Running[]): Promise<void> {
  await Promise.all(
    running
      .filter((r) => r.child !== r.service.child && r.child.pid !== undefined)
      .map(async (r) => {
        try {
          process.kill(-r.child.pid!, 'SIGTERM');
        } catch {
          return;
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-r.child.pid!, 'SIGKILL');
          } catch {
            /* gone */
          }
        }, 30_000);
        await exited(r.child);
        clearTimeout(timer);
      }),
  );
}
