/**
 * A TCP pass-through that a test can shut: while shut, every connection through it is
 * cut and new ones are refused (ECONNREFUSED, what clients see of a dead server), so a
 * test decides to the moment when clients see a server again, e.g. a broker that
 * restarted behind it.
 */
import net from 'node:net';

export interface TcpGate {
  readonly port: number;
  /** Cuts every open connection and refuses new ones. */
  shut(): Promise<void>;
  /** Accepts connections again (on the same port). */
  open(): Promise<void>;
  readonly isOpen: () => boolean;
  stop(): Promise<void>;
}

export async function startTcpGate(target: { host: string; port: number }, port = 0): Promise<TcpGate> {
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    // A server that died or refuses: the client sees its connection closed, as with the server itself.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listen = (on: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(on, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  const bound = await listen(port);
  let open = true;
  const shut = async () => {
    if (!open) return;
    open = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    port: bound,
    shut,
    async open() {
      if (open) return;
      await listen(bound);
      open = true;
    },
    isOpen: () => open,
    stop: shut,
  };
}
