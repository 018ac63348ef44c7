/**
 * The processed-message record in PostgreSQL via `pg`, the only module of this
 * package that imports it. The record is inserted first, inside the
 * transaction the handler's effect then uses: a concurrent delivery of the
 * same event blocks on the uncommitted row and, once the first commits, finds
 * the conflict and reports a duplicate; if the first rolls back, the second
 * goes ahead. No window where both apply the effect.
 */
import pg from 'pg';
import { UnavailableError, ValidationError } from '@govsvc/errors/errors';
import type { ProcessedMessages, ProcessOutcome } from './processed-messages.ts';

/** What a handler gets to run its effect in the record's transaction (a `pg` client satisfies it). */
export interface SqlTx {
  query<Row extends Record<string, unknown> = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
}

export interface PgProcessedMessagesOptions {
  readonly connectionString: string;
  /** Table name, optionally schema-qualified; created by `ensureSchema`. */
  readonly table?: string;
  readonly maxConnections?: number;
}

export interface PgProcessedMessages extends ProcessedMessages<SqlTx> {
  ensureSchema(): Promise<void>;
  close(): Promise<void>;
}

const identifier = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;

/** Connection-level failures (class 08, admin shutdown, too many clients, refused sockets) are worth retrying. */
function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  return code.startsWith('08') || code.startsWith('57P') || code === '53300' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT';
}

const translate = (error: unknown): unknown =>
  isUnavailable(error) ? new UnavailableError(`processed-message record: ${(error as Error).message}`) : error;

export function createPgProcessedMessages(options: PgProcessedMessagesOptions): PgProcessedMessages {
  const table = options.table ?? 'processed_messages';
  if (!identifier.test(table)) throw new ValidationError('invalid table name', [{ path: '/table', reason: `not a plain SQL identifier: ${table}` }]);
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 5 });
  // An idle client that loses its connection emits 'error'; without a listener that would crash the process.
  pool.on('error', () => undefined);

  return {
    async ensureSchema() {
      await pool
        .query(
          `CREATE TABLE IF NOT EXISTS ${table} (
             consumer text NOT NULL,
             event_id text NOT NULL,
             processed_at timestamptz NOT NULL DEFAULT now(),
             PRIMARY KEY (consumer, event_id)
           )`,
        )
        .catch((error: unknown) => {
          // Two processes creating the table at once: the loser hits the catalog's unique index
          // (23505), finds the relation created (42P07) or its row type created (42710, "type … already
          // exists": seen in a clean CI run). The table exists either way.
          const code = (error as { code?: unknown }).code;
          if (code === '23505' || code === '42P07' || code === '42710') return;
          throw translate(error);
        });
    },

    async wasProcessed(consumer, eventId) {
      try {
        const { rowCount } = await pool.query(`SELECT 1 FROM ${table} WHERE consumer = $1 AND event_id = $2`, [consumer, eventId]);
        return (rowCount ?? 0) > 0;
      } catch (error) {
        throw translate(error);
      }
    },

    async processOnce(consumer, eventId, effect): Promise<ProcessOutcome> {
      const client = await pool.connect().catch((error: unknown) => {
        throw translate(error);
      });
      let broken = false;
      try {
        await client.query('BEGIN');
        const inserted = await client.query(`INSERT INTO ${table} (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [consumer, eventId]);
        if (inserted.rowCount === 0) {
          await client.query('ROLLBACK');
          return 'duplicate';
        }
        await effect(client);
        await client.query('COMMIT');
        return 'processed';
      } catch (error) {
        if (isUnavailable(error)) broken = true;
        else await client.query('ROLLBACK').catch(() => (broken = true));
        // The handler's own errors pass unchanged (the consumer runner decides whether to retry);
        // only lost connections become UnavailableError.
        throw translate(error);
      } finally {
        // A client whose connection failed must not go back into the pool.
        client.release(broken);
      }
    },

    async close() {
      await pool.end();
    },
  };
}
