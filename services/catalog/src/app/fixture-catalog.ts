/**
 * The fixture catalog: realistic Beijing items (services/catalog/fixtures/)
 * that a standalone or demo process publishes at start, and the reference
 * data the lints consult (retained proofs, the shared-data directory).
 *
 *   fixtures/guides/*.yaml              guides published at start
 *   fixtures/divergent/*.yaml           guides used only by the consistency test
 *   fixtures/retained-proofs.yaml       the retained-proofs catalog (R-CAT-7)
 *   fixtures/shared-data-directory.yaml records obtainable by data sharing (R-CAT-10)
 *
 * Files are parsed at this boundary: every problem of every file is reported
 * at once, each path prefixed with its file (`guides/x.yaml#/materials/0/name`).
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { NotFoundError, ValidationError, type FieldIssue } from '@govsvc/errors/errors';
import { legalReferenceSchema, type GuideContent } from '../domain/guide/content.ts';
import { parseGuideContent, zodIssues } from '../domain/guide/parse.ts';
import type { LintContext, SharedRecord } from '../domain/lint/context.ts';
import { proofCodeSchema } from '../domain/proofs/events.ts';
import type { CatalogCommands, CommandContext, ProofInput } from './catalog-commands.ts';

export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url));

const retainedProofsSchema = z.array(
  z.strictObject({
    code: proofCodeSchema,
    name: z.string().min(1),
    issuer: z.string().min(1),
    legalBasis: z.array(legalReferenceSchema).min(1),
  }),
);

const sharedRecordsSchema = z.array(
  z.strictObject({
    id: z.string().regex(/^[a-z0-9-]+$/),
    name: z.string().min(1),
    aliases: z.array(z.string()).default([]),
    via: z.string().min(1),
  }),
);

export interface GuideFile {
  /** Path relative to the fixtures directory, e.g. `guides/food-business-licence.yaml`. */
  readonly file: string;
  readonly content: GuideContent;
}

export interface FixtureCatalog {
  readonly guides: readonly GuideFile[];
  readonly retainedProofs: readonly ProofInput[];
  readonly sharedRecords: readonly SharedRecord[];
}

/** Parses a YAML or JSON document (by extension; YAML otherwise, which also reads JSON). */
export async function readDocument(path: string, label = path): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`cannot read ${label}`, [{ path: `${label}#`, reason: (error as Error).message }]);
  }
  try {
    return extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    throw new ValidationError(`${label} is not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}`, [
      { path: `${label}#`, reason: (error as Error).message.split('\n')[0] ?? 'syntax error' },
    ]);
  }
}

/** A guide file, parsed; a ValidationError lists every schema issue with `file#pointer` paths. */
export async function readGuideFile(path: string, label = basename(path)): Promise<GuideContent> {
  return parseGuideContent(await readDocument(path, label), `${label}#`);
}

async function guidesIn(dir: string, root: string, issues: FieldIssue[]): Promise<GuideFile[]> {
  const names = (await readdir(dir)).filter((n) => /\.(ya?ml|json)$/u.test(n)).sort();
  const files: GuideFile[] = [];
  for (const name of names) {
    const file = relative(root, join(dir, name));
    try {
      files.push({ file, content: await readGuideFile(join(dir, name), file) });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
    }
  }
  return files;
}

async function parsed<T>(path: string, label: string, schema: z.ZodType<T>, issues: FieldIssue[]): Promise<T | undefined> {
  try {
    const result = schema.safeParse(await readDocument(path, label));
    if (result.success) return result.data;
    issues.push(...zodIssues(result.error, `${label}#`));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    issues.push(...error.issues);
  }
  return undefined;
}

/** The shared-data directory alone (what the lints need even without the guides). */
export async function loadSharedRecords(dir = FIXTURES_DIR): Promise<SharedRecord[]> {
  const issues: FieldIssue[] = [];
  const records = await parsed(join(dir, 'shared-data-directory.yaml'), 'shared-data-directory.yaml', sharedRecordsSchema, issues);
  if (!records) throw new ValidationError('the shared-data directory is invalid', issues);
  return records;
}

export interface ReferenceData {
  readonly retainedProofs: readonly ProofInput[];
  readonly sharedRecords: readonly SharedRecord[];
}

