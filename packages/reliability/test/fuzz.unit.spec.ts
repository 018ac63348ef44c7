/**
 * R-SEC fuzzing row: every route of every mounted service, attacked with
 * fixed hostile bodies (the sweep) and with seeded random ones (the property).
 * Each answer must be a 4xx problem+json (or a 2xx when the body happens to be
 * valid), never a 5xx, and a refusal stores nothing.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attackArbitrary, fixedBodies, reproduction, sendAttack, type Attack } from '../src/fuzz.ts';
import { describeRoute, discoverRoutes, type Route } from '../src/routes.ts';
import { startSystem, type System } from '../src/system.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_126);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

describe('fuzzing every route (fast-check)', () => {
  let system: System;
  let routes: Route[];

  beforeAll(async () => {
    system = await startSystem();
    routes = await discoverRoutes(system.app);
  });
  afterAll(() => system.close());

  it('discovers the routes of every mounted service', () => {
    const services = new Set(routes.map((r) => r.service));
    for (const service of system.services) expect(services, `no documented route of ${service}`).toContain(service);
    expect(routes.length).toBeGreaterThan(50);
  });

  it('sweep: every route × every fixed hostile body → 4xx problem+json, nothing stored, no 5xx', async () => {
    const violations: string[] = [];
    let sent = 0;
    for (const route of routes) {
      const withBody = route.method !== 'GET' && route.method !== 'DELETE';
      const bodies = withBody ? fixedBodies(route) : [{ label: 'no-body', body: undefined, contentType: undefined }];
      for (const [i, fixed] of bodies.entries()) {
        const role = route.roles.length > 0 ? route.roles[i % route.roles.length]! : 'applicant';
        const attack: Attack = { ...fixed, role, params: Object.fromEntries(route.pathParams.map((p) => [p, `fuzz-${p}`])) };
        const outcome = await sendAttack(system, route, attack);
        sent += 1;
        if (outcome.violation !== undefined) violations.push(`${describeRoute(route)} [${fixed.label}]: ${outcome.violation}\n    repro: ${reproduction(route, attack)}`);
      }
    }
    console.info(`[fuzz sweep] ${routes.length} routes, ${sent} requests, ${violations.length} violations`);
    expect(violations, violations.join('\n')).toEqual([]);
  });

  it(`property: ${RUNS} seeded random attacks over all routes (seed ${SEED}, FUZZ_SEED to change)`, async () => {
    const statuses = new Map<number, number>();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...routes).chain((route) => attackArbitrary(route).map((attack) => ({ route, attack }))),
          async ({ route, attack }) => {
            const outcome = await sendAttack(system, route, attack);
            statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
            if (outcome.violation !== undefined) throw new Error(`${outcome.violation}\n    repro: ${reproduction(route, attack)}`);
          },
        ),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    } catch (error) {
      console.error(`[fuzz property] FAILED with seed ${SEED} (rerun: FUZZ_SEED=${SEED} pnpm --filter @govsvc/reliability test)`);
      throw error;
    }
    console.info(`[fuzz property] seed ${SEED}, ${RUNS} runs, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  });
});
