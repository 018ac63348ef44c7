/**
 * Graceful shutdown: report not-ready, stop accepting connections, let the
 * requests in flight finish (up to a deadline, then cut them), and only then
 * run the registered closers in order: stop consumers, flush producers,
 * close pools. The sequence is a plain method so tests run it without
 * signals; `handleSignals` wires SIGTERM/SIGINT to it and exits 0 when
 * everything closed cleanly.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { TIMED_OUT, within } from './within.ts';

/** Something to close after HTTP has drained, e.g. `{ name: 'pg-pool', close: () => pool.end() }`. */
export interface Closer {
  readonly name: string;
  readonly close: () => Promise<void>;
}

export interface CloserResult {
  readonly name: string;
  readonly ok: boolean;
  readonly failure?: 'error' | 'timeout';
}

export interface ShutdownReport {
  /** True when requests drained before the deadline and every closer succeeded. */
  readonly clean: boolean;
  /** False when the drain deadline passed and remaining connections were cut. */
  readonly drained: boolean;
  readonly closers: readonly CloserResult[];
  readonly durationMs: number;
}

export interface ShutdownOptions {
  /** How long in-flight requests may take to finish before their connections are cut. */
  readonly drainTimeoutMs: number;
  /** Deadline for each closer; one that hangs must not keep the process alive. */
  readonly closerTimeoutMs?: number;
  readonly logger?: FastifyBaseLogger;
}

/** The process-like surface signal handling needs; `process` by default. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface SignalOptions {
  readonly signals?: readonly NodeJS.Signals[];
  readonly source?: SignalSource;
  readonly exit?: (code: number) => void;
}

interface Drainable {
  close(): PromiseLike<undefined> | Promise<void>;
  readonly server: { closeAllConnections?: () => void };
  readonly log: FastifyBaseLogger;
  readonly readiness?: { markShuttingDown(): void };
}

/** The shutdown sequence of one app and its closers. */
export class GracefulShutdown {
  readonly #app: Drainable;
  readonly #closers: Closer[] = [];
  readonly #drainTimeoutMs: number;
  readonly #closerTimeoutMs: number;
  readonly #log: FastifyBaseLogger;
  #running: Promise<ShutdownReport> | undefined;

  constructor(app: FastifyInstance | Drainable, options: ShutdownOptions) {
    this.#app = app as Drainable;
    this.#drainTimeoutMs = options.drainTimeoutMs;
    this.#closerTimeoutMs = options.closerTimeoutMs ?? 10_000;
    this.#log = options.logger ?? this.#app.log;
  }

  /** Adds a closer; closers run in the order they were added. */
  addCloser(closer: Closer): this {
    if (this.#running !== undefined) throw new Error(`closer ${closer.name} added after shutdown began`);
    this.#closers.push(closer);
    return this;
  }

  /** Runs the sequence once; later calls return the same report. */
  run(): Promise<ShutdownReport> {
    this.#running ??= this.#sequence();
    return this.#running;
  }

  async #sequence(): Promise<ShutdownReport> {
    const started = performance.now();
    this.#log.info({ drainTimeoutMs: this.#drainTimeoutMs }, 'shutting down: draining requests');
    this.#app.readiness?.markShuttingDown();
    const closing = Promise.resolve(this.#app.close());
    const drained = (await within(closing, this.#drainTimeoutMs)) !== TIMED_OUT;
    if (!drained) {
      this.#log.warn({ drainTimeoutMs: this.#drainTimeoutMs }, 'drain deadline passed: closing remaining connections');
      this.#app.server.closeAllConnections?.();
      await closing;
    }
    const closers: CloserResult[] = [];
    for (const closer of this.#closers) {
      try {
        const outcome = await within(Promise.resolve().then(closer.close), this.#closerTimeoutMs);
        if (outcome === TIMED_OUT) {
          this.#log.error({ closer: closer.name, timeoutMs: this.#closerTimeoutMs }, 'closer timed out');
          closers.push({ name: closer.name, ok: false, failure: 'timeout' });
        } else {
          closers.push({ name: closer.name, ok: true });
        }
      } catch (err) {
        this.#log.error({ closer: closer.name, err }, 'closer failed');
        closers.push({ name: closer.name, ok: false, failure: 'error' });
      }
    }
    const clean = drained && closers.every((c) => c.ok);
    const durationMs = Math.round(performance.now() - started);
    // Logged as `closer` strings, not `{ name }` objects: the masking serializer treats any `name` as a person's.
    const steps = closers.map((c) => `${c.name}:${c.ok ? 'ok' : c.failure}`);
    this.#log.info({ clean, drained, closers: steps, durationMs }, 'shutdown complete');
    return { clean, drained, closers, durationMs };
  }

  /**
   * Runs the sequence on the first SIGTERM/SIGINT and exits 0 when it was
   * clean, 1 otherwise. A second signal exits 1 at once (an operator's
   * insistence wins). Returns a function that removes the handlers.
   */
  handleSignals(options: SignalOptions = {}): () => void {
    const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
    const source: SignalSource = options.source ?? process;
    const exit = options.exit ?? ((code: number) => process.exit(code));
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => () => {
      if (received) {
        this.#log.warn({ signal }, 'second signal: exiting without waiting');
        exit(1);
        return;
      }
      received = true;
      this.#log.info({ signal }, 'signal received');
      this.run().then(
        (report) => exit(report.clean ? 0 : 1),
        (err: unknown) => {
          this.#log.error({ err }, 'shutdown failed');
          exit(1);
        },
      );
    };
    const listeners = signals.map((signal) => [signal, onSignal(signal)] as const);
    for (const [signal, listener] of listeners) source.on(signal, listener);
    return () => {
      for (const [signal, listener] of listeners) source.off(signal, listener);
    };
  }
}
