/**
 * µs per encodeIntegrationEvent / decodeIntegrationEvent over every contract example (issue 3):
 * the envelope's own cost, apart from Kafka. Not a test (tests never assert on time):
 * `pnpm --filter @govsvc/contracts exec tsx src/envelope-micro-bench.ts [rounds]`.
 * Prints, per operation, the median of 5 rounds over all types, and the same for
 * `intake.case-accepted.v2` alone, by the fast path (what production runs) and by the SDK path
 * alone (`…ViaSdk`, what ran before), in the same process; also the data check alone.
 */
import {
  decodeIntegrationEvent,
  decodeIntegrationEventViaSdk,
  encodeIntegrationEvent,
  encodeIntegrationEventViaSdk,
  type EncodedRecord,
  type ReceivedRecord,
} from './envelope.ts';
import { examples } from './examples.ts';
import { integrationEventDefinitions, passesCompiledCheck, type IntegrationEvent } from './registry.ts';

const rounds = Number(process.argv[2] ?? 2000);
const attributes = { id: 'evt-0001', time: new Date('2025-03-12T02:00:00.000Z'), correlationId: 'corr-1', causationId: 'cmd-1' };
const events = integrationEventDefinitions.map((d) => ({ type: d.type, data: examples[d.type] }) as IntegrationEvent);
/** As kafkajs delivers a record: bytes everywhere. */
const asReceived = (r: EncodedRecord): ReceivedRecord => ({
  key: Buffer.from(r.key),
  value: Buffer.from(r.value),
  headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, Buffer.from(v)])),
});
const received = events.map((e) => asReceived(encodeIntegrationEvent(e, attributes)));
const accepted = events.filter((e) => e.type === 'intake.case-accepted.v2');
const acceptedReceived = accepted.map((e) => asReceived(encodeIntegrationEvent(e, attributes)));

/** µs per call of `op` over `items`, median of 5 rounds after a warm-up. */
function measure<T>(items: readonly T[], op: (item: T) => unknown): number {
  const perRound = Math.max(1, Math.round(rounds / items.length));
  const once = () => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perRound; i++) for (const item of items) op(item);
    return Number(process.hrtime.bigint() - start) / 1000 / (perRound * items.length);
  };
  once();
  once();
  const samples = [once(), once(), once(), once(), once()].sort((a, b) => a - b);
  return samples[2]!;
}

const rows: [string, number][] = [
  ['encode, all types, SDK path', measure(events, (e) => encodeIntegrationEventViaSdk(e, attributes))],
  ['encode, all types, fast path', measure(events, (e) => encodeIntegrationEvent(e, attributes))],
  ['decode, all types, SDK path', measure(received, (r) => decodeIntegrationEventViaSdk(r))],
  ['decode, all types, fast path', measure(received, (r) => decodeIntegrationEvent(r))],
  ['data check alone (ordered), all types', measure(events, (e) => passesCompiledCheck(e.type, e.data, { ordered: true }))],
  ['encode, case-accepted.v2, SDK path', measure(accepted, (e) => encodeIntegrationEventViaSdk(e, attributes))],
  ['encode, case-accepted.v2, fast path', measure(accepted, (e) => encodeIntegrationEvent(e, attributes))],
  ['decode, case-accepted.v2, SDK path', measure(acceptedReceived, (r) => decodeIntegrationEventViaSdk(r))],
  ['decode, case-accepted.v2, fast path', measure(acceptedReceived, (r) => decodeIntegrationEvent(r))],
];
console.log(`types: ${events.length}, calls per round ≈ ${rounds}, node ${process.version}`);
for (const [name, us] of rows) console.log(`${name.padEnd(40)} ${us.toFixed(2)} µs`);
