/**
 * Helpers for service tests: a real key pair and verifier for an audience,
 * tokens per role, and a log capture stream. Everything here is real (real
 * signatures, real pino output); only the issuer is a test one.
 */
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { AppDeps } from './app.ts';
import type { JwtAlgorithm } from './config.ts';
import { generateDevKeyPair, mintDevToken, type DevKeyPair, type MintOptions } from './dev-tokens.ts';
import { createLogger } from './logging.ts';
import type { Role } from './principal.ts';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.ts';

export const TEST_ISSUER = 'govsvc-test';

/** Captures pino's JSON lines in memory. */
export class LogCapture extends Writable {
  readonly #lines: string[] = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#lines.push(...chunk.toString().split('\n').filter((l) => l.length > 0));
    callback();
  }

  /** The raw lines written so far. */
  get text(): string {
    return this.#lines.join('\n');
  }

  /** The parsed entries written so far. */
  entries(): Record<string, unknown>[] {
    return this.#lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

export interface TestAuth {
  readonly keys: DevKeyPair;
  readonly verifier: TokenVerifier;
  /** A valid token for the audience with the given roles. */
  token(roles: readonly Role[], overrides?: Partial<MintOptions>): Promise<string>;
}

/** A fresh key pair, and a verifier pinned to `audience`, the test issuer and the key's algorithm. */
export async function createTestAuth(audience: string, alg: JwtAlgorithm = 'EdDSA'): Promise<TestAuth> {
  const keys = await generateDevKeyPair(alg);
  const verifier = await createTokenVerifier({
    issuer: TEST_ISSUER,
    audience,
    algorithms: [alg],
    keys: [keys.publicJwk],
    clockToleranceSeconds: 5,
  });
  return {
    keys,
    verifier,
    token: (roles, overrides = {}) =>
      mintDevToken(keys, { issuer: TEST_ISSUER, audience, subject: 'test-user', roles, ...overrides }),
  };
}

/** App deps for a test: a logger writing into a `LogCapture` and the test verifier. */
export function testAppDeps(
  auth: TestAuth,
  serviceName: string,
  level: 'info' | 'debug' | 'warn' = 'info',
): AppDeps & { logs: LogCapture; logger: Logger } {
  const logs = new LogCapture();
  return { logs, logger: createLogger({ serviceName, level }, logs), tokenVerifier: auth.verifier };
}
