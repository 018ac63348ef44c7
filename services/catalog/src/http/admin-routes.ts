/**
 * Writing the catalog: `admin` only. A body that breaks the guide schema is
 * refused by route validation with every field at once; a guide that fails
 * a lint is refused by the decider with every finding (rule and path); in
 * both cases nothing is stored. Each write waits until the read models have
 * seen it, so the caller's next read reflects it.
 */
import { z } from 'zod';
import { allow, principalOf } from '@govsvc/service-kit/auth';
import type { App } from '@govsvc/service-kit/app';
import type { FastifyRequest } from 'fastify';
import type { CatalogCommands, CommandContext } from '../app/catalog-commands.ts';
import { legalReferenceSchema } from '../domain/guide/content.ts';
import { legalChangeSchema } from '../domain/guide/events.ts';
import { proofCodeSchema } from '../domain/proofs/events.ts';
import { codeParams, findingSchema, guideDocumentBody, lintBody, reviseBody, versionParams } from './schemas.ts';

export interface AdminRoutesDeps {
  readonly commands: CatalogCommands;
  /** Resolves once the read models have applied everything appended so far. */
  readonly caughtUp: () => Promise<void>;
}

const admin = allow('admin');

export function commandContextOf(request: FastifyRequest): CommandContext {
  const principal = principalOf(request);
  return {
    actor: { id: principal.subject, role: 'admin', ...(principal.department !== undefined && { department: principal.department }) },
    correlationId: request.correlationId,
  };
}

const versionRef = z.object({ implementationCode: z.string(), version: z.number().int() });
const proofInput = {
  code: proofCodeSchema,
  name: z.string().min(1).max(200),
  issuer: z.string().min(1).max(200),
  legalBasis: z.array(legalReferenceSchema).min(1),
};
const civilDate = z.iso.date();

