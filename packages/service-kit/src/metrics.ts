/**
 * Prometheus metrics at `/metrics`: one registry per app (so two apps in one
 * process, as in the standalone composition or in tests, never collide),
 * the default process metrics, and an HTTP request duration histogram by
 * route template, method and status. Routes are labelled by their template
 * (`/cases/:id`), never the raw URL, and unmatched URLs share one label, so
 * scanners cannot blow up the label cardinality.
 */
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The metric types services register on `app.metrics`, so a service needs no prom-client dependency of its own. */
export { Counter, Gauge } from 'prom-client';

export const HTTP_DURATION_METRIC = 'http_request_duration_seconds';
const UNMATCHED_ROUTE = '(unmatched)';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's metrics registry: services register their own metrics here. */
    readonly metrics: Registry;
  }
}

export interface MetricsPluginOptions {
  readonly serviceName: string;
  /** Process metrics (CPU, memory, event loop lag, GC); on by default. */
  readonly defaultMetrics?: boolean;
  /** Histogram buckets in seconds. */
  readonly buckets?: readonly number[];
}

const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const metricsPlugin = fp<MetricsPluginOptions>(
  async (app, options) => {
    const registry = new Registry();
    registry.setDefaultLabels({ service: options.serviceName });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
    const duration = new Histogram({
      name: HTTP_DURATION_METRIC,
      help: 'HTTP request duration in seconds, by route template, method and status code',
      labelNames: ['route', 'method', 'status_code'] as const,
      buckets: [...(options.buckets ?? DEFAULT_BUCKETS)],
      registers: [registry],
    });
    app.decorate('metrics', registry);

    // Callback style: an async hook costs every request a promise and a turn of the microtask queue.
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE);
      duration.observe({ route, method: request.method, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
      done();
    });

    app.get('/metrics', { config: { public: true, rateLimit: false }, schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) => {
      const body = await registry.metrics();
      return reply.type(registry.contentType).send(body);
    });
  },
  { name: 'govsvc-metrics', fastify: '5.x' },
);
