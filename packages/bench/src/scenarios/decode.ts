/**
 * Decode on the consumer side: Kafka bytes → JSON → zod (and the CloudEvents envelope checks
 * around it), against a bare JSON.parse of the same bytes.
 */
import { randomUUID } from 'node:crypto';
import { decodeIntegrationEvent, encodeIntegrationEvent, type ReceivedRecord } from '@govsvc/contracts/envelope';
import { examples } from '@govsvc/contracts/examples';
import { parseIntegrationEventJson } from '@govsvc/contracts/registry';
import { atLeast, info, now, type RunOptions, type ScenarioResult } from '../harness.ts';

function records(count: number): ReceivedRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const data = { ...examples['intake.application-submitted.v1'], caseId: `BJ-2025-${String(i).padStart(6, '0')}` };
    const encoded = encodeIntegrationEvent({ type: 'intake.application-submitted.v1', data }, { id: randomUUID(), time: new Date(), correlationId: randomUUID() });
    // What kafkajs hands a consumer: key, value and header values as Buffers.
    return {
      key: Buffer.from(encoded.key),
      value: Buffer.from(encoded.value),
      headers: Object.fromEntries(Object.entries(encoded.headers).map(([k, v]) => [k, Buffer.from(v)])),
    };
  });
}

/**
 * Runs the variants over all records in turn (A, B, C, A, B, C, …) for about `ms`, so the
 * neighbours' load, which swings from second to second here, falls on each alike; returns
 * records per second of each.
 */
function rates(all: readonly ReceivedRecord[], ms: number, variants: readonly ((r: ReceivedRecord) => unknown)[]): number[] {
  const spent = variants.map(() => 0);
  let rounds = 0;
  let sink = 0;
  const started = now();
  while (now() - started < ms) {
    variants.forEach((work, v) => {
      const t = now();
      for (const r of all) if (work(r)) sink++;
      spent[v]! += now() - t;
    });
    rounds += 1;
  }
  if (sink < 0) console.log(sink);
  return spent.map((s) => (rounds * all.length) / (s / 1000));
}

export async function decode(options: RunOptions): Promise<ScenarioResult> {
  const all = records(1_000);
  const ms = options.quick ? 1_000 : 3_000;
  const bareParse = (r: ReceivedRecord) => JSON.parse((r.value as Buffer).toString('utf8'));
  // What a consumer runs on a record's value: bytes → JSON → the contract's schema (a check compiled
  // from the zod schema, zod itself for anything the check does not accept; ADR 0005).
  const dataParse = (r: ReceivedRecord) => parseIntegrationEventJson('intake.application-submitted.v1', r.value as Buffer);
  const fullDecode = (r: ReceivedRecord) => decodeIntegrationEvent(r);
  rates(all, 500, [bareParse, dataParse, fullDecode]); // warm-up: let the JIT see every path
  const full: number[] = [];
  const dataOnly: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < options.repeats; i++) {
    const [b, d, f] = rates(all, ms, [bareParse, dataParse, fullDecode]);
    bare.push(b!);
    dataOnly.push(d!);
    full.push(f!);
  }
  const decoded = all.map((r) => decodeIntegrationEvent(r));
  return {
    name: 'decode',
    title: 'Decode: bytes → JSON → zod',
    rows: [
      atLeast('bytes → JSON → zod (data)', dataOnly, bare, 'bare JSON.parse', 'msg/s', 0.6),
      info('full consumer decode (headers, CloudEvents envelope, key/subject, upcast)', full, 'msg/s', { values: bare, name: 'bare JSON.parse' }),
    ],
    checks: [{ ok: decoded.every((d, i) => d.subject === `BJ-2025-${String(i).padStart(6, '0')}`), what: `${decoded.length} records decoded to their own case ids` }],
    notes: [
      `1,000 distinct intake.application-submitted.v1 records (~${(all[0]!.value as Buffer).length} bytes of data each); the three decoders take turns over all of them for ${ms} ms per run, ${options.repeats} runs, after a warm-up.`,
      'The first row is the target: what the bytes → JSON → zod step (`parseIntegrationEventJson`: JSON.parse, then the check compiled from the zod schema, zod for anything it does not accept) costs next to JSON.parse alone. The second is the whole decodeIntegrationEvent of @govsvc/contracts a consumer runs per record (CloudEvents SDK included).',
    ],
  };
}
