import { EventEmitter } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { buildApp, type App } from './app.ts';
import { publicRoute } from './auth.ts';
import { listen } from './listen.ts';
import { GracefulShutdown } from './shutdown.ts';
import { createTestAuth, testAppDeps } from './testing.ts';

interface Reply {
  status: number;
  body: string;
}

function request(url: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // agent: false: a connection of its own, closed after the reply.
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function appWithSlowRoute(handlerMs: number, arrived: () => void, answered: (at: number) => void = () => undefined): Promise<App> {
  const auth = await createTestAuth('delivery');
  const app = await buildApp(testAppDeps(auth, 'delivery'), { serviceName: 'delivery', version: '1.0.0', defaultMetrics: false });
  app.get('/slow', { config: publicRoute }, async (_request, reply) => {
    arrived();
    // The server's own view of "answered": the client in this process may see the end later, when its loop gets to it.
    reply.raw.once('finish', () => answered(performance.now()));
    await new Promise((resolve) => setTimeout(resolve, handlerMs));
    return { delivered: true };
  });
  return app;
}

describe('graceful shutdown', () => {
  it('drains an in-flight request, refuses new connections, then runs the closers in order', async () => {
    let arrived!: () => void;
    const inHandler = new Promise<void>((resolve) => (arrived = resolve));
    let answeredAt = Number.POSITIVE_INFINITY;
    const app = await appWithSlowRoute(800, () => arrived(), (at) => (answeredAt = at));
    const closed: { name: string; at: number }[] = [];
    const closer = (name: string) => ({ name, close: async () => void closed.push({ name, at: performance.now() }) });
    const server = await listen(app, {
      host: '127.0.0.1',
      port: 0,
      drainTimeoutMs: 5_000,
      signals: false,
      closers: [closer('consumers'), closer('producers'), closer('pg-pool')],
    });

    const inFlight = request(`${server.url}/slow`);
    await inHandler;
    const report = server.shutdown.run();

    // The listener closes at once while the slow request is still running.
    let refused = false;
    for (let i = 0; i < 40 && !refused; i++) {
      refused = !(await connects(server.port));
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(refused).toBe(true);

    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ delivered: true });

    const result = await report;
    expect(result).toMatchObject({ clean: true, drained: true });
    expect(result.closers.map((c) => c.name)).toEqual(['consumers', 'producers', 'pg-pool']);
    expect(closed.map((c) => c.name)).toEqual(['consumers', 'producers', 'pg-pool']);
    // Closers start only after the in-flight request was answered.
    expect(closed[0]!.at).toBeGreaterThanOrEqual(answeredAt);
    expect(await server.shutdown.run()).toBe(result);
  });

  it('cuts requests still running at the drain deadline and reports an unclean shutdown', async () => {
    let arrived!: () => void;
    const inHandler = new Promise<void>((resolve) => (arrived = resolve));
    const app = await appWithSlowRoute(10_000, () => arrived());
    const server = await listen(app, { host: '127.0.0.1', port: 0, drainTimeoutMs: 200, signals: false });
    const inFlight = request(`${server.url}/slow`).then(
      () => 'answered',
      (error: NodeJS.ErrnoException) => error.code ?? error.message,
    );
    await inHandler;
    const started = performance.now();
    const result = await server.shutdown.run();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(result).toMatchObject({ clean: false, drained: false });
    expect(await inFlight).toBe('ECONNRESET');
  });

  it('runs every closer even when one fails or hangs, and reports which', async () => {
    const auth = await createTestAuth('delivery');
    const app = await buildApp(testAppDeps(auth, 'delivery'), { serviceName: 'delivery', version: '1.0.0', defaultMetrics: false });
    const ran: string[] = [];
    const shutdown = new GracefulShutdown(app, { drainTimeoutMs: 1_000, closerTimeoutMs: 100 })
      .addCloser({ name: 'consumers', close: async () => { ran.push('consumers'); throw new Error('already stopped'); } })
      .addCloser({ name: 'producers', close: () => { ran.push('producers'); return new Promise<void>(() => {}); } })
      .addCloser({ name: 'pg-pool', close: async () => void ran.push('pg-pool') });
    const result = await shutdown.run();
    expect(ran).toEqual(['consumers', 'producers', 'pg-pool']);
    expect(result.clean).toBe(false);
    expect(result.closers).toEqual([
      { name: 'consumers', ok: false, failure: 'error' },
      { name: 'producers', ok: false, failure: 'timeout' },
      { name: 'pg-pool', ok: true },
    ]);
  });

  it('SIGTERM runs the sequence and exits 0 when clean; a failing closer exits 1; a second signal exits at once', async () => {
    const auth = await createTestAuth('delivery');
    const exitCode = async (failCloser: boolean): Promise<{ code: number; notReadyAtOnce: boolean }> => {
      const app = await buildApp(testAppDeps(auth, 'delivery'), { serviceName: 'delivery', version: '1.0.0', defaultMetrics: false });
      const server = await listen(app, {
        host: '127.0.0.1',
        port: 0,
        drainTimeoutMs: 1_000,
        closers: [{ name: 'pool', close: async () => { if (failCloser) throw new Error('pool end failed'); } }],
        signals: false,
      });
      const signals = new EventEmitter();
      let notReadyAtOnce = false;
      const code = await new Promise<number>((resolve) => {
        server.shutdown.handleSignals({ source: signals, exit: resolve });
        signals.emit('SIGTERM');
        notReadyAtOnce = app.readiness.shuttingDown;
      });
      return { code, notReadyAtOnce };
    };
    expect(await exitCode(false)).toEqual({ code: 0, notReadyAtOnce: true });
    expect((await exitCode(true)).code).toBe(1);

    const app = await appWithSlowRoute(10, () => {});
    const shutdown = new GracefulShutdown(app, { drainTimeoutMs: 1_000 }).addCloser({ name: 'slow', close: () => new Promise((r) => setTimeout(r, 300)) });
    const signals = new EventEmitter();
    const codes: number[] = [];
    const remove = shutdown.handleSignals({ source: signals, exit: (code) => codes.push(code) });
    signals.emit('SIGINT');
    signals.emit('SIGTERM');
    expect(codes).toEqual([1]);
    await shutdown.run();
    expect(codes).toEqual([1, 0]);
    remove();
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });
});
