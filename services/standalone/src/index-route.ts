/**
 * `GET /`: the map of the running system, the same as the banner prints, for
 * whoever opens the bare URL in a browser or with curl.
 */
import { z } from 'zod';
import type { App } from '@govsvc/service-kit/app';
import { publicRoute } from '@govsvc/service-kit/auth';

const reply = z.object({
  name: z.string(),
  docs: z.string(),
  health: z.string(),
  services: z.array(z.object({ name: z.string(), url: z.string(), links: z.array(z.object({ label: z.string(), url: z.string() })) })),
});

export function indexRoute(baseUrl: () => string, services: readonly { name: string; links: readonly { label: string; path: string }[] }[]) {
  return async (app: App) => {
    app.get('/', { config: publicRoute, schema: { tags: ['standalone'], summary: 'Where every service, the console and the docs are', response: { 200: reply } } }, async () => {
      const base = baseUrl();
      return {
        name: 'govsvc standalone',
        docs: `${base}/docs/json`,
        health: `${base}/health/ready`,
        services: services.map((s) => ({ name: s.name, url: `${base}/${s.name}`, links: s.links.map((l) => ({ label: l.label, url: `${base}${l.path}` })) })),
      };
    });
  };
}
