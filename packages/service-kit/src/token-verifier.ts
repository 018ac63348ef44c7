/**
 * Bearer token verification with jose. Everything an attacker could steer is
 * pinned: the algorithms (asymmetric only), the issuer, this service's own
 * audience, the key (by `kid`, among the configured public keys), and `exp`
 * is required. A token minted for another service is refused.
 */
import { errors as joseErrors, importJWK, jwtVerify, type CryptoKey, type JWTHeaderParameters, type KeyObject } from 'jose';
import { z } from 'zod';
import { AuthenticationError } from './auth-errors.ts';
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
}

/** Verifies a compact JWS bearer token and returns its principal, or throws `AuthenticationError`. */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
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
  const keys = new Map<string, ResolvedKey>();
  for (const jwk of settings.keys) {
    if (!settings.algorithms.includes(jwk.alg)) {
      throw new Error(`token verifier: key ${jwk.kid} uses ${jwk.alg}, which is not among the allowed algorithms ${settings.algorithms.join(', ')}`);
    }
    if (keys.has(jwk.kid)) throw new Error(`token verifier: duplicate kid ${jwk.kid}`);
    keys.set(jwk.kid, { alg: jwk.alg, key: await importJWK({ ...jwk }, jwk.alg) });
  }

  const resolveKey = (header: JWTHeaderParameters): CryptoKey | KeyObject | Uint8Array => {
    if (header.kid === undefined) throw new AuthenticationError('token has no key id (kid)', 'invalid_token');
    const entry = keys.get(header.kid);
    if (entry === undefined) throw new AuthenticationError('token signed with an unknown key', 'invalid_token');
    // A key is used only with the algorithm it was configured for, so an
    // RSA key can never be presented under another RSA or HMAC algorithm.
    if (header.alg !== entry.alg) throw new AuthenticationError('token signature algorithm not allowed', 'invalid_token');
    return entry.key;
  };

  return {
    async verify(token: string): Promise<Principal> {
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, resolveKey, {
          algorithms: [...settings.algorithms],
          issuer: settings.issuer,
          audience: settings.audience,
          requiredClaims: ['exp', 'sub'],
          clockTolerance: settings.clockToleranceSeconds,
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
      return {
        subject: sub,
        roles: roles.filter(isRole),
        expiresAt: exp,
        ...(department !== undefined && { department }),
        ...(centre !== undefined && { centre }),
        ...(jti !== undefined && { tokenId: jti }),
      };
    },
  };
}
