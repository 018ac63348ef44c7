/**
 * Liveness and readiness. `/health/live` answers 200 while the process can
 * serve HTTP at all; `/health/ready` answers 200 only when every registered
 * dependency check succeeds within a short timeout, and 503 problem+json
 * naming the failed checks otherwise, so a load balancer stops routing to an
 * instance whose database or broker is gone and resumes when it returns.
 * Check errors are logged, not returned: the endpoint is public and error
 * messages name internal hosts.
 */
import fp from 'fastify-plugin';
import { problemType, sendProblem } from './problem.ts';

/** A dependency probe: resolves when the dependency answers, rejects otherwise. */
export interface ReadinessCheck {
  readonly name: string;
  readonly check: () => Promise<void>;
}

export interface CheckResult {
  readonly name: string;
  readonly status: 'up' | 'down';
  /** Why a check is down: it threw, or it did not answer in time. */
  readonly failure?: 'error' | 'timeout';
  readonly durationMs: number;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly shuttingDown: boolean;
  readonly checks: readonly CheckResult[];
  /** The errors behind failed checks, for the log only. */
  readonly errors: ReadonlyMap<string, unknown>;
}

class CheckTimeout extends Error {}

/** The set of readiness checks of one app, and its shutting-down flag. */
export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>();
  #shuttingDown = false;

  constructor(readonly timeoutMs: number) {
    if (!(timeoutMs > 0)) throw new Error('readiness timeout must be positive');
  }

  /** Adds a check; names are unique so the report names each dependency once. */
  register(check: ReadinessCheck): void {
    if (check.name.trim() === '') throw new Error('a readiness check needs a name');
    if (this.#checks.has(check.name)) throw new Error(`readiness check "${check.name}" is already registered`);
    this.#checks.set(check.name, check);
  }

  /** From now on the instance reports not ready, so traffic drains away before it stops. */
  markShuttingDown(): void {
    this.#shuttingDown = true;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Runs every check in parallel, each bounded by the timeout. */
  async run(): Promise<ReadinessReport> {
    const errors = new Map<string, unknown>();
    const checks = await Promise.all(
      [...this.#checks.values()].map(async ({ name, check }): Promise<CheckResult> => {
        const started = performance.now();
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new CheckTimeout(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        });
        try {
          // A check that throws synchronously counts as down, like one that rejects.
          await Promise.race([Promise.resolve().then(check), timeout]);
          return { name, status: 'up', durationMs: Math.round(performance.now() - started) };
        } catch (error) {
          errors.set(name, error);
          const failure = error instanceof CheckTimeout ? 'timeout' : 'error';
          return { name, status: 'down', failure, durationMs: Math.round(performance.now() - started) };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const ready = !this.#shuttingDown && checks.every((c) => c.status === 'up');
    return { ready, shuttingDown: this.#shuttingDown, checks, errors };
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Register the service's dependency checks here: `app.readiness.register({ name, check })`. */
    readonly readiness: Readiness;
  }
}

export interface HealthPluginOptions {
  readonly readinessTimeoutMs: number;
  /** Seconds a load balancer should wait before probing again after a 503. */
  readonly retryAfterSeconds?: number;
}

export const healthPlugin = fp<HealthPluginOptions>(
  async (app, options) => {
    const readiness = new Readiness(options.readinessTimeoutMs);
    const retryAfter = String(options.retryAfterSeconds ?? 5);
    app.decorate('readiness', readiness);

    app.get('/health/live', { config: { public: true, rateLimit: false }, schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) => {
      return reply.code(200).send({ status: 'live' });
    });

    app.get('/health/ready', { config: { public: true, rateLimit: false }, schema: { hide: true }, logLevel: 'warn' }, async (request, reply) => {
      const report = await readiness.run();
      const checks = report.checks;
      if (report.ready) return reply.code(200).send({ status: 'ready', checks });
      const failed = checks.filter((c) => c.status === 'down').map((c) => c.name);
      for (const [name, err] of report.errors) request.log.warn({ check: name, err }, 'readiness check failed');
      const detail = report.shuttingDown
        ? 'The instance is shutting down.'
        : `Dependencies not answering: ${failed.join(', ')}.`;
      return sendProblem(
        reply,
        {
          type: problemType('not-ready'),
          title: 'Not ready',
          status: 503,
          detail,
          instance: '/health/ready',
          correlationId: request.correlationId,
          shuttingDown: report.shuttingDown,
          failed,
          checks,
        },
        { 'retry-after': retryAfter },
      );
    });
  },
  { name: 'govsvc-health', fastify: '5.x', dependencies: ['govsvc-correlation'] },
);
