/**
 * Policy publication (R-PUB-1, Art. 36): admins record a policy when it is
 * made and its publication when it is out; supervisors see what is awaiting,
 * overdue (past the 15 working days) or was published late; the public sees
 * the published ones and where. Bodies are strict; nothing is stored on a 4xx.
 */
import { z } from 'zod';
import { allow, publicRoute } from '@govsvc/service-kit/auth';
import type { App } from '@govsvc/service-kit/app';
import type { PolicyRegister } from '../app/policy-register.ts';
import { INTERPRETATIONS, PUBLICATION_CHANNELS } from '../domain/policy/policy.ts';
import { commandContextOf } from './admin-routes.ts';

const PolicyId = z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/);
const Day = z.iso.date();
const RecordBody = z.strictObject({ policyId: PolicyId, title: z.string().trim().min(1).max(300), issuer: z.string().trim().min(1).max(200), madeOn: Day });
const PublishBody = z.strictObject({
  publishedOn: Day,
  channels: z.array(z.enum(PUBLICATION_CHANNELS)).min(1).max(PUBLICATION_CHANNELS.length),
  url: z.url().max(2000).nullable().default(null),
  interpretations: z.array(z.enum(INTERPRETATIONS)).max(INTERPRETATIONS.length).default([]),
});
const Params = z.strictObject({ policyId: PolicyId });
const ListQuery = z.strictObject({ status: z.enum(['awaiting', 'overdue', 'published', 'published-late']).optional() });

export async function policyRoutes(app: App, deps: { readonly policies: PolicyRegister }): Promise<void> {
  const { policies } = deps;

  app.post('/admin/policies', { config: allow('admin'), schema: { summary: 'Record a policy measure when it is made: its publication falls due 15 working days later (R-PUB-1)', tags: ['policies'], body: RecordBody } }, async (request, reply) =>
    reply.code(201).send(await policies.record(request.body, commandContextOf(request))),
  );

  app.post(
    '/admin/policies/:policyId/publication',
    { config: allow('admin'), schema: { summary: 'Record where and when a policy was made public, and how it is interpreted (R-PUB-1)', tags: ['policies'], params: Params, body: PublishBody } },
    async (request) => policies.publish(request.params.policyId, request.body, commandContextOf(request)),
  );

  app.get('/policies', { config: allow('supervisor', 'operator', 'admin'), schema: { summary: 'Policies and their publication: awaiting, overdue, published, published late (R-PUB-1)', tags: ['policies'], querystring: ListQuery } }, async (request) => {
    const all = await policies.list();
    return { policies: request.query.status ? all.filter((p) => p.status === request.query.status) : all };
  });

  app.get('/policies/:policyId', { config: allow('supervisor', 'operator', 'admin'), schema: { tags: ['policies'], params: Params } }, async (request) => policies.get(request.params.policyId));

  app.get('/public/policies', { config: publicRoute, schema: { summary: 'Published policies and where to read them (R-PUB-1)', tags: ['policies'] } }, async () => ({
    policies: (await policies.list()).flatMap((p) =>
      p.publication ? [{ policyId: p.policyId, title: p.title, issuer: p.issuer, madeOn: p.madeOn, publishedOn: p.publication.publishedOn, channels: p.publication.channels, url: p.publication.url, interpretations: p.publication.interpretations }] : [],
    ),
  }));
}
