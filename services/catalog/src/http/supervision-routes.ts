/**
 * Cross-level consistency for supervisors (R-CAT-4): for every basic item
 * implemented more than once, whether its implementations agree, and for
 * one basic code, every differing basic element field by field.
 */
import { z } from 'zod';
import { allow } from '@govsvc/service-kit/auth';
import type { App } from '@govsvc/service-kit/app';
import type { PublishedGuidesReadModel } from '../app/published-guides-read-model.ts';
import { consistencyReport } from '../domain/consistency.ts';
import { sendConditional } from './etag.ts';

const readers = allow('supervisor', 'admin', 'operator');

const reportSchema = z.object({
  basicCode: z.string(),
  consistent: z.boolean(),
  implementations: z.array(
    z.object({ implementationCode: z.string(), version: z.number().int(), level: z.string().optional(), region: z.string().optional(), implementingBody: z.string().optional() }),
  ),
  divergences: z.array(
    z.object({
      field: z.string(),
      element: z.object({ zh: z.string(), en: z.string() }),
      values: z.array(z.object({ implementationCode: z.string(), value: z.unknown() })),
    }),
  ),
});

export async function supervisionRoutes(app: App, deps: { readonly guides: PublishedGuidesReadModel }): Promise<void> {
  app.get(
    '/consistency',
    {
      config: readers,
      schema: {
        summary: 'Every basic item implemented more than once, and whether its implementations agree (R-CAT-4)',
        tags: ['consistency'],
        response: {
          200: z.object({
            items: z.array(z.object({ basicCode: z.string(), itemName: z.string().optional(), implementations: z.number().int(), consistent: z.boolean(), divergentFields: z.number().int() })),
          }),
        },
      },
    },
    async (request, reply) => {
      const basicCodes = [...new Set(deps.guides.list().flatMap((g) => (g.basicCode ? [g.basicCode] : [])))].sort();
      const items = basicCodes.flatMap((basicCode) => {
        const implementations = deps.guides.implementationsOf(basicCode);
        if (implementations.length < 2) return [];
        const report = consistencyReport(basicCode, implementations);
        const itemName = implementations[0]?.content.itemName;
        return [{ basicCode, ...(itemName !== undefined && { itemName }), implementations: implementations.length, consistent: report.consistent, divergentFields: report.divergences.length }];
      });
      return sendConditional(request, reply, { items });
    },
  );

  app.get(
    '/consistency/:basicCode',
    {
      config: readers,
      schema: {
        summary: 'Every basic element that differs between the implementations of one basic item, by field (R-CAT-4)',
        tags: ['consistency'],
        params: z.strictObject({ basicCode: z.string().min(4).max(40) }),
        response: { 200: reportSchema },
      },
    },
    async (request, reply) => {
      const report = consistencyReport(request.params.basicCode, deps.guides.implementationsOf(request.params.basicCode));
      return sendConditional(request, reply, {
        ...report,
        implementations: [...report.implementations],
        divergences: report.divergences.map((d) => ({ ...d, values: [...d.values] })),
      });
    },
  );
}
