/**
 * A loopback TCP proxy whose added latency can be switched on and off while
 * connections stay open: the run's PostgreSQL traffic goes through it, and
 * the `pg-latency` fault adds 100 ms to every chunk in both directions for a
 * while (a slow network to the database, not a broken one).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface LatencyProxy {
  readonly port: number;
  setDelay(ms: number): void;
  close(): Promise<void>;
}

export async function startLatencyProxy(target: { host: string; port: number }): Promise<LatencyProxy> {
  let delayMs = 0;
  const sockets = new Set<Socket>();
  // Delays each chunk by the current latency while keeping the order of chunks.
  const relay = (from: Socket, to: Socket) => {
    let tail = Promise.resolve();
    from.on('data', (chunk) => {
      const wait = delayMs;
      tail = tail.then(() => new Promise<void>((resolve) => setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
        resolve();
      }, wait)));
    });
  };
  const server: Server = createServer((client) => {
    const upstream = connect(target);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    setDelay: (ms) => {
      delayMs = ms;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
