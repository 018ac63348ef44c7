/**
 * One shape for every service (docs/architecture.md): a module owns its
 * routes (mounted under `/<name>`), its readiness checks, and the background
 * work it starts and stops (relay, consumers, projections, schedulers). The
 * same module runs alone in its own process (services/<name>/src/main.ts) or
 * beside every other module in the standalone process.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ReadinessCheck } from './health.ts';

export interface ServiceModule {
  readonly name: string;
  readonly routes: FastifyPluginAsync;
  readonly readinessChecks: readonly ReadinessCheck[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Registers each module's routes under `/<name>` and its readiness checks on the app. */
export async function mountModules(app: FastifyInstance, modules: readonly ServiceModule[]): Promise<void> {
  for (const module of modules) {
    await app.register(module.routes, { prefix: `/${module.name}` });
    for (const check of module.readinessChecks) app.readiness.register({ ...check, name: `${module.name}:${check.name}` });
  }
}

/** Starts modules in order; if one fails, stops those already started (reverse order) and rethrows. */
export async function startModules(modules: readonly ServiceModule[]): Promise<void> {
  const started: ServiceModule[] = [];
  try {
    for (const module of modules) {
      await module.start();
      started.push(module);
    }
  } catch (error) {
    await stopModules(started);
    throw error;
  }
}

/** Stops modules in reverse start order; every module is asked to stop even if one fails. */
export async function stopModules(modules: readonly ServiceModule[]): Promise<void> {
  const failures: unknown[] = [];
  for (const module of [...modules].reverse()) {
    try {
      await module.stop();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} module(s) failed to stop`);
}
