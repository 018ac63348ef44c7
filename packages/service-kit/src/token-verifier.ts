/**
 * Bearer token verification with jose. Everything an attacker could steer is
 * pinned: the algorithms (asymmetric only), the issuer, this service's own
 * audience, the key (by `kid`, among the configured public keys), and `exp`
 * is required. A token minted for another service is refused.
 *
 * A successful verification is remembered for the exact token string (a
 * bounded `RecencyCache`, issue 8): a client sends the same bearer token with every
 * request, and an asymmetric signature check per request was the largest cost
 * of a cached read. A remembered token is still checked on every use: `exp`
 * and `nbf` against the verifier's clock (with the same tolerance), and its
 * `kid` must still be one of the configured keys with the same algorithm, so
 * a token whose key was rotated out is refused. Failures are never
 * remembered: a refused token is verified (and refused) again each time.
 */
import { errors as joseErrors, importJWK, jwtVerify, type CryptoKey, type JWTHeaderParameters, type KeyObject } from 'jose';
import { z } from 'zod';
import { AuthenticationError } from './auth-errors.ts';
import { RecencyCache } from './recency-cache.ts';
import { isRole, type Principal } from './principal.ts';
import type { JwtAlgorithm, PublicJwk } from './config.ts';

export interface TokenVerifierSettings {
  readonly issuer: string;
  /** This service's own name: tokens for other audiences are refused. */
  readonly audience: string;
  readonly algorithms: readonly JwtAlgorithm[];
  /** Public keys, each with `kid` and `alg`; several while keys rotate. */
  readonly keys: readonly PublicJwk[];
  readonly clockToleranceSeconds: number;
  /** The clock `exp` and `nbf` are checked against, in ms since the epoch; the wall clock by default. */
  readonly now?: () => number;
  /** How many verified tokens are remembered (those used least recently dropped first, `RecencyCache`); 10,000 by default, 0 turns it off. */
  readonly cacheSize?: number;
}

/** Verifies a compact JWS bearer token and returns its principal, or throws `AuthenticationError`. */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
  /**
   * Replaces the configured public keys (key rotation without a restart): a
   * remembered token whose `kid` is no longer among them, or now has another
   * algorithm, is verified again, and so refused.
   */
  replaceKeys?(keys: readonly PublicJwk[]): Promise<void>;
}

export const DEFAULT_TOKEN_CACHE_SIZE = 10_000;

/** What a successful verification leaves behind for the next use of the same token. */
interface Verified {
  readonly principal: Principal;
  readonly kid: string;
  readonly alg: string;
  /** Seconds since the epoch. */
  readonly exp: number;
  readonly nbf: number | undefined;
}

interface ResolvedKey {
  readonly alg: JwtAlgorithm;
  readonly key: CryptoKey | KeyObject | Uint8Array;
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  exp: z.number(),
  roles: z.array(z.string()).default([]),
  department: z.string().min(1).optional(),
  centre: z.string().min(1).optional(),
  jti: z.string().min(1).optional(),
});

// Caller-facing reasons: precise enough to fix a client, never the token or key.
function reasonFor(error: unknown): string {
  if (error instanceof AuthenticationError) return error.reason;
  if (error instanceof joseErrors.JWTExpired) return 'token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'token not yet valid';
    if (error.claim === 'aud') return 'token is for another audience';
    if (error.claim === 'iss') return 'token from an unexpected issuer';
    return `token claim ${error.claim} is invalid`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'token signature algorithm not allowed';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature invalid';
  return 'token malformed';
}

/**
 * Imports the configured keys once and returns a verifier. Fails at start-up
 * when a key does not fit its declared algorithm or is not allowed.
 */
