/**
 * Case numbers from database sequences, on the real PostgreSQL (several
 * stores, as several intake processes would have) and on PGlite (the
 * standalone's data folder, across a restart): unique under concurrency,
 * per region and day, continuing after the old counter stream, past 99,999 with
 * more digits (an older intake's narrower sequence widened), refused past 9,999,999.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedEventStore } from '@govsvc/eventstore/pglite/embedded-event-store';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import type { SqlEventStore } from '@govsvc/eventstore/sql/sql-event-store';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { formatCaseNumber, legacyCaseNumberStream, MAX_SEQUENCE } from '../domain/case-number.ts';
import { defaultCaseNumberAllocator } from '../module.ts';
import { InMemoryCaseNumberAllocator } from './case-number-allocator.ts';
import { createSqlCaseNumberAllocator, sequenceName, sqlOf } from './sql-case-number-allocator.ts';
import type { SqlExecutor } from '@govsvc/eventstore/sql/executor';

const caseId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** What the counter streams of the previous scheme held: numbers 1..last of a region's day. */
async function legacyCounter(store: SqlEventStore, region: string, date: string, last: number): Promise<void> {
  await store.appendToStream(
    legacyCaseNumberStream(region, date),
    [{ id: caseId(900_000 + last), type: 'CaseNumberAssigned', schemaVersion: 1, data: { caseId: caseId(last), caseNumber: formatCaseNumber(region, date, last), sequence: last }, metadata: { correlationId: 'legacy', actor: { id: 'intake', role: 'system' } } }],
    { expectedRevision: 'any' },
  );
}

