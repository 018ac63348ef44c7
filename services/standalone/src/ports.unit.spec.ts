import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { assertPortsFree, freePortBase, portIsFree } from './ports.ts';

const listening: Server[] = [];
const listenOn = (port: number) =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      listening.push(server);
      resolve((server.address() as { port: number }).port);
    });
  });
afterEach(async () => {
  await Promise.all(listening.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('ports of a distributed run', () => {
  it('names a taken port and whom it was for, before any service starts', async () => {
    const taken = await listenOn(0);
    expect(await portIsFree(taken)).toBe(false);
    await expect(assertPortsFree([{ port: taken, name: 'review' }])).rejects.toThrow(`port ${taken} (review) already in use`);
  });

  it('finds the next block of free ports when the first is taken', async () => {
    // A block of 3 whose middle port is taken must be skipped.
    const taken = await listenOn(0);
    const base = taken - 2;
    const found = await freePortBase(base, 3, 10, 5);
    expect(found).not.toBe(base);
    for (let p = found + 1; p <= found + 3; p++) expect(await portIsFree(p)).toBe(true);
  });
});
