/**
 * GovsvcClient's transport (node:http with keep-alive, since the megacity driver measured fetch at four
 * times the CPU a request): what a journey relies on, against a real HTTP server on loopback.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevKeyPair } from '@govsvc/service-kit/dev-tokens';
import { GovsvcClient, standaloneTopology } from './client.ts';

const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string; socket: unknown }[] = [];
let server: Server;
let base: string;
// No caller in these tests, so no token is minted with it.
const noKey = {} as DevKeyPair;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), socket: req.socket });
      if (req.url === '/intake/not-json') {
        res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway');
        return;
      }
      // A reply in several writes, a multi-byte character split across two of them.
      const reply = Buffer.from(JSON.stringify({ echo: Buffer.concat(chunks).toString('utf8'), note: '受理通知书' }));
      res.writeHead(201, { 'content-type': 'application/json' });
      res.write(reply.subarray(0, 31));
      res.end(reply.subarray(31));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
});

describe('GovsvcClient over node:http', () => {
  it('sends the method, path, headers and JSON body, and reads a reply written in pieces (UTF-8 intact)', async () => {
    const client = new GovsvcClient(standaloneTopology(base), noKey);
    const body = { applicant: '张三', materials: ['申请书'] };
    const reply = await client.post('/intake/applications', null, body, { 'idempotency-key': 'k-1' });
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({ echo: JSON.stringify(body), note: '受理通知书' });
    const request = seen.at(-1)!;
    expect([request.method, request.url, request.headers['content-type'], request.headers['idempotency-key']]).toEqual(['POST', '/intake/applications', 'application/json', 'k-1']);
    expect(Number(request.headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(body)));
  });

  it('keeps the connection for the next request, and sends a GET without a body', async () => {
    const client = new GovsvcClient(standaloneTopology(base), noKey);
    await client.get('/intake/one', null);
    await client.get('/intake/two', null);
    const [first, second] = seen.slice(-2);
    expect(second!.socket).toBe(first!.socket);
    expect([second!.method, second!.body, second!.headers['content-type']]).toEqual(['GET', '', undefined]);
  });

  it('gives a reply that is not JSON as text, and a refused connection as a rejection', async () => {
    const client = new GovsvcClient(standaloneTopology(base), noKey);
    const reply = await client.get('/intake/not-json', null);
    expect([reply.status, reply.text, reply.json]).toEqual([502, 'bad gateway', { raw: 'bad gateway' }]);
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    await expect(new GovsvcClient(standaloneTopology(`http://127.0.0.1:${port}`), noKey).get('/intake/x', null)).rejects.toThrow(/ECONNREFUSED/);
  });
});
