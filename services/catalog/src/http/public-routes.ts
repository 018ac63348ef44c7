/**
 * What every channel reads (R-CAT-13): the published guides, their history,
 * flow charts and the retained-proofs catalog. Guides are public
 * information, so these routes need no token. Web, mobile, kiosk and QR all
 * get the same published version from the same read model; the `channel`
 * parameter only labels a metric, so the operators can see who reads.
 */
import { Counter } from 'prom-client';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '@govsvc/errors/errors';
import { civilDate, endOfShanghaiDay } from '@govsvc/calendar/civil-date';
import { publicRoute } from '@govsvc/service-kit/auth';
import type { App } from '@govsvc/service-kit/app';
import { renderFlowChart } from '../domain/flow-chart.ts';
import type { PublishedGuidesReadModel, PublishedVersion } from '../app/published-guides-read-model.ts';
import type { RetainedProofsReadModel } from '../app/retained-proofs-read-model.ts';
import { contractGuideVersion } from '../app/contract-mapping.ts';
import { sendConditional } from './etag.ts';
import { codeParams, guideListSchema, listQuery, publishedGuideSchema, versionHistorySchema, versionQuery } from './schemas.ts';

export interface PublicRoutesDeps {
  readonly guides: PublishedGuidesReadModel;
  readonly proofs: RetainedProofsReadModel;
}

export const GUIDE_READS_METRIC = 'catalog_guide_reads_total';

/** `2025-06-01` → the end of that day in Beijing; an instant as given. */
export function instantOf(at: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/u.test(at)) return endOfShanghaiDay(civilDate(at, 'at'));
  const ms = Date.parse(at);
  if (Number.isNaN(ms) || !/(Z|[+-]\d{2}:\d{2})$/u.test(at)) {
    throw new ValidationError('at must be a date or an instant with its offset', [{ path: '/at', reason: `"${at}" is neither YYYY-MM-DD nor an ISO instant with offset` }]);
  }
  return new Date(ms);
}

export function versionView(v: PublishedVersion) {
  return {
    implementationCode: v.implementationCode,
    version: v.version,
    guideVersion: contractGuideVersion(v.version),
    status: v.status,
    publishedAt: v.publishedAt,
    ...(v.endedAt !== undefined && { endedAt: v.endedAt }),
    ...(v.supersededBy !== undefined && { supersededBy: v.supersededBy }),
    ...(v.withdrawalReason !== undefined && { withdrawalReason: v.withdrawalReason }),
    change: v.change,
  };
}

function resolve(guides: PublishedGuidesReadModel, code: string, query: { version?: number | undefined; at?: string | undefined }): PublishedVersion {
  if (query.version !== undefined && query.at !== undefined) {
    throw new ValidationError('ask for a version or for an instant, not both', [{ path: '/at', reason: 'version is given too' }]);
  }
  const found =
    query.version !== undefined
      ? guides.version(code, query.version)
      : query.at !== undefined
        ? guides.validAt(code, instantOf(query.at))
        : guides.inForce(code);
  if (found) return found;
  const history = guides.history(code);
  if (history.length === 0) throw new NotFoundError(`no published guide ${code}`);
  if (query.version !== undefined) throw new NotFoundError(`guide ${code} has no published version ${query.version}`);
  if (query.at !== undefined) throw new NotFoundError(`no version of guide ${code} was in force at ${query.at}`);
  throw new NotFoundError(`guide ${code} is withdrawn: no version is in force (its history is at /guides/${code}/versions)`);
}

export async function publicRoutes(app: App, deps: PublicRoutesDeps): Promise<void> {
  const reads = new Counter({
    name: GUIDE_READS_METRIC,
    help: 'Guide reads by channel (web, mobile, kiosk, qr, unspecified) and route; every channel reads the same version (R-CAT-13)',
    labelNames: ['channel', 'route'] as const,
    registers: [app.metrics],
  });
  const count = (route: string, channel: string | undefined) => reads.inc({ channel: channel ?? 'unspecified', route });

  app.get(
    '/guides',
    { config: publicRoute, schema: { summary: 'List and search published guides', tags: ['guides'], querystring: listQuery, response: { 200: guideListSchema } } },
    async (request, reply) => {
      const { limit, offset, channel, ...query } = request.query;
      count('list', channel);
      const all = deps.guides.list(query);
      return sendConditional(request, reply, { total: all.length, limit, offset, guides: all.slice(offset, offset + limit) });
    },
  );

  app.get(
    '/guides/:code',
    {
      config: publicRoute,
      schema: {
        summary: 'A published guide: the version in force, a given version, or the one in force at an instant',
        tags: ['guides'],
        params: codeParams,
        querystring: versionQuery,
        response: { 200: publishedGuideSchema },
      },
    },
    async (request, reply) => {
      count('get', request.query.channel);
      const v = resolve(deps.guides, request.params.code, request.query);
      return sendConditional(request, reply, { ...versionView(v), content: v.content });
    },
  );

  app.get(
    '/guides/:code/versions',
    { config: publicRoute, schema: { summary: 'Every published version and when it was in force (R-CAT-14)', tags: ['guides'], params: codeParams, response: { 200: versionHistorySchema } } },
    async (request, reply) => {
      const history = deps.guides.history(request.params.code);
      if (history.length === 0) throw new NotFoundError(`no published guide ${request.params.code}`);
      return sendConditional(request, reply, { implementationCode: history[0]?.implementationCode ?? request.params.code, versions: history.map(versionView) });
    },
  );

  app.get(
    '/guides/:code/flow-chart',
    {
      config: publicRoute,
      schema: {
        summary: 'The process of a published guide as a Mermaid flowchart (R-CAT-11)',
        tags: ['guides'],
        params: codeParams,
        querystring: versionQuery,
        response: { 200: z.object({ implementationCode: z.string(), version: z.number().int(), mermaid: z.string() }) },
      },
    },
    async (request, reply) => {
      count('flow-chart', request.query.channel);
      const v = resolve(deps.guides, request.params.code, request.query);
      return sendConditional(request, reply, { implementationCode: v.implementationCode, version: v.version, mermaid: renderFlowChart(v.content) });
    },
  );

  app.get(
    '/proofs',
    {
      config: publicRoute,
      schema: {
        summary: 'The retained-proofs catalog (R-CAT-7)',
        tags: ['proofs'],
        response: {
          200: z.object({
            proofs: z.array(
              z.object({
                code: z.string(),
                name: z.string(),
                status: z.enum(['retained', 'pending-filing', 'abolished']),
                issuer: z.string(),
                filingDue: z.string().optional(),
                filingDueProvisional: z.boolean().optional(),
                requiredOn: z.string().optional(),
                requiredBy: z.array(z.string()).optional(),
                filedOn: z.string().optional(),
                filedLate: z.boolean().optional(),
              }),
            ),
          }),
        },
      },
    },
    async (request, reply) =>
      sendConditional(request, reply, {
        proofs: deps.proofs.list().map(({ legalBasis: _basis, ...proof }) => ({ ...proof, requiredBy: proof.requiredBy ? [...proof.requiredBy] : undefined })),
      }),
  );
}