/** The retained-proofs catalog and the shared-data directory alone: what linting a guide needs. */
export async function loadReferenceData(dir = FIXTURES_DIR): Promise<ReferenceData> {
  const issues: FieldIssue[] = [];
  const retainedProofs = await parsed(join(dir, 'retained-proofs.yaml'), 'retained-proofs.yaml', retainedProofsSchema, issues);
  const sharedRecords = await parsed(join(dir, 'shared-data-directory.yaml'), 'shared-data-directory.yaml', sharedRecordsSchema, issues);
  if (!retainedProofs || !sharedRecords) throw new ValidationError('the catalog reference data is invalid', issues);
  return { retainedProofs, sharedRecords };
}

/** The lint context the reference data describes: every listed proof retained. */
export function lintContextOf(data: ReferenceData): LintContext {
  return {
    retainedProofs: new Map(data.retainedProofs.map((p) => [p.code, { code: p.code, name: p.name, status: 'retained' as const }])),
    sharedRecords: data.sharedRecords,
  };
}

/** Reads the published fixture set (not the divergent one) and the reference data, or reports every problem at once. */
export async function loadFixtureCatalog(dir = FIXTURES_DIR): Promise<FixtureCatalog> {
  const issues: FieldIssue[] = [];
  const guides = await guidesIn(join(dir, 'guides'), dir, issues);
  const retainedProofs = await parsed(join(dir, 'retained-proofs.yaml'), 'retained-proofs.yaml', retainedProofsSchema, issues);
  const sharedRecords = await parsed(join(dir, 'shared-data-directory.yaml'), 'shared-data-directory.yaml', sharedRecordsSchema, issues);
  const codes = new Map<string, string>();
  for (const g of guides) {
    const other = codes.get(g.content.implementationCode);
    if (other) issues.push({ path: `${g.file}#/implementationCode`, reason: `same implementation code as ${other}` });
    codes.set(g.content.implementationCode, g.file);
  }
  if (issues.length > 0 || !retainedProofs || !sharedRecords) {
    throw new ValidationError(`the fixture catalog is invalid (${issues.length} issue${issues.length === 1 ? '' : 's'})`, issues);
  }
  return { guides, retainedProofs, sharedRecords };
}

/** Guides kept out of the published set: the deliberate divergence the consistency test reports. */
export async function loadDivergentFixtures(dir = FIXTURES_DIR): Promise<GuideFile[]> {
  const issues: FieldIssue[] = [];
  const guides = await guidesIn(join(dir, 'divergent'), dir, issues);
  if (issues.length > 0) throw new ValidationError('a divergent fixture is invalid', issues);
  return guides;
}

export interface FixturePublication {
  readonly proofsCatalogued: number;
  readonly published: readonly { readonly file: string; readonly implementationCode: string; readonly version: number }[];
  readonly unchanged: readonly string[];
}

/**
 * Publishes the fixture catalog: retained proofs first (the guides' lints
 * consult them), then every guide. Safe to repeat at every start: unchanged
 * proofs and guides produce no events; a guide file that changed since it
 * was published becomes its next version.
 */
export async function publishFixtureCatalog(commands: CatalogCommands, catalog: FixtureCatalog, ctx: CommandContext): Promise<FixturePublication> {
  let proofsCatalogued = 0;
  for (const proof of catalog.retainedProofs) {
    proofsCatalogued += (await commands.catalogueRetainedProof(proof, ctx)).length;
  }
  const published: { file: string; implementationCode: string; version: number }[] = [];
  const unchanged: string[] = [];
  for (const { file, content } of catalog.guides) {
    // A first version needs no reason; a later one records that the fixture file changed.
    const exists = await commands.guideState(content.implementationCode).then(
      () => true,
      (error: unknown) => {
        if (error instanceof NotFoundError) return false;
        throw error;
      },
    );
    const change = exists ? { reason: `示例目录文件已更新（${file}） fixture file changed` } : undefined;
    const result = await commands.publishGuideDocument(content, change, ctx);
    if (result.published) published.push({ file, implementationCode: result.implementationCode, version: result.version });
    else unchanged.push(file);
  }
  return { proofsCatalogued, published, unchanged };
}
