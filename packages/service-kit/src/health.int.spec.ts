import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveComponent } from '@govsvc/testkit/infra';
import { buildApp, type App } from './app.ts';
import { createTestAuth, testAppDeps } from './testing.ts';

/**
 * A loopback TCP proxy in front of the real Redis: stopping it makes Redis
 * unreachable to the app exactly as a network partition or a Redis restart
 * would, without touching the shared Redis server.
 */
class TcpProxy {
  readonly #sockets = new Set<net.Socket>();
  #server: net.Server | undefined;
  port = 0;

  constructor(
    readonly targetHost: string,
    readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect({ host: this.targetHost, port: this.targetPort });
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: this.port }, () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!accept(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await probe();
  }
  return last;
}

describe('readiness against a real dependency', () => {
  let proxy: TcpProxy;
  let redis: Redis;
  let app: App;

  beforeAll(async () => {
    const url = new URL(await resolveComponent('redis'));
    proxy = new TcpProxy(url.hostname, Number(url.port) || 6379);
    await proxy.start();
    // Commands fail at once while disconnected (no offline queue), and the
    // client retries the connection every 100 ms, as a service's client would.
    redis = new Redis({ host: '127.0.0.1', port: proxy.port, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
    redis.on('error', () => {});
    const auth = await createTestAuth('intake');
    app = await buildApp(testAppDeps(auth, 'intake'), { serviceName: 'intake', version: '1.0.0', defaultMetrics: false, readinessTimeoutMs: 300 });
    app.readiness.register({ name: 'redis', check: async () => void (await redis.ping()) });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    redis.disconnect();
    await proxy.stop();
  });

  const ready = () => app.inject({ method: 'GET', url: '/health/ready' });

  it('is ready while Redis answers, not ready while it is unreachable, and ready again when it returns', async () => {
    const up = await eventually(ready, (r) => r.statusCode === 200);
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({ status: 'ready', checks: [{ name: 'redis', status: 'up' }] });

    await proxy.stop();
    const down = await eventually(ready, (r) => r.statusCode === 503);
    expect(down.statusCode).toBe(503);
    expect(down.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(down.headers['retry-after']).toBe('5');
    expect(down.json()).toMatchObject({ status: 503, failed: ['redis'], checks: [{ name: 'redis', status: 'down', failure: 'error' }] });
    expect(down.body).not.toContain('127.0.0.1');
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);

    await proxy.start();
    const back = await eventually(ready, (r) => r.statusCode === 200);
    expect(back.statusCode).toBe(200);
  });

  it('counts a dependency that accepts connections but never answers as down, within the timeout', async () => {
    const accepted = new Set<net.Socket>();
    const silent = net.createServer((socket) => void accepted.add(socket));
    await new Promise<void>((resolve) => silent.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
    const hung = new Redis({ host: '127.0.0.1', port: (silent.address() as net.AddressInfo).port, enableReadyCheck: false, maxRetriesPerRequest: 0 });
    hung.on('error', () => {});
    const auth = await createTestAuth('intake');
    const other = await buildApp(testAppDeps(auth, 'intake'), { serviceName: 'intake', version: '1.0.0', defaultMetrics: false, readinessTimeoutMs: 200 });
    other.readiness.register({ name: 'redis', check: async () => void (await redis.ping()) });
    other.readiness.register({ name: 'cache', check: async () => void (await hung.ping()) });
    await other.ready();
    try {
      const started = performance.now();
      const res = await other.inject({ method: 'GET', url: '/health/ready' });
      expect(performance.now() - started).toBeLessThan(1_500);
      expect(res.statusCode).toBe(503);
      expect(res.json().failed).toEqual(['cache']);
      expect(res.json().checks).toEqual([
        expect.objectContaining({ name: 'redis', status: 'up' }),
        expect.objectContaining({ name: 'cache', status: 'down', failure: 'timeout' }),
      ]);
    } finally {
      await other.close();
      hung.disconnect();
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('reports not ready once shutdown has begun, even with healthy dependencies', async () => {
    const auth = await createTestAuth('intake');
    const other = await buildApp(testAppDeps(auth, 'intake'), { serviceName: 'intake', version: '1.0.0', defaultMetrics: false });
    other.readiness.register({ name: 'redis', check: async () => void (await redis.ping()) });
    await other.ready();
    expect((await other.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    other.readiness.markShuttingDown();
    const res = await other.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ shuttingDown: true, failed: [] });
    await other.close();
  });
});
