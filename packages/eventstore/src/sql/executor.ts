/**
 * The seam between the shared SQL event store and a PostgreSQL driver. The
 * server adapter (`pg`) and the embedded one (PGlite) implement this and
 * nothing else, so both run exactly the same statements.
 */
export interface SqlExecutor {
  /**
   * Runs one statement with `$n` parameters; rows come back as objects keyed by column name.
   * `name` asks the driver to prepare the statement once per connection under that name (a hint:
   * a driver without prepared statements ignores it). One name, one text, always.
   */
  query<Row>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<Row[]>;
}

export interface QueryOptions {
  readonly name?: string;
  /**
   * `relaxed`: the statement's commit need not wait for its WAL flush (PostgreSQL's
   * `synchronous_commit = off`). Only for writes whose loss in a crash of the database server
   * repeats work and loses nothing: subscription checkpoints, whose subscribers are at least
   * once already (a checkpoint written a moment too early is never possible, only one a moment
   * too late), and wake-up hints, which are only hints. It is still atomic and visible at once;
   * a driver without the notion ignores it.
   */
  readonly durability?: 'relaxed';
}

export interface SqlDriver extends SqlExecutor {
  /** Runs `work` in one transaction (READ COMMITTED): committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Runs one statement as a transaction of its own (autocommit, ADR 0005): as atomic as
   * BEGIN; statement; COMMIT, in one round trip instead of three. Only for statements that
   * need nothing between them and the commit. Tests that must hold such a transaction open
   * before it commits override this with `transaction`.
   */
  atomic<Row>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<Row[]>;
  /**
   * Calls `onNotify` with the payload of every NOTIFY on `channel` (a wake-up hint only: the
   * store polls anyway, so a dropped listener costs latency, not events), or with '' when the
   * driver cannot say what happened (a reconnect). Resolves to the function that stops listening.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** What the shared layer needs to know about a driver error. */
export interface DatabaseErrorInfo {
  readonly code?: string;
  readonly constraint?: string;
}

export const errorInfo = (error: unknown): DatabaseErrorInfo =>
  typeof error === 'object' && error !== null ? (error as DatabaseErrorInfo) : {};
