/**
 * Role escalation, mass assignment, forged tokens and rate abuse against
 * every route of every mounted service (issue 9, attacks). Routes and the
 * roles each allows come from the app's own OpenAPI document.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDevKeyPair, mintDevToken } from '@govsvc/service-kit/dev-tokens';
import { ROLES } from '@govsvc/service-kit/principal';
import { InMemoryRateLimitStore } from '@govsvc/service-kit/rate-limit';
import { TEST_ISSUER } from '@govsvc/service-kit/testing';
import { checkRefusal, sampleValid } from '../src/fuzz.ts';
import { describeRoute, discoverRoutes, urlOf, validParam, type Route } from '../src/routes.ts';
import { AUDIENCE, startSystem, type System } from '../src/system.ts';
import { acceptApplication, APPLICANT_A, submitApplication } from '../src/workload.ts';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('authorization attacks on every route', () => {
  let system: System;
  let routes: Route[];
  let caseId: string;
  let sequence = 0;

  beforeAll(async () => {
    system = await startSystem();
    ({ caseId } = await submitApplication(system.http, system, APPLICANT_A));
    await acceptApplication(system.http, system, caseId);
    await system.settle();
    routes = await discoverRoutes(system.app);
  });
  afterAll(() => system.close());

  const paramsFor = (route: Route) => Object.fromEntries(route.pathParams.map((p) => [p, validParam(route.paramSchemas[p] ?? {}, p === 'caseId' ? caseId : undefined)]));

  /** Sends and applies the refusal rule; returns the status and any violation. */
  async function send(route: Route, token: string, body: unknown): Promise<{ status: number; violation?: string; body: string }> {
    const correlationId = `authz-${++sequence}`;
    const before = await system.store.headPosition();
    const res = await system.app.inject({
      method: route.method,
      url: urlOf(route, paramsFor(route)),
      headers: { authorization: `Bearer ${token}`, 'x-correlation-id': correlationId },
      ...(body !== undefined && { payload: body as object }),
    });
    const violation = await checkRefusal(system, res, before, correlationId);
    return { status: res.statusCode, body: res.body, ...(violation !== undefined && { violation }) };
  }

  const bodyOf = (route: Route) => (route.method === 'GET' || route.method === 'DELETE' ? undefined : sampleValid(route.body));

  it('role escalation: every role a route does not allow gets 403 problem+json and nothing is stored (a clerk calling reviewer and chief commands among them)', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const route of routes.filter((r) => r.roles.length > 0)) {
      for (const role of ROLES.filter((r) => !route.roles.includes(r))) {
        const result = await send(route, await system.token(role), bodyOf(route));
        checked += 1;
        if (result.status !== 403 || result.violation !== undefined) failures.push(`${describeRoute(route)} as ${role}: ${result.status} ${result.violation ?? ''}`);
      }
    }
    const clerkOnChiefRoutes = routes.filter((r) => r.roles.includes('chief') && !r.roles.includes('clerk')).length;
    console.info(`[role escalation] ${checked} (route, role) pairs refused; ${clerkOnChiefRoutes} reviewer/chief routes tried by a clerk`);
    expect(clerkOnChiefRoutes).toBeGreaterThan(5);
    expect(failures, failures.join('\n')).toEqual([]);
  });

  const MASS_ASSIGNMENT_FIELDS = ['status', 'decision', 'deadline', 'decidedAt', 'dueAt', 'acceptanceDue', 'outcome', 'approved', 'revision', 'breached', 'caseNumber', 'applicantRef'];

  it('mass assignment: a body that sets status, decision or deadline fields is refused with 400 naming the field, nothing stored', async () => {
    const failures: string[] = [];
    let checked = 0;
    let unreachable = 0;
    for (const route of routes.filter((r) => r.body !== undefined && r.roles.length > 0)) {
      const declared = new Set(Object.keys(route.body?.properties ?? {}));
      const base = sampleValid(route.body);
      if (typeof base !== 'object' || base === null || Array.isArray(base)) continue;
      for (const field of MASS_ASSIGNMENT_FIELDS.filter((f) => !declared.has(f))) {
        const result = await send(route, await system.token(route.roles[0]!), { ...base, [field]: field === 'approved' ? true : 'accepted' });
        // A path parameter no blind guess satisfies stops validation before the body: counted, not judged.
        if (result.status === 400 && result.violation === undefined && (JSON.parse(result.body) as { errors?: { in?: string }[] }).errors?.every((e) => e.in === 'params')) {
          unreachable += 1;
          continue;
        }
        checked += 1;
        const named = result.status === 400 && result.body.includes(`/${field}`);
        if (!named || result.violation !== undefined) failures.push(`${describeRoute(route)} + ${field}: ${result.status} ${result.violation ?? result.body.slice(0, 160)}`);
      }
    }
    console.info(`[mass assignment] ${checked} (route, field) pairs refused naming the field; ${unreachable} not reached (path parameter guess refused)`);
    expect(checked).toBeGreaterThan(100);
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it('forged tokens against every protected route of every service: alg none, HS256 keyed with the public key, edited payload, expired, future nbf, unknown kid, another audience, another issuer → 401, nothing stored', async () => {
    const stranger = await generateDevKeyPair('EdDSA');
    const kid = system.auth.keys.kid;
    const claims = (roles: readonly string[]) => ({ iss: TEST_ISSUER, aud: AUDIENCE, sub: 'mallory', roles, exp: nowSeconds() + 600 });
    const forgeries = async (roles: readonly string[]): Promise<Record<string, string>> => {
      const valid = await system.auth.token(roles as never, { subject: 'mallory' });
      const [header, , signature] = valid.split('.');
      const hsInput = `${b64url({ alg: 'HS256', typ: 'JWT', kid })}.${b64url(claims(roles))}`;
      return {
        'alg-none': `${b64url({ alg: 'none', typ: 'JWT', kid })}.${b64url(claims(roles))}.`,
        'hs256-confusion': `${hsInput}.${createHmac('sha256', Buffer.from(JSON.stringify(system.auth.keys.publicJwk))).update(hsInput).digest('base64url')}`,
        'edited-payload': `${header}.${b64url({ ...claims(roles), roles: [...roles, 'admin'] })}.${signature}`,
        expired: await system.auth.token(roles as never, { issuedAt: nowSeconds() - 7200, ttlSeconds: 3600 }),
        'future-nbf': await system.auth.token(roles as never, { notBefore: nowSeconds() + 600 }),
        'unknown-kid': await mintDevToken(stranger, { issuer: TEST_ISSUER, audience: AUDIENCE, subject: 'mallory', roles: roles as never }),
        'wrong-audience': await system.auth.token(roles as never, { audience: 'intake' }),
        'wrong-issuer': await system.auth.token(roles as never, { issuer: 'https://evil.example' }),
      };
    };
    const failures: string[] = [];
    const services = new Set<string>();
    let checked = 0;
    for (const route of routes.filter((r) => r.roles.length > 0)) {
      for (const [kind, token] of Object.entries(await forgeries(route.roles))) {
        const result = await send(route, token, bodyOf(route));
        checked += 1;
        services.add(route.service);
        if (result.status !== 401 || result.violation !== undefined) failures.push(`${describeRoute(route)} [${kind}]: ${result.status} ${result.violation ?? ''}`);
      }
    }
    console.info(`[forged tokens] ${checked} forged requests over ${services.size} services refused`);
    for (const service of system.services.filter((s) => s !== 'catalog' || routes.some((r) => r.service === 'catalog' && r.roles.length > 0))) expect(services).toContain(service);
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

describe('rate abuse', () => {
  let system: System;
  beforeAll(async () => {
    system = await startSystem({ rateLimit: { store: new InMemoryRateLimitStore(), principal: { limit: 20, windowMs: 60_000 }, anonymous: { limit: 10, windowMs: 60_000 } } });
  });
  afterAll(() => system.close());

  it('one caller spamming any service gets 429 problem+json with Retry-After; another caller is still served', async () => {
    const routes = (await discoverRoutes(system.app)).filter((r) => r.method === 'GET' && r.roles.length > 0 && r.pathParams.length === 0);
    const perService = new Map<string, Route>();
    for (const route of routes) if (!perService.has(route.service)) perService.set(route.service, route);
    expect(perService.size).toBeGreaterThanOrEqual(4);
    for (const [service, route] of perService) {
      const role = route.roles[0]!;
      const spammer = await system.token(role, { subject: `spammer-${service}` });
      const statuses: number[] = [];
      for (let i = 0; i < 22; i++) statuses.push((await system.app.inject({ method: 'GET', url: urlOf(route), headers: { authorization: `Bearer ${spammer}` } })).statusCode);
      expect(statuses.slice(0, 20).every((s) => s !== 429), `${service}: ${statuses.join(',')}`).toBe(true);
      const refused = await system.app.inject({ method: 'GET', url: urlOf(route), headers: { authorization: `Bearer ${spammer}` } });
      expect(refused.statusCode, service).toBe(429);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const other = await system.token(role, { subject: `bystander-${service}` });
      expect((await system.app.inject({ method: 'GET', url: urlOf(route), headers: { authorization: `Bearer ${other}` } })).statusCode, service).not.toBe(429);
    }
  });

  it('an anonymous client spamming a public route is limited per IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await system.app.inject({ method: 'GET', url: '/catalog/guides', remoteAddress: '10.1.2.3' })).statusCode);
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect((await system.app.inject({ method: 'GET', url: '/catalog/guides', remoteAddress: '10.1.2.4' })).statusCode).toBe(200);
  });
});
