/**
 * Configuration from the environment, parsed by zod. This is the one module
 * of the kit that reads `process.env`; everything else is handed values.
 * Start-up fails with a single error that lists every bad or missing
 * variable, so an operator fixes them all in one go.
 */
import { z } from 'zod';
import { ValidationError, type FieldIssue } from '@govsvc/errors/errors';
import { DEFAULT_RATE_LIMITS } from './rate-limit.ts';

/** Token signature algorithms the kit accepts: asymmetric only, never `none` or HS*. */
export const JWT_ALGORITHMS = ['EdDSA', 'ES256', 'RS256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

const KEY_TYPE_FOR_ALG: Record<JwtAlgorithm, string> = { EdDSA: 'OKP', ES256: 'EC', RS256: 'RSA' };

/** A public verification key as a JWK; `kid` and `alg` are required so rotation is explicit. */
export const publicJwkSchema = z
  .looseObject({
    kty: z.enum(['OKP', 'EC', 'RSA'], { error: 'kty must be OKP, EC or RSA (symmetric "oct" keys are refused)' }),
    kid: z.string().min(1, 'kid is required'),
    alg: z.enum(JWT_ALGORITHMS, { error: `alg must be one of ${JWT_ALGORITHMS.join(', ')}` }),
    crv: z.string().optional(),
    x: z.string().optional(),
    y: z.string().optional(),
    n: z.string().optional(),
    e: z.string().optional(),
    d: z.never({ error: 'private key material ("d") must not be configured as a verification key' }).optional(),
  })
  .refine((jwk) => KEY_TYPE_FOR_ALG[jwk.alg] === jwk.kty, {
    error: (issue) => {
      const jwk = issue.input as { alg?: JwtAlgorithm; kty?: string };
      return `key type ${jwk.kty} does not fit alg ${jwk.alg}`;
    },
  });
export type PublicJwk = z.infer<typeof publicJwkSchema>;

const jwksFromJson = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON Web Key Set: {"keys":[...]}' });
      return z.NEVER;
    }
  })
  .pipe(
    z.object({ keys: z.array(publicJwkSchema).min(1, 'at least one key is required') }).refine(
      (set) => new Set(set.keys.map((k) => k.kid)).size === set.keys.length,
      'every key needs a distinct kid',
    ),
  );

/** An environment variable holding JSON, parsed then checked by `schema` ("must be JSON" when it does not parse). */
export const jsonEnv = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

const algorithmList = z
  .string()
  .transform((text) => text.split(',').map((a) => a.trim()).filter((a) => a.length > 0))
  .pipe(z.array(z.enum(JWT_ALGORITHMS, { error: `each algorithm must be one of ${JWT_ALGORITHMS.join(', ')}` })).min(1));

const integer = (min: number, max: number) =>
  z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(min).max(max);

/**
 * The variables every service reads. A service extends it:
 * `baseConfigSchema.extend({ DATABASE_URL: z.url() })`.
 */
export const baseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  SERVICE_NAME: z.string().regex(/^[a-z][a-z0-9-]{1,62}$/, 'lowercase letters, digits and dashes, starting with a letter'),
  SERVICE_VERSION: z.string().min(1).default('0.0.0'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: integer(0, 65_535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JWT_ISSUER: z.string().min(1),
  /** Defaults to SERVICE_NAME: a token minted for another service is refused. */
  JWT_AUDIENCE: z.string().min(1).optional(),
  JWT_ALGORITHMS: algorithmList.default(['EdDSA']),
  /** JSON Web Key Set of the issuer's public keys; several during a rotation. */
  JWT_PUBLIC_KEYS: jwksFromJson,
  JWT_CLOCK_TOLERANCE_SECONDS: integer(0, 300).default(30),
  BODY_LIMIT_BYTES: integer(1, 64 * 1024 * 1024).default(1024 * 1024),
  REQUEST_TIMEOUT_MS: integer(1, 600_000).default(30_000),
  HEADERS_TIMEOUT_MS: integer(1, 600_000).default(20_000),
  HANDLER_TIMEOUT_MS: integer(1, 600_000).default(25_000),
  CONNECTION_TIMEOUT_MS: integer(1, 600_000).default(60_000),
  KEEP_ALIVE_TIMEOUT_MS: integer(1, 600_000).default(72_000),
  READINESS_TIMEOUT_MS: integer(50, 60_000).default(1_000),
  SHUTDOWN_DRAIN_MS: integer(0, 600_000).default(10_000),
  RATE_LIMIT_ENABLED: z.stringbool().default(true),
  RATE_LIMIT_PER_PRINCIPAL: integer(1, 1_000_000).default(DEFAULT_RATE_LIMITS.principal.limit),
  RATE_LIMIT_ANONYMOUS: integer(1, 1_000_000).default(DEFAULT_RATE_LIMITS.anonymous.limit),
  RATE_LIMIT_WINDOW_MS: integer(100, 3_600_000).default(DEFAULT_RATE_LIMITS.principal.windowMs),
  RATE_LIMIT_ON_STORE_ERROR: z.enum(['allow', 'refuse']).default('allow'),
});
export type BaseConfig = z.infer<typeof baseConfigSchema>;

function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(environment)',
    reason: issue.message,
  }));
}

/**
 * Parses the environment with `schema`. Fails with one `ValidationError`
 * whose message and `issues` name every bad or missing variable.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): z.output<S> {
  // An empty variable means "not set": `PORT=` must not silently become 0.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present, { error: (issue) => (issue.input === undefined ? 'required' : undefined) });
  if (result.success) return result.data;
  const issues = issuesOf(result.error);
  const lines = issues.map((i) => `  ${i.path}: ${i.reason}`).join('\n');
  throw new ValidationError(`invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines}`, issues);
}

/** The audience this service accepts tokens for: JWT_AUDIENCE, else its own name. */
export function audienceOf(config: Pick<BaseConfig, 'SERVICE_NAME' | 'JWT_AUDIENCE'>): string {
  return config.JWT_AUDIENCE ?? config.SERVICE_NAME;
}
