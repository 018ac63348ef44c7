/**
 * Slow clients (slowloris): a real socket that dribbles a request one byte at
 * a time must not hold a connection past the header or request timeout. The
 * server answers 408 problem+json and closes, and serves others meanwhile.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp, type App } from './app.ts';
import { allow, publicRoute } from './auth.ts';
import { createTestAuth, testAppDeps, type LogCapture } from './testing.ts';

interface Exchange {
  readonly response: string;
  readonly closedAfterMs: number;
  readonly bytesSent: number;
}

/** Sends `chunks` one by one, `intervalMs` apart, until the server answers or closes. */
function dribble(port: number, chunks: readonly string[], intervalMs: number): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect({ host: '127.0.0.1', port });
    let response = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const next = () => {
      if (sent >= chunks.length || socket.destroyed) return;
      socket.write(chunks[sent] ?? '');
      sent += 1;
      timer = setTimeout(next, intervalMs);
    };
    socket.on('connect', next);
    socket.on('data', (data) => (response += data.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ response, closedAfterMs: Date.now() - started, bytesSent: sent });
    });
    setTimeout(() => reject(new Error(`no answer after 10 s; got ${JSON.stringify(response)}`)), 10_000).unref();
  });
}

function parse(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

describe('slow clients get 408 problem+json', () => {
  let app: App;
  let port: number;
  let logs: LogCapture;
  let token: string;

  beforeAll(async () => {
    const auth = await createTestAuth('intake');
    token = await auth.token(['clerk']);
    const deps = testAppDeps(auth, 'intake');
    logs = deps.logs;
    app = await buildApp(deps, {
      serviceName: 'intake',
      version: '1',
      defaultMetrics: false,
      limits: { headersTimeoutMs: 400, requestTimeoutMs: 800 },
    });
    app.get('/ping', { config: publicRoute }, async () => ({ ok: true }));
    app.post('/notes', { config: allow('clerk'), schema: { body: z.strictObject({ text: z.string() }) } }, async () => ({ stored: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as net.AddressInfo).port;
  });
  afterAll(() => app.close());

  it('headers dribbled one byte every 50 ms: 408 after the header timeout, connection closed', async () => {
    const request = `GET /ping HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(200)}\r\n\r\n`;
    const exchange = await dribble(port, [...request], 50);
    const { status, headers, body } = parse(exchange.response);
    expect(status).toBe(408);
    expect(headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(headers.connection).toBe('close');
    expect(JSON.parse(body)).toMatchObject({ status: 408, type: 'urn:govsvc:problem:request-timeout' });
    expect(exchange.bytesSent).toBeLessThan(request.length);
    // Within the header timeout plus the checking interval and scheduling slack, not the 30 s node default.
    expect(exchange.closedAfterMs).toBeGreaterThanOrEqual(350);
    expect(exchange.closedAfterMs).toBeLessThan(2_500);
    expect(logs.text).toContain('"status":408');
  });

  it('headers sent, body dribbled: 408 after the request timeout, nothing handled', async () => {
    const body = JSON.stringify({ text: 'x'.repeat(100) });
    const head = `POST /notes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const exchange = await dribble(port, [head, ...body], 50);
    const answer = parse(exchange.response);
    expect(answer.status).toBe(408);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 408 });
    expect(exchange.bytesSent).toBeLessThan(body.length + 1);
    expect(exchange.closedAfterMs).toBeLessThan(3_000);
    expect(logs.text).not.toContain('"stored":true');
  });

  it('meanwhile a prompt client is served', async () => {
    const slow = dribble(port, [...'GET /ping HTTP/1.1\r\nHost: x\r\n'], 100);
    const res = await fetch(`http://127.0.0.1:${port}/ping`);
    expect(res.status).toBe(200);
    await slow;
  });

  it('garbage instead of HTTP: 400 problem+json', async () => {
    const exchange = await dribble(port, ['NOT-HTTP \u0000\u0001\r\n\r\n'], 10);
    const answer = parse(exchange.response);
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
