/**
 * Case numbers from a database sequence per (region, day), in the event
 * store's own database and schema (PostgreSQL, or PGlite in the standalone's
 * data folder): `nextval` never blocks and never conflicts, so concurrent
 * submissions, in one process or many, each get a distinct number in one
 * round trip. The sequence is the truth about numbers handed out and lives
 * and is backed up with the events (same database), so a restore brings both
 * back together. After a server crash PostgreSQL may skip values it had
 * pre-logged (up to 32): gaps, never repeats.
 *
 * Submissions arriving together share one round trip (issue 8): while a
 * `nextval` query for a region's day is out, the numbers asked for meanwhile
 * wait and are drawn together by the next query (`nextval` over
 * `generate_series(1, n)`). Every submission used to take a pool connection
 * for its own `nextval`, queueing ahead of the store's group commit on the
 * same pool under load. A batch that overruns the day's last number fails whole
 * and burns what it drew (a gap at the day's very end); each of its submissions
 * then asks alone and is refused.
 *
 * A day's sequence is created when the day's first number is asked for
 * (`CREATE SEQUENCE IF NOT EXISTS`, MAXVALUE 9,999,999, NO CYCLE), starting after
 * whatever the old counter stream of that day handed out. A sequence created
 * by an intake from before the numbers could grow stops at 99,999: the first
 * time it does, it is widened (`ALTER SEQUENCE … MAXVALUE`) and asked again.
 * One relation per region and day: about 6,000 a year for Beijing's 16 districts and the city,
 * which PostgreSQL holds without trouble; old days' sequences can be dropped by
 * an operator (they are never asked again once their day has passed).
 */
import type { EventStore } from '@govsvc/eventstore/port';
import { errorInfo, type SqlExecutor } from '@govsvc/eventstore/sql/executor';
import { checkSequenceKey, formatCaseNumber, MAX_SEQUENCE } from '../domain/case-number.ts';
import { exhausted, legacyLastSequence, type CaseNumberAllocator } from './case-number-allocator.ts';

const UNDEFINED_TABLE = '42P01';
const SEQUENCE_LIMIT = '2200H';
// Two sessions creating the same sequence at once: one of them fails on the catalog's unique index (23505),
// finds the relation (42P07) or its row type (42710, "type … already exists") created by the other.
const ALREADY_CREATED = new Set(['42P07', '23505', '42710']);

/** The event store's own database when it is SQL (PostgreSQL, PGlite); null for the in-memory and EventStoreDB stores. */
export const sqlOf = (store: EventStore): SqlExecutor | null => {
  const driver = (store as { readonly driver?: SqlExecutor }).driver;
  return driver && typeof driver.query === 'function' ? driver : null;
};

export const sequenceName = (region: string, date: string): string => `intake_case_number_${region}_${date.replaceAll('-', '')}`;

export function createSqlCaseNumberAllocator(sql: SqlExecutor, store: EventStore): CaseNumberAllocator {
  // One creation per (region, day) in flight in this process; other instances meet at IF NOT EXISTS.
  const creating = new Map<string, Promise<void>>();
  // Sequences this process has widened: a limit met by a number asked for after that is the day's real end.
  const widening = new Map<string, Promise<void>>();
  const wide = new Set<string>();

  /** An older intake's sequence stops at 99,999: raising its limit is idempotent, so instances may race on it. */
  function widen(region: string, date: string, key: string): Promise<void> {
    let pending = widening.get(key);
    if (!pending) {
      pending = sql
        .query(`ALTER SEQUENCE "${sequenceName(region, date)}" MAXVALUE ${MAX_SEQUENCE}`)
        .then(() => void wide.add(key))
        // A failed ALTER may be tried again by a later submission.
        .finally(() => widening.delete(key));
      widening.set(key, pending);
    }
    return pending;
  }

  async function create(region: string, date: string): Promise<void> {
    const start = (await legacyLastSequence(store, region, date)) + 1;
    try {
      // Identifier built from checked digits only (checkSequenceKey): nothing of the caller's text reaches the SQL.
      await sql.query(`CREATE SEQUENCE IF NOT EXISTS "${sequenceName(region, date)}" AS integer MINVALUE 1 MAXVALUE ${MAX_SEQUENCE} START WITH ${start} NO CYCLE`);
    } catch (error) {
      if (!ALREADY_CREATED.has(errorInfo(error).code ?? '')) throw error;
    }
  }

  async function nextvals(region: string, date: string, count: number): Promise<number[]> {
    if (count === 1) {
      const [row] = await sql.query<{ n: number }>('SELECT nextval($1::regclass)::integer AS n', [sequenceName(region, date)], { name: 'intake_case_number_next' });
      return [Number(row!.n)];
    }
    const rows = await sql.query<{ n: number }>('SELECT nextval($1::regclass)::integer AS n FROM generate_series(1, $2::integer)', [sequenceName(region, date), count], {
      name: 'intake_case_number_next_n',
    });
    return rows.map((r) => Number(r.n));
  }

  interface Waiter {
    readonly resolve: (n: number) => void;
    readonly reject: (error: unknown) => void;
  }
  // Per (region, day): the numbers asked for while a query is out, drawn together by the next one.
  const waiting = new Map<string, Waiter[]>();
  const drawing = new Set<string>();

  const draw = (region: string, date: string, key: string): void => {
    const batch = waiting.get(key);
    if (!batch || batch.length === 0 || drawing.has(key)) return;
    waiting.delete(key);
    drawing.add(key);
    void nextvals(region, date, batch.length)
      .then(
        (numbers) => batch.forEach((w, i) => w.resolve(numbers[i]!)),
        (error: unknown) => {
          // The day's last numbers cannot all be drawn at once: each of the batch draws alone, so those that fit get one.
          if (batch.length > 1 && errorInfo(error).code === SEQUENCE_LIMIT) {
            for (const w of batch) nextvals(region, date, 1).then((n) => w.resolve(n[0]!), w.reject);
            return;
          }
          for (const w of batch) w.reject(error);
        },
      )
      .finally(() => {
        drawing.delete(key);
        draw(region, date, key);
      });
  };

  function nextval(region: string, date: string): Promise<number> {
    const key = `${region}|${date}`;
    return new Promise<number>((resolve, reject) => {
      const batch = waiting.get(key);
      if (batch) batch.push({ resolve, reject });
      else waiting.set(key, [{ resolve, reject }]);
      draw(region, date, key);
    });
  }

  return {
    async next(region, date) {
      checkSequenceKey(region, date);
      const key = `${region}|${date}`;
      for (let attempt = 0; ; attempt++) {
        const wideBefore = wide.has(key);
        try {
          return formatCaseNumber(region, date, await nextval(region, date));
        } catch (error) {
          const code = errorInfo(error).code;
          if (code === SEQUENCE_LIMIT) {
            // Widened before this number was asked for: the limit met is MAX_SEQUENCE itself.
            if (wideBefore || attempt >= 3) throw exhausted(region, date);
            await widen(region, date, key);
            continue;
          }
          if (code !== UNDEFINED_TABLE || attempt >= 2) throw error;
        }
        let pending = creating.get(key);
        if (!pending) {
          pending = create(region, date).finally(() => creating.delete(key));
          creating.set(key, pending);
        }
        await pending;
      }
    },
  };
}