describe('on PostgreSQL', () => {
  let schema: IsolatedSchema;
  let stores: SqlEventStore[];

  beforeAll(async () => {
    schema = await createIsolatedSchema('intake_seq');
    // Three stores with pools of their own: three intake processes sharing one database.
    stores = [];
    for (let i = 0; i < 3; i++) stores.push(await createPostgresEventStore({ connectionString: schema.connectionString }));
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await schema.drop();
  });

  it('R-ACC-1: 3 processes × 200 concurrent requests on a new day get 600 distinct numbers, 00001 … 00600', async () => {
    const allocators = stores.map((s) => defaultCaseNumberAllocator(s));
    expect(allocators.some((a) => a instanceof InMemoryCaseNumberAllocator)).toBe(false);
    // All at once on a day whose sequence does not exist yet: creation races too.
    const numbers = await Promise.all(allocators.flatMap((a) => Array.from({ length: 200 }, () => a.next('110105', '2026-11-26'))));
    expect(new Set(numbers).size).toBe(600);
    expect([...numbers].sort()).toEqual(Array.from({ length: 600 }, (_, i) => formatCaseNumber('110105', '2026-11-26', i + 1)));
    // Another region and another day start at 1 of their own.
    expect(await allocators[0]!.next('110108', '2026-11-26')).toBe('京1101082026112600001');
    expect(await allocators[1]!.next('110105', '2026-11-27')).toBe('京1101052026112700001');
    // A new allocator (an intake restarted) continues the day's sequence.
    expect(await defaultCaseNumberAllocator(stores[2]!).next('110105', '2026-11-26')).toBe('京1101052026112600601');
  });

  it('R-ACC-1: a day that began on the old counter stream continues after its last number', async () => {
    await legacyCounter(stores[0]!, '110101', '2026-11-25', 41);
    const numbers = await Promise.all(stores.map((s) => defaultCaseNumberAllocator(s).next('110101', '2026-11-25')));
    expect([...numbers].sort()).toEqual(['京1101012026112500042', '京1101012026112500043', '京1101012026112500044']);
  });

  it('R-ACC-1, issue 8: past 99,999 a region’s day goes on with 6 digits', async () => {
    await legacyCounter(stores[0]!, '110102', '2026-11-25', 99_998);
    const allocator = defaultCaseNumberAllocator(stores[1]!);
    expect(await allocator.next('110102', '2026-11-25')).toBe('京1101022026112599999');
    expect(await allocator.next('110102', '2026-11-25')).toBe('京11010220261125100000');
  });

  it('R-ACC-1, issue 8: a sequence an older intake made (limit 99,999) is widened when reached, by several processes at once', async () => {
    const sql = sqlOf(stores[0]!)!;
    await sql.query(`CREATE SEQUENCE "${sequenceName('110109', '2026-11-25')}" AS integer MINVALUE 1 MAXVALUE 99999 START WITH 99990 NO CYCLE`);
    const numbers = await Promise.all(stores.flatMap((s) => Array.from({ length: 10 }, () => defaultCaseNumberAllocator(s).next('110109', '2026-11-25'))));
    // 99,990 … 99,999 and then 100,000 onwards: 30 distinct numbers, the widening may burn the draws that met the old limit.
    expect(new Set(numbers).size).toBe(30);
    expect(numbers.filter((n) => n.length === '京1101092026112599990'.length)).toHaveLength(10);
    expect(numbers.every((n) => /^京11010920261125(999\d\d|1\d{5})$/.test(n))).toBe(true);
  });

  it('R-ACC-1: past the day’s last number (9,999,999) a region’s day is refused with a rule violation, not a malformed number', async () => {
    const allocator = defaultCaseNumberAllocator(stores[1]!);
    expect(await allocator.next('110104', '2026-11-25')).toBe('京1101042026112500001'); // creates the sequence
    await sqlOf(stores[0]!)!.query(`ALTER SEQUENCE "${sequenceName('110104', '2026-11-25')}" RESTART WITH ${MAX_SEQUENCE}`);
    expect(await allocator.next('110104', '2026-11-25')).toBe('京110104202611259999999');
    await expect(allocator.next('110104', '2026-11-25')).rejects.toMatchObject({ status: 409, rule: 'R-ACC-1', message: expect.stringMatching(/no case numbers left/) });
  });

  it('R-ACC-1: the day’s last numbers asked for together: never past 9,999,999, the rest refused with the rule', async () => {
    const allocator = defaultCaseNumberAllocator(stores[1]!);
    expect(await allocator.next('110106', '2026-11-25')).toBe('京1101062026112500001'); // creates the sequence
    await sqlOf(stores[0]!)!.query(`ALTER SEQUENCE "${sequenceName('110106', '2026-11-25')}" RESTART WITH ${MAX_SEQUENCE - 2}`);
    expect(await allocator.next('110106', '2026-11-25')).toBe('京110106202611259999997');
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => allocator.next('110106', '2026-11-25')));
    const numbers = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    // The first asks alone (…98); the other three together overrun the day, and the statement that
    // overran burns what it drew (…99): a gap, as after a failed submission, never a repeat.
    expect(numbers).toEqual(['京110106202611259999998']);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(refused).toEqual(Array.from({ length: 3 }, () => expect.objectContaining({ rule: 'R-ACC-1' })));
  });

  it('issue 8: numbers asked for together share round trips (one query out per region and day at a time)', async () => {
    const store = stores[0]!;
    const driver = sqlOf(store)!;
    let queries = 0;
    const counting: SqlExecutor = { ...driver, query: (...args: Parameters<SqlExecutor['query']>) => ((queries += 1), driver.query(...args)) } as SqlExecutor;
    const allocator = createSqlCaseNumberAllocator(counting, store);
    await allocator.next('110107', '2026-11-25'); // creates the sequence
    queries = 0;
    const numbers = await Promise.all(Array.from({ length: 200 }, () => allocator.next('110107', '2026-11-25')));
    expect(new Set(numbers).size).toBe(200);
    expect([...numbers].sort()).toEqual(Array.from({ length: 200 }, (_, i) => formatCaseNumber('110107', '2026-11-25', i + 2)));
    // The first asks alone, everything asked meanwhile goes in the next query.
    expect(queries).toBeLessThanOrEqual(2);
  });
});

describe('on PGlite (the standalone data folder)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'intake-seq-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Two PGlite starts (WebAssembly PostgreSQL): on a loaded 2-core machine each can take tens of seconds.
  it('R-ACC-1: numbers are distinct under concurrency and continue after a restart', { timeout: 240_000 }, async () => {
    let store = await createEmbeddedEventStore({ dataDir: dir });
    const allocator = defaultCaseNumberAllocator(store);
    const first = await Promise.all(Array.from({ length: 50 }, () => allocator.next('110105', '2026-11-26')));
    expect(new Set(first).size).toBe(50);
    await store.close();
    store = await createEmbeddedEventStore({ dataDir: dir });
    expect(await defaultCaseNumberAllocator(store).next('110105', '2026-11-26')).toBe('京1101052026112600051');
    await store.close();
  });
});
