/**
 * `govsvc seal verify <file|url> [--keys <file|url>]`: checks the electronic
 * seal of an acceptance-stage document (R-ACC-3, measures Art. 34).
 *
 * - A sealed document (`{ content, signature }`, as `GET /intake/documents/:id`
 *   returns it and as the applicant keeps it) is verified here, offline: the
 *   Ed25519 signature over the canonical JSON of `content` with the public key
 *   named by `signature.keyId`, which must belong to the seal the document shows.
 *   Keys come from `--keys` (a file or URL of `GET /intake/seal-keys`), or, for a
 *   document fetched from a URL, from `/intake/seal-keys` on the same host.
 * - A verification answer (`GET /intake/documents/:id/verify`) is reported as given.
 *
 * Canonical JSON (the same rules intake signs with): object keys sorted by code
 * point, no whitespace, undefined members dropped, strings and numbers as
 * JSON.stringify writes them. Exit 0 when the seal is valid, 1 when it is not.
 */
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { ValidationError } from '@govsvc/errors/errors';
import { emit, type CommandContext, type CommandResult } from '../context.ts';

const SealedDocument = z.looseObject({
  content: z.looseObject({
    documentId: z.string(),
    kind: z.string(),
    title: z.string(),
    issuedAt: z.string(),
    seal: z.looseObject({ kind: z.string(), sealId: z.string(), name: z.string() }),
  }),
  signature: z.object({ algorithm: z.literal('Ed25519'), keyId: z.string(), value: z.string() }),
});
type SealedDocument = z.infer<typeof SealedDocument>;

const VerificationAnswer = z.looseObject({ documentId: z.string(), valid: z.boolean(), reason: z.string().optional() });

const SealKeys = z.object({
  keys: z.array(z.object({ keyId: z.string(), sealId: z.string(), algorithm: z.literal('Ed25519'), jwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string() }) })),
});
type SealKeys = z.infer<typeof SealKeys>;

export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no representation for a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON has no representation for ${typeof value}`);
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

async function loadJson(source: string, baseDir: string): Promise<unknown> {
  try {
    if (isUrl(source)) {
      const response = await fetch(source, { headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
      return await response.json();
    }
    return JSON.parse(await readFile(resolve(baseDir, source), 'utf8'));
  } catch (error) {
    throw new ValidationError(`cannot read ${source}`, [{ path: source, reason: (error as Error).message }]);
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(`not ${what}`, result.error.issues.map((i) => ({ path: `/${i.path.join('/')}`, reason: i.message })));
  return result.data;
}

/** Verifies a sealed document against published seal keys. */
export function verifyDocument(document: SealedDocument, keys: SealKeys): { valid: true; keyId: string; sealId: string } | { valid: false; reason: string } {
  const key = keys.keys.find((k) => k.keyId === document.signature.keyId);
  if (!key) return { valid: false, reason: `no published key ${document.signature.keyId}` };
  if (key.sealId !== document.content.seal.sealId) return { valid: false, reason: `key ${key.keyId} belongs to seal ${key.sealId}, not ${document.content.seal.sealId}` };
  const ok = verify(
    null,
    Buffer.from(canonicalJson(document.content), 'utf8'),
    createPublicKey({ key: key.jwk as JsonWebKey, format: 'jwk' }),
    Buffer.from(document.signature.value, 'base64url'),
  );
  return ok ? { valid: true, keyId: key.keyId, sealId: key.sealId } : { valid: false, reason: 'the signature does not match the content: the document was altered or sealed with another key' };
}

export async function sealVerify(ctx: CommandContext, target: string, keysSource?: string): Promise<CommandResult> {
  const input = await loadJson(target, ctx.config.baseDir);
  const answer = VerificationAnswer.safeParse(input);
  if (answer.success && !(typeof input === 'object' && input !== null && 'signature' in input)) {
    const a = answer.data;
    return {
      exitCode: a.valid ? 0 : 1,
      json: a,
      text: a.valid ? `valid seal (as verified by ${new URL(target).host}): ${a.documentId}` : `INVALID seal: ${a.documentId}: ${a.reason ?? 'no reason given'}`,
    };
  }
  const document = parse(SealedDocument, input, 'a sealed document ({ content, signature }) or a verification answer');
  const keysFrom = keysSource ?? (isUrl(target) ? new URL('/intake/seal-keys', target).toString() : undefined);
  if (!keysFrom) throw new ValidationError('a document from a file needs the seal keys: --keys <file|url of /intake/seal-keys>', [{ path: '--keys', reason: 'missing' }]);
  const keys = parse(SealKeys, await loadJson(keysFrom, ctx.config.baseDir), 'a seal key set ({ keys: [...] })');
  const result = verifyDocument(document, keys);
  const c = document.content;
  const json = { documentId: c.documentId, kind: c.kind, title: c.title, issuedAt: c.issuedAt, seal: c.seal, ...result };
  return result.valid
    ? { exitCode: 0, json, text: `valid seal: ${c.title} ${c.documentId}, issued ${c.issuedAt}\n  sealed with ${c.seal.name} (${c.seal.sealId}), key ${result.keyId}` }
    : { exitCode: 1, json, text: `INVALID seal: ${c.title} ${c.documentId}\n  ${result.reason}` };
}

export function registerSealCommands(program: Command, ctx: CommandContext): void {
  const seal = program.command('seal').description('electronic seals of acceptance-stage documents (R-ACC-3)');
  seal
    .command('verify')
    .description('verify the seal of a document (exit 1 when invalid)')
    .argument('<file|url>', 'a sealed document (JSON file or URL), or a /intake/documents/:id/verify URL')
    .option('--keys <file|url>', 'seal keys, as GET /intake/seal-keys returns them')
    .option('--json', 'machine-readable output')
    .action(async (target: string, options: { keys?: string; json?: boolean }) => {
      ctx.setExit(emit(ctx, await sealVerify(ctx, target, options.keys), options.json === true));
    });
}
