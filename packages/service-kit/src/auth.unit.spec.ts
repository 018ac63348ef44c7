import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp, type App } from './app.ts';
import { allow, principalOf, publicRoute } from './auth.ts';
import { generateDevKeyPair, mintDevToken } from './dev-tokens.ts';
import { createTestAuth, TEST_ISSUER, testAppDeps, type TestAuth } from './testing.ts';
import { createTokenVerifier } from './token-verifier.ts';

const SERVICE = 'intake';
const nowSeconds = () => Math.floor(Date.now() / 1000);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function appWith(auth: TestAuth): Promise<App> {
  const app = await buildApp(testAppDeps(auth, SERVICE), { serviceName: SERVICE, version: '1.0.0', defaultMetrics: false });
  app.get('/whoami', { config: allow('clerk', 'chief') }, async (request) => principalOf(request));
  app.post(
    '/applications',
    { config: allow('applicant'), schema: { body: z.strictObject({ itemCode: z.string() }) } },
    async () => ({ accepted: true }),
  );
  app.get('/guides', { config: publicRoute }, async () => ({ guides: [] }));
  await app.ready();
  return app;
}

describe('bearer authentication and roles', () => {
  let auth: TestAuth;
  let app: App;

  beforeAll(async () => {
    auth = await createTestAuth(SERVICE);
    app = await appWith(auth);
  });
  afterAll(() => app.close());

  const get = (token?: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url: '/whoami', headers: { ...(token !== undefined && { authorization: `Bearer ${token}` }), ...headers } });

  const expectUnauthorized = (res: Awaited<ReturnType<typeof get>>, reason: RegExp) => {
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="intake", error="invalid_token"/);
    expect(res.json().detail).toMatch(reason);
  };

  it('accepts a valid token and exposes the principal', async () => {
    const token = await auth.token(['clerk'], { subject: 'clerk-7', department: 'BJ-SCJ', centre: 'chaoyang-1' });
    const res = await get(token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ subject: 'clerk-7', roles: ['clerk'], department: 'BJ-SCJ', centre: 'chaoyang-1' });
  });

  it('no token: 401 problem+json with a bare Bearer challenge', async () => {
    const res = await get();
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="intake"');
    expect(res.json()).toMatchObject({ status: 401, type: 'urn:govsvc:problem:unauthenticated', instance: '/whoami' });
  });

  it('a non-Bearer Authorization header: 401 invalid_request', async () => {
    const res = await get(undefined, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_request"/);
  });

  it('wrong role: 403 problem+json naming the roles allowed', async () => {
    const res = await get(await auth.token(['applicant']));
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 403, detail: 'this action needs one of the roles: clerk, chief' });
  });

  it('drops role names it does not know: they grant nothing', async () => {
    const res = await get(await auth.token(['superuser' as 'admin']));
    expect(res.statusCode).toBe(403);
  });

  it('a token for another service (audience): 401', async () => {
    expectUnauthorized(await get(await auth.token(['clerk'], { audience: 'review' })), /another audience/);
  });

  it('a token from another issuer: 401', async () => {
    expectUnauthorized(await get(await auth.token(['clerk'], { issuer: 'https://evil.example' })), /unexpected issuer/);
  });

  it('an expired token: 401', async () => {
    const token = await auth.token(['clerk'], { issuedAt: nowSeconds() - 7200, ttlSeconds: 3600 });
    expectUnauthorized(await get(token), /expired/);
  });

  it('a token expired by less than the clock tolerance is still accepted', async () => {
    const token = await auth.token(['clerk'], { issuedAt: nowSeconds() - 62, ttlSeconds: 60 });
    expect((await get(token)).statusCode).toBe(200);
  });

  it('a token not valid yet (nbf beyond the tolerance): 401', async () => {
    const token = await auth.token(['clerk'], { notBefore: nowSeconds() + 600 });
    expectUnauthorized(await get(token), /not yet valid/);
  });

  it('alg "none" (unsigned) forgery: 401', async () => {
    const header = { alg: 'none', typ: 'JWT', kid: auth.keys.kid };
    const payload = { iss: TEST_ISSUER, aud: SERVICE, sub: 'mallory', roles: ['clerk'], exp: nowSeconds() + 600 };
    expectUnauthorized(await get(`${b64url(header)}.${b64url(payload)}.`), /algorithm not allowed/);
  });

  it('HS256 forgery keyed with the public key (algorithm confusion): 401', async () => {
    const header = { alg: 'HS256', typ: 'JWT', kid: auth.keys.kid };
    const payload = { iss: TEST_ISSUER, aud: SERVICE, sub: 'mallory', roles: ['admin', 'clerk'], exp: nowSeconds() + 600 };
    const signingInput = `${b64url(header)}.${b64url(payload)}`;
    const publicKeyBytes = Buffer.from(JSON.stringify(auth.keys.publicJwk));
    const signature = createHmac('sha256', publicKeyBytes).update(signingInput).digest('base64url');
    expectUnauthorized(await get(`${signingInput}.${signature}`), /algorithm not allowed/);
  });

  it('a tampered payload (roles raised): 401', async () => {
    const [header, , signature] = (await auth.token(['applicant'])).split('.');
    const payload = { iss: TEST_ISSUER, aud: SERVICE, sub: 'test-user', roles: ['clerk'], exp: nowSeconds() + 600 };
    expectUnauthorized(await get(`${header}.${b64url(payload)}.${signature}`), /signature invalid/);
  });

  it('a token signed by a key that is not configured (unknown kid): 401', async () => {
    const stranger = await generateDevKeyPair('EdDSA');
    const token = await mintDevToken(stranger, { issuer: TEST_ISSUER, audience: SERVICE, subject: 'x', roles: ['clerk'] });
    expectUnauthorized(await get(token), /unknown key/);
  });

  it('a token without kid: 401, even when signed by the configured key', async () => {
    const { privateJwk } = auth.keys;
    const withoutKid = { ...privateJwk, kid: undefined as unknown as string };
    const token = await mintDevToken({ privateJwk: withoutKid }, { issuer: TEST_ISSUER, audience: SERVICE, subject: 'x', roles: ['clerk'] });
    expectUnauthorized(await get(token), /no key id/);
  });

  it('authenticates before reading the body: an anonymous bad body gets 401, not 400', async () => {
    const res = await app.inject({ method: 'POST', url: '/applications', payload: { wrong: true } });
    expect(res.statusCode).toBe(401);
  });

  it('protects the automatic HEAD route of a protected GET', async () => {
    expect((await app.inject({ method: 'HEAD', url: '/whoami' })).statusCode).toBe(401);
  });

  it('serves public routes without a token', async () => {
    expect((await app.inject({ method: 'GET', url: '/guides' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });
});

describe('key rotation and algorithms', () => {
  it('accepts tokens from every configured key and refuses a retired one', async () => {
    const [oldKey, newKey] = await Promise.all([generateDevKeyPair('EdDSA', 'k-2024'), generateDevKeyPair('ES256', 'k-2025')]);
    const settings = { issuer: TEST_ISSUER, audience: SERVICE, clockToleranceSeconds: 5 };
    const during = await createTokenVerifier({ ...settings, algorithms: ['EdDSA', 'ES256'], keys: [oldKey.publicJwk, newKey.publicJwk] });
    const after = await createTokenVerifier({ ...settings, algorithms: ['ES256'], keys: [newKey.publicJwk] });
    const mint = { issuer: TEST_ISSUER, audience: SERVICE, subject: 's', roles: ['reviewer'] as const };
    const oldToken = await mintDevToken(oldKey, mint);
    const newToken = await mintDevToken(newKey, mint);

    await expect(during.verify(oldToken)).resolves.toMatchObject({ roles: ['reviewer'] });
    await expect(during.verify(newToken)).resolves.toMatchObject({ roles: ['reviewer'] });
    await expect(after.verify(newToken)).resolves.toMatchObject({ subject: 's' });
    await expect(after.verify(oldToken)).rejects.toMatchObject({ status: 401 });
  });

  it('refuses at start-up a key whose algorithm is not allowed', async () => {
    const key = await generateDevKeyPair('RS256', 'rsa-1');
    await expect(
      createTokenVerifier({ issuer: TEST_ISSUER, audience: SERVICE, clockToleranceSeconds: 5, algorithms: ['EdDSA'], keys: [key.publicJwk] }),
    ).rejects.toThrow(/rsa-1 uses RS256/);
  });

  it('refuses a token whose alg differs from its key’s, even when both are allowed', async () => {
    const ed = await generateDevKeyPair('EdDSA', 'shared-kid');
    const es = await generateDevKeyPair('ES256', 'shared-kid');
    const verifier = await createTokenVerifier({
      issuer: TEST_ISSUER, audience: SERVICE, clockToleranceSeconds: 5, algorithms: ['EdDSA', 'ES256'], keys: [ed.publicJwk],
    });
    const token = await mintDevToken(es, { issuer: TEST_ISSUER, audience: SERVICE, subject: 's', roles: ['clerk'] });
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'token signature algorithm not allowed' });
  });
});

