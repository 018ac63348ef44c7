/**
 * `govsvc guide …`: service guides (办事指南) of the catalog service.
 *
 * - `guide lint <file>`: every lint finding with its rule id (R-CAT-…) and
 *   JSON-pointer path, offline, with the catalog's own rules, against the
 *   catalog's reference data (the retained-proofs catalog and the shared-data
 *   directory it ships, or `--reference-dir`). Exit 1 when any finding blocks
 *   publishing (warnings do not), or when the file is not a well-formed guide.
 * - `guide publish <file>`: publishes through the running catalog service
 *   (`POST /catalog/admin/guides/publish`, an `admin` token), which lints
 *   again against the live catalog (proofs filed since the reference data
 *   was written count there). Or, with `--database-url`, straight into the
 *   PostgreSQL event store, for operators with database access: same decider,
 *   same lints, no HTTP and no token; a running catalog relays the events.
 *
 * The file is YAML or JSON (by extension): the guide content itself, as in
 * services/catalog/fixtures/guides/. A new version of a published guide needs
 * `--reason`, and `--legal-change` when its legal basis changed (R-CAT-14).
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { UnavailableError } from '@govsvc/errors/errors';
import { FIXTURES_DIR, lintContextOf, loadReferenceData, readGuideFile } from '@govsvc/catalog/app/fixture-catalog';
import { publishGuideToStore } from '@govsvc/catalog/app/local-publish';
import type { GuideContent } from '@govsvc/catalog/domain/guide/content';
import type { Change } from '@govsvc/catalog/domain/guide/events';
import type { Finding } from '@govsvc/catalog/domain/lint/finding';
import { lintGuide } from '@govsvc/catalog/domain/lint/lint-guide';
import { emit, type CommandContext, type CommandResult } from '../context.ts';

export const DEFAULT_CATALOG_URL = 'http://127.0.0.1:3000';
const LEGAL_CHANGE_KINDS = ['enacted', 'amended', 'repealed'] as const;

function findingLine(f: Finding): string {
  return `  ${f.severity.padEnd(7)} ${f.rule.padEnd(9)} ${f.path}\n            ${f.message.zh}\n            ${f.message.en}`;
}

/** Lints a parsed guide; the result says which findings block publishing. */
export function lintResult(file: string, content: GuideContent, findings: readonly Finding[]): CommandResult {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const head =
    findings.length === 0
      ? `${file}: no findings, ready to publish (${content.itemName ?? content.implementationCode})`
      : `${file}: ${findings.length} finding${findings.length === 1 ? '' : 's'}, ${errors} blocking publishing`;
  return {
    exitCode: errors > 0 ? 1 : 0,
    json: { file, implementationCode: content.implementationCode, blocking: errors > 0, findings },
    text: [head, ...findings.map(findingLine)].join('\n'),
  };
}

export async function guideLint(ctx: CommandContext, file: string, referenceDir: string | undefined): Promise<CommandResult> {
  const content = await readGuideFile(resolve(ctx.config.baseDir, file), file);
  const reference = await loadReferenceData(referenceDir ? resolve(ctx.config.baseDir, referenceDir) : FIXTURES_DIR);
  return lintResult(file, content, lintGuide(content, lintContextOf(reference)));
}

export interface PublishOptions {
  readonly url: string;
  readonly token?: string;
  readonly databaseUrl?: string;
  readonly change?: Change;
  readonly referenceDir?: string;
}

interface Problem {
  readonly status: number;
  readonly title?: string;
  readonly detail?: string;
  readonly rule?: string;
  readonly errors?: readonly { path: string; reason: string; rule?: string }[];
}

function publishedResult(file: string, r: { implementationCode: string; version: number; published: boolean; supersedes: number | null }): CommandResult {
  const text = r.published
    ? `${file}: published ${r.implementationCode} version ${r.version}${r.supersedes === null ? '' : ` (supersedes version ${r.supersedes})`}`
    : `${file}: unchanged, ${r.implementationCode} version ${r.version} is already in force`;
  return { exitCode: 0, json: r, text };
}

function refusedResult(file: string, problem: Problem): CommandResult {
  const lines = [`${file}: refused (${problem.status} ${problem.title ?? ''}): ${problem.detail ?? ''}${problem.rule ? ` [${problem.rule}]` : ''}`];
  for (const e of problem.errors ?? []) lines.push(`  ${e.rule ? `${e.rule.padEnd(9)} ` : ''}${e.path}: ${e.reason}`);
  return { exitCode: 1, json: { published: false, problem }, text: lines.join('\n') };
}