export async function createTokenVerifier(settings: TokenVerifierSettings): Promise<TokenVerifier> {
  if (settings.algorithms.length === 0) throw new Error('token verifier: at least one algorithm is required');
  const importKeys = async (jwks: readonly PublicJwk[]): Promise<Map<string, ResolvedKey>> => {
    const imported = new Map<string, ResolvedKey>();
    for (const jwk of jwks) {
      if (!settings.algorithms.includes(jwk.alg)) {
        throw new Error(`token verifier: key ${jwk.kid} uses ${jwk.alg}, which is not among the allowed algorithms ${settings.algorithms.join(', ')}`);
      }
      if (imported.has(jwk.kid)) throw new Error(`token verifier: duplicate kid ${jwk.kid}`);
      imported.set(jwk.kid, { alg: jwk.alg, key: await importJWK({ ...jwk }, jwk.alg) });
    }
    return imported;
  };
  let keys = await importKeys(settings.keys);
  const now = settings.now ?? Date.now;
  const tolerance = settings.clockToleranceSeconds;
  const verified = new RecencyCache<string, Verified>(Math.max(0, Math.floor(settings.cacheSize ?? DEFAULT_TOKEN_CACHE_SIZE)));

  // Still valid now, by the same rules jose applied when the token was verified (exp and nbf with the tolerance),
  // and still signed by a configured key. Anything else: verify again, which refuses with the precise reason.
  const stillValid = (entry: Verified): boolean => {
    const seconds = Math.floor(now() / 1000);
    if (entry.exp <= seconds - tolerance) return false;
    if (entry.nbf !== undefined && entry.nbf > seconds + tolerance) return false;
    return keys.get(entry.kid)?.alg === entry.alg;
  };

  const resolveKey = (header: JWTHeaderParameters): CryptoKey | KeyObject | Uint8Array => {
    if (header.kid === undefined) throw new AuthenticationError('token has no key id (kid)', 'invalid_token');
    const entry = keys.get(header.kid);
    if (entry === undefined) throw new AuthenticationError('token signed with an unknown key', 'invalid_token');
    // A key is used only with the algorithm it was configured for, so an
    // RSA key can never be presented under another RSA or HMAC algorithm.
    if (header.alg !== entry.alg) throw new AuthenticationError('token signature algorithm not allowed', 'invalid_token');
    return entry.key;
  };

  const verifyFully = async (token: string): Promise<Verified> => {
    let payload: unknown;
    let header: JWTHeaderParameters;
    try {
      ({ payload, protectedHeader: header } = await jwtVerify(token, resolveKey, {
        algorithms: [...settings.algorithms],
        issuer: settings.issuer,
        audience: settings.audience,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: tolerance,
        currentDate: new Date(now()),
      }));
    } catch (error) {
      throw new AuthenticationError(reasonFor(error), 'invalid_token');
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      const fields = [...new Set(claims.error.issues.map((i) => i.path.map(String).join('.')))];
      throw new AuthenticationError(`token claims invalid: ${fields.join(', ')}`, 'invalid_token');
    }
    const { sub, exp, roles, department, centre, jti } = claims.data;
    // Shared by every request presenting the token: frozen, so no request can change another's principal.
    const principal: Principal = Object.freeze({
      subject: sub,
      roles: Object.freeze(roles.filter(isRole)),
      expiresAt: exp,
      ...(department !== undefined && { department }),
      ...(centre !== undefined && { centre }),
      ...(jti !== undefined && { tokenId: jti }),
    });
    const nbf = (payload as { nbf?: unknown }).nbf;
    // resolveKey accepted the header, so kid and alg are present.
    return { principal, kid: header.kid!, alg: header.alg, exp, nbf: typeof nbf === 'number' ? nbf : undefined };
  };

  return {
    async verify(token: string): Promise<Principal> {
      const cached = verified.get(token);
      if (cached !== undefined) {
        if (stillValid(cached)) return cached.principal;
        verified.delete(token);
      }
      const entry = await verifyFully(token);
      verified.set(token, entry);
      return entry.principal;
    },
    async replaceKeys(jwks: readonly PublicJwk[]): Promise<void> {
      keys = await importKeys(jwks);
    },
  };
}