export async function adminRoutes(app: App, deps: AdminRoutesDeps): Promise<void> {
  const { commands } = deps;

  app.post(
    '/guides',
    {
      config: admin,
      schema: { summary: 'Draft a guide version (the first, or the next with its reason: R-CAT-14)', tags: ['admin'], body: guideDocumentBody, response: { 201: versionRef } },
    },
    async (request, reply) => {
      const ref = await commands.draftGuide(request.body.content, request.body.change, commandContextOf(request));
      return reply.code(201).send(ref);
    },
  );

  app.post(
    '/guides/publish',
    {
      config: admin,
      schema: {
        summary: 'Draft and publish a guide document in one step (what `govsvc guide publish` calls); unchanged documents change nothing',
        tags: ['admin'],
        body: guideDocumentBody,
        response: { 200: versionRef.extend({ published: z.boolean(), supersedes: z.number().int().nullable() }) },
      },
    },
    async (request) => {
      const result = await commands.publishGuideDocument(request.body.content, request.body.change, commandContextOf(request));
      await deps.caughtUp();
      return result;
    },
  );

  app.post(
    '/guides/lint',
    {
      config: admin,
      schema: {
        summary: 'Every lint finding of a guide against the catalog as it is now; stores nothing',
        tags: ['admin'],
        body: lintBody,
        response: { 200: z.object({ blocking: z.boolean(), findings: z.array(findingSchema) }) },
      },
    },
    async (request) => {
      const findings = await commands.lint(request.body.content);
      return { blocking: findings.some((f) => f.severity === 'error'), findings };
    },
  );

  app.get(
    '/guides/:code',
    {
      config: admin,
      schema: {
        summary: 'A guide with its drafts: every version, and the findings that block the open draft',
        tags: ['admin'],
        params: codeParams,
        response: {
          200: z.object({
            implementationCode: z.string(),
            openDraft: z.number().int().nullable(),
            inForce: z.number().int().nullable(),
            versions: z.array(z.object({ version: z.number().int(), status: z.string(), draftedAt: z.string(), publishedAt: z.string().optional() })),
            draftFindings: z.array(findingSchema),
          }),
        },
      },
    },
    async (request) => {
      const state = await commands.guideState(request.params.code);
      const draft = state.openDraft === null ? undefined : state.versions[state.openDraft - 1];
      return {
        implementationCode: state.implementationCode ?? request.params.code,
        openDraft: state.openDraft,
        inForce: state.inForce,
        versions: state.versions.map((v) => ({
          version: v.version,
          status: v.status,
          draftedAt: v.draftedAt,
          ...(v.publishedAt !== undefined && { publishedAt: v.publishedAt }),
        })),
        draftFindings: draft ? await commands.lint(draft.content) : [],
      };
    },
  );

  app.put(
    '/guides/:code/drafts/:version',
    { config: admin, schema: { summary: 'Revise the open draft (published versions are immutable: R-CAT-14)', tags: ['admin'], params: versionParams, body: reviseBody, response: { 200: versionRef } } },
    async (request) =>
      commands.reviseGuide(request.params.code, request.params.version, request.body.content, request.body.note, commandContextOf(request)),
  );

  app.post(
    '/guides/:code/versions/:version/publish',
    {
      config: admin,
      schema: {
        summary: 'Publish a draft; the version in force is superseded at once (R-CAT-13, R-CAT-14)',
        tags: ['admin'],
        params: versionParams,
        response: { 200: versionRef.extend({ supersedes: z.number().int().nullable() }) },
      },
    },
    async (request) => {
      const result = await commands.publishGuide(request.params.code, request.params.version, commandContextOf(request));
      await deps.caughtUp();
      return result;
    },
  );

  app.post(
    '/guides/:code/withdrawal',
    {
      config: admin,
      schema: {
        summary: 'Withdraw the guide in force: the item leaves the catalog (R-CAT-1)',
        tags: ['admin'],
        params: codeParams,
        body: z.strictObject({ reason: z.string().min(1).max(500), legalChange: legalChangeSchema.optional() }),
        response: { 200: versionRef },
      },
    },
    async (request) => {
      const result = await commands.withdrawGuide(request.params.code, request.body.reason, request.body.legalChange, commandContextOf(request));
      await deps.caughtUp();
      return result;
    },
  );

  app.post(
    '/proofs',
    {
      config: admin,
      schema: { summary: 'Enter a proof the city already retains (R-CAT-7)', tags: ['admin'], body: z.strictObject(proofInput), response: { 201: z.object({ code: z.string(), catalogued: z.boolean() }) } },
    },
    async (request, reply) => {
      const events = await commands.catalogueRetainedProof(request.body, commandContextOf(request));
      return reply.code(201).send({ code: request.body.code, catalogued: events.length > 0 });
    },
  );

  app.post(
    '/proofs/required',
    {
      config: admin,
      schema: {
        summary: 'A change of law requires a new proof: it must be filed within 15 working days (R-CAT-7)',
        tags: ['admin'],
        body: z.strictObject({
          ...proofInput,
          department: z.string().min(1).max(100),
          requiredBy: z.array(z.string().min(6).max(120)).min(1),
          legalChange: legalChangeSchema,
          requiredOn: civilDate,
        }),
        response: { 201: z.object({ code: z.string(), filingDue: z.string(), provisional: z.boolean() }) },
      },
    },
    async (request, reply) => {
      const [event] = await commands.requireNewProof(request.body, commandContextOf(request));
      if (event?.type !== 'NewProofRequired') throw new Error('requiring a new proof produced no NewProofRequired event');
      return reply.code(201).send({ code: event.data.code, filingDue: event.data.filingDue.due, provisional: event.data.filingDue.provisional });
    },
  );

  app.post(
    '/proofs/:code/filing',
    {
      config: admin,
      schema: {
        summary: 'File a new proof and publish, at the same time, the drafts of the guides that demand it (R-CAT-7)',
        tags: ['admin'],
        params: z.strictObject({ code: proofCodeSchema }),
        body: z.strictObject({ filedOn: civilDate, filingReference: z.string().min(1).max(100), updatedGuides: z.array(z.string().min(6).max(120)).min(1) }),
        response: { 200: z.object({ code: z.string(), late: z.boolean(), published: z.array(versionRef) }) },
      },
    },
    async (request) => {
      const result = await commands.fileProof(request.params.code, request.body, commandContextOf(request));
      await deps.caughtUp();
      const filed = result.events[0];
      return { code: request.params.code, late: filed?.type === 'ProofFiled' ? filed.data.late : false, published: [...result.published] };
    },
  );

  app.post(
    '/proofs/:code/abolition',
    {
      config: admin,
      schema: {
        summary: 'Abolish a retained proof; guides demanding it no longer publish (R-CAT-7)',
        tags: ['admin'],
        params: z.strictObject({ code: proofCodeSchema }),
        body: z.strictObject({ reason: z.string().min(1).max(500), legalChange: legalChangeSchema.optional() }),
        response: { 200: z.object({ code: z.string(), abolished: z.boolean() }) },
      },
    },
    async (request) => {
      const events = await commands.abolishProof(request.params.code, request.body.reason, request.body.legalChange, commandContextOf(request));
      await deps.caughtUp();
      return { code: request.params.code, abolished: events.length > 0 };
    },
  );
}
