/**
 * Cross-tenant access (issue 9, attacks): a real case (applicant A, accepted
 * by the city centre's clerk, opened for review at 朝阳区市场监督管理局) probed
 * through every route that names a case, by another applicant, a clerk of
 * another centre and staff of another department. Each must get the same
 * answer as for a case that does not exist (no existence leak), store
 * nothing, and — once the services call `auditDeniedAccess` — be audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverRoutes, describeRoute, type Route } from '../src/routes.ts';
import { startSystem, type System } from '../src/system.ts';
import { probe, type Probe } from '../src/tenancy.ts';
import { acceptApplication, APPLICANT_A, submitApplication, subjectOf } from '../src/workload.ts';


describe('another applicant’s or department’s case through every case route', () => {
  let system: System;
  let caseId: string;
  let probes: Probe[];
  let headBefore: bigint;
  let headAfter: bigint;

  beforeAll(async () => {
    system = await startSystem();
    ({ caseId } = await submitApplication(system.http, system, APPLICANT_A));
    await acceptApplication(system.http, system, caseId);
    await system.settle();
    const routes: Route[] = (await discoverRoutes(system.app)).filter((r) => r.pathParams.includes('caseId'));
    headBefore = await system.store.headPosition();
    probes = [];
    for (const route of routes) {
      for (const role of route.roles) {
        const result = await probe(system, route, role, caseId);
        if (result !== undefined) probes.push(result);
      }
    }
    headAfter = await system.settle();
  });
  afterAll(() => system.close());

  it('the case is real: its owner and its department see it (so a 404 below is a refusal, not an absence)', async () => {
    const owner = await system.token('applicant', { subject: subjectOf(APPLICANT_A) });
    expect((await system.http({ method: 'GET', url: `/intake/applications/${caseId}`, token: owner })).status).toBe(200);
    expect((await system.http({ method: 'GET', url: `/review/cases/${caseId}`, token: owner })).status).toBe(200);
    const reviewer = await system.token('reviewer', { subject: 'reviewer-cy-1', department: '北京市朝阳区市场监督管理局' });
    expect((await system.http({ method: 'GET', url: `/review/cases/${caseId}`, token: reviewer })).status).toBe(200);
  });

  it('every intruder gets exactly the answer an unknown case gets (status and body, ids aside)', () => {
    const services = new Set(probes.map((p) => p.route.service));
    console.info(`[tenancy] ${probes.length} probes over ${new Set(probes.map((p) => describeRoute(p.route))).size} case routes of ${[...services].join(', ')}; statuses ${JSON.stringify(Object.fromEntries([...new Set(probes.map((p) => p.status))].map((s) => [s, probes.filter((p) => p.status === s).length])))}`);
    expect(probes.length).toBeGreaterThan(20);
    // A 2xx is no leak when an unknown case gets the same (courier lists waybills, none yet, for any id).
    const leaks = probes.filter((p) => p.leak !== undefined).map((p) => `${describeRoute(p.route)} as another ${p.role}: ${p.leak}`);
    expect(leaks, leaks.join('\n')).toEqual([]);
  });

  it('the probes stored nothing', () => {
    expect(headAfter).toBe(headBefore);
  });

  // Delivery once showed and changed any case for a clerk of any centre (found by this suite); it now scopes
  // clerks to their centre, so its case routes are probed like every other service's above.
  it('R-DELIV-1: a clerk of another centre gets from delivery exactly what an unknown case gets', () => {
    const delivery = probes.filter((p) => p.route.service === 'delivery' && p.role === 'clerk');
    expect(delivery.length).toBeGreaterThan(0);
    expect(delivery.filter((p) => p.leak !== undefined)).toEqual([]);
  });

  const audited = (service: string) => {
    const denied = probes.filter((p) => p.route.service === service && p.status === 404);
    const lines = system.logs.entries().filter((e) => e.audit === 'access-denied' && String(e.route ?? '').startsWith(`/${service}/`));
    return { denied: denied.length, audited: lines.length };
  };

  // Each service must call auditDeniedAccess(request, { type: 'case', id }) where it answers 404 for a case
  // that exists but is not the caller's. Intake, review and evaluation do.
  it('intake audits denied cross-tenant access (GET /intake/applications/{caseId} by another applicant → 404 and an audit line)', () => {
    const { denied, audited: lines } = audited('intake');
    expect(denied).toBeGreaterThan(0);
    expect(lines).toBeGreaterThanOrEqual(1);
  });
  it('review audits denied cross-tenant access (GET /review/cases/{caseId} by another department → 404 and an audit line)', () => {
    const { denied, audited: lines } = audited('review');
    expect(denied).toBeGreaterThan(0);
    expect(lines).toBeGreaterThanOrEqual(1);
  });
  it('evaluation audits denied cross-tenant access (GET /evaluation/cases/{caseId}/ratings by another applicant → 404 and an audit line)', () => {
    const { denied, audited: lines } = audited('evaluation');
    expect(denied).toBeGreaterThan(0);
    expect(lines).toBeGreaterThanOrEqual(1);
  });

  it('every audit line names the probed case and carries no raw ID number', () => {
    const lines = system.logs.entries().filter((e) => e.audit === 'access-denied');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.resource).toMatchObject({ id: caseId });
      expect(JSON.stringify(line)).not.toMatch(/\d{17}[\dX]/);
    }
  });
});