describe('routes must declare who may call them', () => {
  let auth: TestAuth;
  beforeAll(async () => {
    auth = await createTestAuth(SERVICE);
  });

  const fresh = () => buildApp(testAppDeps(auth, SERVICE), { serviceName: SERVICE, version: '1.0.0', defaultMetrics: false });

  it('refuses a route with no roles and no public flag', async () => {
    const app = await fresh();
    expect(() => app.get('/open', async () => 'oops')).toThrow(/GET \/open declares no access/);
    await app.close();
  });

  it('refuses it inside an encapsulated route plugin too', async () => {
    const app = await fresh();
    const registering = app.register(async (cases) => {
      cases.get('/:id', async () => 'oops');
    }, { prefix: '/cases' });
    await expect(registering).rejects.toThrow(/GET \/cases\/:id declares no access/);
  });

  it('refuses unknown roles, empty role lists, and public routes that also list roles', async () => {
    const app = await fresh();
    expect(() => app.get('/a', { config: { roles: ['janitor' as 'admin'] } }, async () => '')).toThrow(/unknown roles janitor/);
    expect(() => app.get('/b', { config: { roles: [] } }, async () => '')).toThrow(/non-empty/);
    expect(() => app.get('/c', { config: { public: true, roles: ['clerk'] } }, async () => '')).toThrow(/both public/);
    await app.close();
  });
});
