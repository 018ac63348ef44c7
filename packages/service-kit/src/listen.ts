/**
 * Starting a built app: listen, then hand SIGTERM/SIGINT to the graceful
 * shutdown sequence. Kept apart from `buildApp` so tests and the standalone
 * composition can build apps without opening sockets.
 */
import type { AddressInfo } from 'node:net';
import type { App } from './app.ts';
import type { BaseConfig } from './config.ts';
import { GracefulShutdown, type Closer, type SignalOptions } from './shutdown.ts';

export interface ListenOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly drainTimeoutMs: number;
  readonly closerTimeoutMs?: number;
  /** Run after HTTP has drained, in this order: consumers, producers, pools. */
  readonly closers?: readonly Closer[];
  /** Signal wiring; `false` leaves signals alone (tests that run the sequence themselves). */
  readonly signals?: SignalOptions | false;
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  readonly port: number;
  readonly shutdown: GracefulShutdown;
}

/** Listens and installs graceful shutdown. */
export async function listen(app: App, options: ListenOptions): Promise<RunningServer> {
  const shutdown = new GracefulShutdown(app, {
    drainTimeoutMs: options.drainTimeoutMs,
    ...(options.closerTimeoutMs !== undefined && { closerTimeoutMs: options.closerTimeoutMs }),
  });
  for (const closer of options.closers ?? []) shutdown.addCloser(closer);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address() as AddressInfo;
  if (options.signals !== false) shutdown.handleSignals(options.signals ?? {});
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `http://${host}:${address.port}`, port: address.port, shutdown };
}

/** Listen options from the parsed base configuration. */
export function listenOptionsFromConfig(config: BaseConfig, closers: readonly Closer[] = []): ListenOptions {
  return { host: config.HOST, port: config.PORT, drainTimeoutMs: config.SHUTDOWN_DRAIN_MS, closers };
}
