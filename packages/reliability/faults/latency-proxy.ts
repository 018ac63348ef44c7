/**
 * A loopback TCP proxy whose added latency can be switched on and off while
 * connections stay open: the run's PostgreSQL traffic and its Kafka traffic
 * (the private broker advertises the proxy's port) go through one each, and
 * the `pg-latency` / `kafka-latency` faults add 100 ms to every chunk in both
 * directions for a while (a slow network, not a broken one).
 *
 * Latency, not throttling: each chunk leaves `delay` ms after it arrived, so
 * chunks in flight overlap as on a long link; a chunk never overtakes an
 * earlier one (when the delay is lowered, later chunks wait for the queue).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface LatencyProxy {
  readonly port: number;
  setDelay(ms: number): void;
  /** Connections open now, and chunks held back by a delay so far: evidence the fault reached the traffic. */
  stats(): { open: number; delayedChunks: number };
  close(): Promise<void>;
}

/** When each queued chunk may leave: `delay` after it arrived, and never before the chunk ahead of it. */
export function releaseAt(arrivedAt: number, delayMs: number, previousReleaseAt: number): number {
  return Math.max(arrivedAt + delayMs, previousReleaseAt);
}

export async function startLatencyProxy(target: { host: string; port: number }): Promise<LatencyProxy> {
  let delayMs = 0;
  let delayedChunks = 0;
  const sockets = new Set<Socket>();
  const relay = (from: Socket, to: Socket) => {
    const queue: { chunk: Buffer; at: number }[] = [];
    let lastAt = 0;
    let timer: NodeJS.Timeout | undefined;
    const pump = () => {
      timer = undefined;
      while (queue.length > 0 && queue[0]!.at <= Date.now()) {
        const { chunk } = queue.shift()!;
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(pump, queue[0]!.at - Date.now());
    };
    from.on('data', (chunk: Buffer) => {
      // Nothing waiting and no delay: straight through (the proxy costs nothing while the fault is off).
      if (delayMs === 0 && queue.length === 0) {
        if (!to.destroyed) to.write(chunk);
        return;
      }
      delayedChunks++;
      lastAt = releaseAt(Date.now(), delayMs, lastAt);
      queue.push({ chunk, at: lastAt });
      if (timer === undefined) timer = setTimeout(pump, Math.max(0, lastAt - Date.now()));
    });
    from.on('close', () => {
      if (timer !== undefined) clearTimeout(timer);
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
    stats: () => ({ open: Math.ceil(sockets.size / 2), delayedChunks }),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
