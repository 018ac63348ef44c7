/**
 * Our patch of kafkajs 2.2.4 (`patches/kafkajs@2.2.4.patch`): a broker connection's request queue
 * checks for waiting requests only while some wait. Unpatched, every response started a 1 ms timer
 * that re-armed itself for the rest of the connection's life (kafkajs issues #1556, #1604, #1704):
 * each service spent about 5 % of a core on it while idle. These fail on the unpatched queue (the
 * first) and on a fix that forgot the requests that do wait (the other two).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface QueueEntry {
  readonly correlationId: number;
  readonly apiKey: number;
  readonly apiName: string;
  readonly apiVersion: number;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}
interface RequestQueue {
  push(request: { entry: QueueEntry; expectResponse: boolean; sendRequest(): void; requestTimeout?: number }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(ms: number | null): void;
  checkPendingRequests(): void;
  destroy(): void;
  readonly pending: unknown[];
}
type RequestQueueClass = new (options: Record<string, unknown>) => RequestQueue;

// Internal module, loaded the way kafkajs loads it; the package has no "exports" map.
const RequestQueueOf = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as RequestQueueClass;
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function queue(maxInFlightRequests: number | null = null) {
  const q = new RequestQueueOf({ maxInFlightRequests, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'b:9092', logger: silent });
  let checks = 0;
  const check = q.checkPendingRequests.bind(q);
  q.checkPendingRequests = () => {
    checks += 1;
    check();
  };
  const sent: number[] = [];
  const request = (correlationId: number) => {
    const entry: QueueEntry = { correlationId, apiKey: 1, apiName: 'Fetch', apiVersion: 11, resolve() {}, reject() {} };
    q.push({ entry, expectResponse: true, sendRequest: () => sent.push(correlationId) });
  };
  const respond = (correlationId: number) => q.fulfillRequest({ correlationId, payload: Buffer.alloc(0), size: 0 });
  return { q, request, respond, sent, checks: () => checks };
}

describe('kafkajs request queue (patched)', () => {
  it('schedules no check once a response leaves nothing waiting', async () => {
    const { q, request, respond, checks } = queue();
    request(1);
    respond(1);
    await sleep(60);
    // The response's own check only; unpatched, the 1 ms loop made dozens in 60 ms.
    expect(checks()).toBe(1);
    q.destroy();
  });

  it('still sends a request that waited for a free in-flight slot', async () => {
    const { q, request, respond, sent } = queue(1);
    request(1);
    request(2);
    expect(sent).toEqual([1]);
    respond(1);
    expect(sent).toEqual([1, 2]);
    respond(2);
    expect(q.pending).toHaveLength(0);
    q.destroy();
  });

  it('still sends a request that waited out a broker throttle', async () => {
    const { q, request, sent } = queue();
    q.maybeThrottle(30);
    request(1);
    expect(sent).toEqual([]);
    await sleep(80);
    expect(sent).toEqual([1]);
    q.destroy();
  });
});