async function publishOverHttp(file: string, content: GuideContent, options: PublishOptions & { token: string }): Promise<CommandResult> {
  const url = `${options.url.replace(/\/+$/u, '')}/catalog/admin/guides/publish`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ content, ...(options.change && { change: options.change }) }),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new UnavailableError(`the catalog service at ${options.url} is unreachable: ${cause}`);
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.ok) return publishedResult(file, body as unknown as Parameters<typeof publishedResult>[1]);
  return refusedResult(file, { ...(body as Partial<Problem>), status: response.status });
}

export async function guidePublish(ctx: CommandContext, file: string, options: PublishOptions): Promise<CommandResult> {
  // Parsed here first: a malformed file is reported with its paths without contacting anyone.
  const content = await readGuideFile(resolve(ctx.config.baseDir, file), file);
  if (options.databaseUrl) {
    const result = await publishGuideToStore({
      databaseUrl: options.databaseUrl,
      content,
      ...(options.change && { change: options.change }),
      actor: ctx.config.actor,
      correlationId: `govsvc-cli-${randomUUID()}`,
      ...(options.referenceDir && { fixturesDir: resolve(ctx.config.baseDir, options.referenceDir) }),
    });
    return publishedResult(file, result);
  }
  if (!options.token) throw new Error('a token is required to publish over HTTP');
  return publishOverHttp(file, content, { ...options, token: options.token });
}

interface PublishFlags {
  url: string;
  token?: string;
  databaseUrl?: string;
  reason?: string;
  legalChange?: string;
  legalChangeKind?: (typeof LEGAL_CHANGE_KINDS)[number];
  effectiveOn?: string;
  referenceDir?: string;
  json?: boolean;
}

export function registerGuideCommands(program: Command, ctx: CommandContext): void {
  const guide = program.command('guide').description('service guides (办事指南): lint and publish (R-CAT-3 … R-CAT-14)');

  guide
    .command('lint')
    .description('every finding with its rule id and path; exit 1 when any blocks publishing')
    .argument('<file>', 'a guide as YAML or JSON (the guide content, as in services/catalog/fixtures/guides/)')
    .option('--reference-dir <dir>', 'folder with retained-proofs.yaml and shared-data-directory.yaml (default: the catalog’s own)')
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: { referenceDir?: string; json?: boolean }) => {
      ctx.setExit(emit(ctx, await guideLint(ctx, file, options.referenceDir), options.json === true));
    });

  guide
    .command('publish')
    .description('publish a guide through the catalog service (or straight into its PostgreSQL store); exit 1 when refused')
    .argument('<file>', 'a guide as YAML or JSON')
    .addOption(new Option('--url <url>', 'the catalog service (or standalone) base URL').env('GOVSVC_CATALOG_URL').default(DEFAULT_CATALOG_URL))
    .addOption(new Option('--token <token>', 'a bearer token with the admin role').env('GOVSVC_TOKEN'))
    .addOption(new Option('--database-url <url>', 'publish straight into this PostgreSQL event store instead of over HTTP').env('GOVSVC_DATABASE_URL'))
    .option('--reason <text>', 'why this version exists (required for every version after the first)')
    .option('--legal-change <instrument>', 'the law enacted, amended or repealed behind the change (R-CAT-14)')
    .addOption(new Option('--legal-change-kind <kind>', 'what happened to it').choices(LEGAL_CHANGE_KINDS).default('amended'))
    .option('--effective-on <date>', 'when the legal change takes effect (YYYY-MM-DD)')
    .option('--reference-dir <dir>', 'with --database-url: folder with the shared-data directory (default: the catalog’s own)')
    .option('--json', 'machine-readable output')
    .action(async (file: string, flags: PublishFlags, command: Command) => {
      if (!flags.token && !flags.databaseUrl) command.error('error: give --token (or GOVSVC_TOKEN) to publish over HTTP, or --database-url', { exitCode: 2 });
      if (flags.legalChange && !flags.reason) command.error('error: --legal-change needs --reason', { exitCode: 2 });
      if (flags.effectiveOn && !/^\d{4}-\d{2}-\d{2}$/u.test(flags.effectiveOn)) command.error('error: --effective-on must be YYYY-MM-DD', { exitCode: 2 });
      const change: Change | undefined = flags.reason
        ? {
            reason: flags.reason,
            ...(flags.legalChange && {
              legalChange: {
                instrument: flags.legalChange,
                kind: flags.legalChangeKind ?? 'amended',
                ...(flags.effectiveOn && { effectiveOn: flags.effectiveOn }),
              },
            }),
          }
        : undefined;
      const result = await guidePublish(ctx, file, {
        url: flags.url,
        ...(flags.token && { token: flags.token }),
        ...(flags.databaseUrl && { databaseUrl: flags.databaseUrl }),
        ...(change && { change }),
        ...(flags.referenceDir && { referenceDir: flags.referenceDir }),
      });
      ctx.setExit(emit(ctx, result, flags.json === true));
    });
}
