/**
 * Scenario 3c's intake stand-in, in a process of its own as intake is (`storm-steady.ts` forks it):
 * durable appends of a new case stream, one ApplicationSubmitted-sized event each, one at a time
 * with a pause of 5 ms between, from its own store and pool on the same PostgreSQL. Measured in the
 * scheduler's process instead, its latency would count that process's busy event loop, which a real
 * intake does not share. Starts on the message `go`, stops on `stop`, and then sends back its
 * samples (`at`: wall-clock ms when the append was called; `ms`: how long it took).
 */
import { performance } from 'node:perf_hooks';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';

const connectionString = process.env.APPENDER_DATABASE_URL;
if (!connectionString || !process.send) throw new Error('forked by storm-steady.ts with APPENDER_DATABASE_URL');

/** An ApplicationSubmitted as intake stores it (576 bytes of data, measured on the e2e bench's rows). */
const applicationSubmitted = (caseId: string) => ({
  caseId,
  channel: 'online',
  itemCode: '11000000000000000A-0001-01',
  sequence: 0,
  applicant: { ref: '0f8fad5b-d9cb-469f-a165-70867728950e', kind: 'enterprise', maskedId: '911101********3X2P' },
  materials: [
    { form: 'electronic', name: '食品经营许可申请书', source: 'applicant', materialId: 'm-application-form' },
    { form: 'electronic', name: '营业执照', source: 'data-sharing', materialId: 'm-business-licence' },
  ],
  submittedAt: '2025-03-10T10:15:00+08:00',
  guideVersion: '2025.2',
  acceptanceDue: { date: '2025-03-11', provisional: false },
});

const store = await createPostgresEventStore({ connectionString, maxConnections: 2, skipSchema: true });
let stopping = false;
const started = new Promise<void>((resolve) =>
  process.on('message', (message) => {
    if (message === 'go') resolve();
    if (message === 'stop') stopping = true;
  }),
);
process.send('ready');
await started;
const samples: { at: number; ms: number }[] = [];
for (let n = 0; !stopping; n++) {
  const caseId = `BJ-I${process.pid}-${n}`;
  const at = Date.now();
  const t = performance.now();
  await store.appendToStream(
    `application-${caseId}`,
    [{ id: crypto.randomUUID(), type: 'ApplicationSubmitted', schemaVersion: 1, data: applicationSubmitted(caseId), metadata: { caseId, correlationId: caseId, actor: { id: 'intake', role: 'system' } } }],
    { expectedRevision: 'no_stream' },
  );
  samples.push({ at, ms: performance.now() - t });
  await new Promise((resolve) => setTimeout(resolve, 5));
}
await store.close();
process.send({ samples }, () => process.disconnect());
