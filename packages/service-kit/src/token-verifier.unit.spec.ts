/**
 * The verified-token cache (issue 8): a remembered token is still checked on
 * every use (exp, nbf against the verifier's clock, its key still configured),
 * and nothing but a success is remembered.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDevKeyPair, mintDevToken, type DevKeyPair } from './dev-tokens.ts';
import { TEST_ISSUER } from './testing.ts';
import { createTokenVerifier, type TokenVerifierSettings } from './token-verifier.ts';

const SERVICE = 'intake';
const T0 = Date.UTC(2026, 10, 26, 2, 0, 0);
const seconds = (ms: number) => Math.floor(ms / 1000);

/** A clock the test moves. */
function clock(start = T0) {
  let ms = start;
  return { now: () => ms, set: (to: number) => (ms = to), advance: (by: number) => (ms += by) };
}

let key: DevKeyPair;
let other: DevKeyPair;
beforeAll(async () => {
  [key, other] = await Promise.all([generateDevKeyPair('EdDSA', 'k-1'), generateDevKeyPair('EdDSA', 'k-2')]);
});

const settingsFor = (now: () => number, keys = [key.publicJwk], extra: Partial<TokenVerifierSettings> = {}): TokenVerifierSettings => ({
  issuer: TEST_ISSUER,
  audience: SERVICE,
  algorithms: ['EdDSA'],
  keys,
  clockToleranceSeconds: 5,
  now,
  ...extra,
});
const mint = (signer: DevKeyPair, options: { subject?: string; issuedAt?: number; ttlSeconds?: number; notBefore?: number; audience?: string } = {}) =>
  mintDevToken(signer, { issuer: TEST_ISSUER, audience: options.audience ?? SERVICE, subject: options.subject ?? 'applicant-1', roles: ['applicant'], issuedAt: options.issuedAt ?? seconds(T0), ...options });

/** The same token with its payload swapped and the original signature kept. */
function tampered(token: string, change: (payload: Record<string, unknown>) => void): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  change(claims);
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

describe('verified-token cache', () => {
  it('answers a repeated token with the same principal, the clock of the verifier deciding validity', async () => {
    const c = clock();
    const verifier = await createTokenVerifier(settingsFor(c.now));
    const token = await mint(key, { ttlSeconds: 3600 });
    const first = await verifier.verify(token);
    expect(first).toMatchObject({ subject: 'applicant-1', roles: ['applicant'] });
    expect(await verifier.verify(token)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('refuses a forged token (same header, other payload, the cached token’s signature) after the original was verified', async () => {
    const verifier = await createTokenVerifier(settingsFor(clock().now));
    const token = await mint(key);
    await verifier.verify(token);
    const forged = tampered(token, (p) => {
      p.sub = 'someone-else';
      p.roles = ['clerk', 'chief'];
    });
    await expect(verifier.verify(forged)).rejects.toMatchObject({ status: 401, reason: 'token signature invalid' });
    // Refused again: a failure is never remembered as anything.
    await expect(verifier.verify(forged)).rejects.toMatchObject({ status: 401 });
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'applicant-1' });
  });

  it('refuses a token signed by an unconfigured key, and one for another audience, after a cached success', async () => {
    const verifier = await createTokenVerifier(settingsFor(clock().now));
    await verifier.verify(await mint(key));
    await expect(verifier.verify(await mint(other))).rejects.toMatchObject({ reason: 'token signed with an unknown key' });
    await expect(verifier.verify(await mint(key, { audience: 'review' }))).rejects.toMatchObject({ reason: 'token is for another audience' });
  });

  it('refuses a cached token once it has expired by the verifier’s clock (past the tolerance), with the precise reason', async () => {
    const c = clock();
    const verifier = await createTokenVerifier(settingsFor(c.now));
    const token = await mint(key, { ttlSeconds: 60 });
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'applicant-1' });
    c.advance(60_000 + 4_000); // within the 5 s tolerance
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'applicant-1' });
    c.advance(2_000);
    await expect(verifier.verify(token)).rejects.toMatchObject({ status: 401, reason: 'token expired' });
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'token expired' });
  });

  it('honours nbf on every use: a clock moved back before nbf refuses a token verified earlier', async () => {
    const c = clock();
    const verifier = await createTokenVerifier(settingsFor(c.now));
    const token = await mint(key, { notBefore: seconds(T0) + 60 });
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'token not yet valid' });
    c.advance(60_000);
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'applicant-1' });
    c.set(T0);
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'token not yet valid' });
  });

  it('refuses a cached token whose key was rotated out, and accepts the new key’s tokens', async () => {
    const verifier = await createTokenVerifier(settingsFor(clock().now, [key.publicJwk, other.publicJwk]));
    const oldToken = await mint(key);
    const newToken = await mint(other);
    await verifier.verify(oldToken);
    await verifier.verify(newToken);
    await verifier.replaceKeys!([other.publicJwk]);
    await expect(verifier.verify(oldToken)).rejects.toMatchObject({ status: 401, reason: 'token signed with an unknown key' });
    await expect(verifier.verify(newToken)).resolves.toMatchObject({ subject: 'applicant-1' });
  });

  it('stays within its size: the least recently used token is verified again (and still accepted)', async () => {
    const c = clock();
    const verifier = await createTokenVerifier(settingsFor(c.now, [key.publicJwk], { cacheSize: 2 }));
    const [a, b, d] = await Promise.all(['a', 'b', 'd'].map((subject) => mint(key, { subject, ttlSeconds: 60 })));
    const first = await verifier.verify(a!);
    await verifier.verify(b!);
    await verifier.verify(a!); // a is the most recent now
    await verifier.verify(d!); // drops b
    expect(await verifier.verify(a!)).toBe(first);
    const again = await verifier.verify(b!);
    expect(again).toMatchObject({ subject: 'b' });
    // Re-verified, so still refused once it expires.
    c.advance(66_000);
    await expect(verifier.verify(b!)).rejects.toMatchObject({ reason: 'token expired' });
  });
});
