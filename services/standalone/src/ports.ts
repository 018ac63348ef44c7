/**
 * Ports a run is about to give its services. A service that cannot bind exits, but its readiness
 * probe would be answered by whatever already listens there — another run's service, signing its
 * tokens with other keys — so a run that starts on a taken port fails late and misleadingly
 * ("token signed with an unknown key"). Checking first fails early and says why.
 */
import { createServer } from 'node:net';

/** Whether nothing listens on 127.0.0.1:`port` (by binding it for a moment). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Throws naming every taken port and who it was meant for. */
export async function assertPortsFree(ports: readonly { readonly port: number; readonly name: string }[]): Promise<void> {
  const taken: string[] = [];
  for (const { port, name } of ports) if (!(await portIsFree(port))) taken.push(`${port} (${name})`);
  if (taken.length > 0) throw new Error(`port${taken.length > 1 ? 's' : ''} ${taken.join(', ')} already in use — another run on this machine? choose another port base`);
}

/**
 * The first base from `start` (in steps of `step`) whose ports base+1 … base+`count` are all free: lets two
 * runs on one machine (a CI run and an engineer's) start side by side without choosing ports by hand.
 */
export async function freePortBase(start: number, count: number, step = 20, tries = 30): Promise<number> {
  for (let base = start, i = 0; i < tries; i++, base += step) {
    let free = true;
    for (let p = base + 1; p <= base + count && free; p++) free = await portIsFree(p);
    if (free) return base;
  }
  throw new Error(`no ${count} free ports in a row from ${start + 1} (tried ${tries} blocks of ${step})`);
}
