/**
 * The SQLite prediction-log sink (`better-sqlite3` 12, the embedded default) and the query API
 * over its table.
 *
 * @module
 */
import { childLogger, silentLogger, type Logger } from '@modelship/core';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { Batcher } from './batcher.js';
import {
  DEFAULT_TABLE,
  encodeCursor,
  json,
  parseOptions,
  parseRange,
  parseRecent,
  queryFailed,
  sinkShape,
  tableSchema,
} from './common.js';
import { PredictionLogSqlError } from './errors.js';
import type {
  LoggedPredictionInput,
  PredictionQuery,
  PredictionRow,
  RangePage,
  RangeQuery,
  RecentQuery,
  SqlSinkStats,
} from './types.js';

/** Options of {@link createSqliteSink}. */
export interface SqliteSinkOptions {
  /** The database file (created if absent), opened in WAL mode. */
  readonly path: string;
  /** The table (a lower-case SQL identifier). Default `modelship_predictions`. */
  readonly table?: string;
  /** Create the table and its indexes (idempotent, see {@link sqliteSchemaSql}) when opened. Default `true`. */
  readonly ensureSchema?: boolean;
  /** Rows buffered while the database is busy or failing; beyond it the newest rows are dropped and counted. Default 100,000. */
  readonly maxBuffered?: number;
  /** Rows per transaction (1 – 5,000). Each batch blocks the event loop while it is written (about 0.3 ms for 50 rows; a WAL checkpoint now and then takes longer), so keep it small. Default 50. */
  readonly batchSize?: number;
  /** Longest a row waits before a batch is written, in ms. Default 200. */
  readonly flushIntervalMs?: number;
  /** First retry delay after a failed batch, in ms (doubling up to `retryMaxMs`). Default 100. */
  readonly retryInitialMs?: number;
  /** Longest retry delay, in ms. Default 5,000. */
  readonly retryMaxMs?: number;
  /** How long `close()` keeps trying to write what is buffered, in ms. Default 5,000. */
  readonly closeTimeoutMs?: number;
  /** How long a write waits for another connection's lock (SQLite `busy_timeout`), in ms. Default 0 (a busy batch is retried later instead of blocking). */
  readonly busyTimeoutMs?: number;
  /** Pino-compatible logger. Default silent. */
  readonly logger?: Logger;
}

/** Options of {@link createSqlitePredictionQuery}. */
export interface SqliteQueryOptions {
  /** The database file, opened read-only (it must exist). */
  readonly path: string;
  /** The table. Default `modelship_predictions`. */
  readonly table?: string;
}

const sinkSchema = z.object({
  path: z.string().min(1),
  ...sinkShape,
  batchSize: z.number().int().min(1).max(5000).optional(),
  busyTimeoutMs: z.number().int().nonnegative().optional(),
});
const querySchema = z.object({ path: z.string().min(1), table: tableSchema.optional() });

/**
 * The DDL of the SQLite prediction table and its indexes (idempotent). Times are integer ms since
 * the epoch; `prediction`, `input` and `fallback` are JSON text; the primary key
 * `(request_id, variant, shadow)` makes a retried batch insert nothing twice.
 *
 * @example
 * ```ts
 * console.log(sqliteSchemaSql('modelship_predictions'));
 * ```
 */
export function sqliteSchemaSql(table: string = DEFAULT_TABLE): string {
  const t = parseOptions(tableSchema, table, 'sqliteSchemaSql');
  return `CREATE TABLE IF NOT EXISTS ${t} (
  request_id    TEXT    NOT NULL,
  variant       TEXT    NOT NULL,
  shadow        INTEGER NOT NULL DEFAULT 0,
  started_at    INTEGER NOT NULL,
  model         TEXT    NOT NULL,
  model_version INTEGER NOT NULL,
  latency_ms    REAL    NOT NULL,
  prediction    TEXT,
  input         TEXT,
  fallback      TEXT,
  error         TEXT,
  PRIMARY KEY (request_id, variant, shadow)
);
CREATE INDEX IF NOT EXISTS ${t}_started_at_idx ON ${t} (started_at);
CREATE INDEX IF NOT EXISTS ${t}_model_started_at_idx ON ${t} (model, started_at);
CREATE INDEX IF NOT EXISTS ${t}_model_variant_started_at_idx ON ${t} (model, variant, started_at);`;
}

function openFailed(operation: string, path: string, err: unknown): PredictionLogSqlError {
  const code = (err as { code?: unknown } | null)?.code;
  return new PredictionLogSqlError(
    'OPEN_FAILED',
    `${operation}: cannot open ${path} for writing: ${err instanceof Error ? err.message : String(err)}`,
    { operation, details: { path, sqliteCode: typeof code === 'string' ? code : undefined }, cause: err },
  );
}

/**
 * A prediction-log sink writing to a SQLite file: a router's `PredictionSink`. `write` only
 * buffers (O(1) per row); a timer writes batches of `batchSize` rows, one transaction each, with
 * `INSERT … ON CONFLICT DO NOTHING`, retrying a failed batch with backoff while keeping its rows.
 * The file is opened (WAL mode) and checked writable when the sink is created.
 */
export class SqliteSink {
  readonly #db: Database.Database;
  readonly #batcher: Batcher;
  readonly #timeout: number;
  readonly #insertMany: (rows: readonly LoggedPredictionInput[]) => number;

  constructor(options: SqliteSinkOptions) {
    const o = parseOptions(sinkSchema, options, 'createSqliteSink');
    const logger = childLogger((o.logger as Logger | undefined) ?? silentLogger, {
      component: 'prediction-log-sqlite',
    });
    const table = o.table ?? DEFAULT_TABLE;
    let db: Database.Database | undefined;
    try {
      db = new Database(o.path);
      db.pragma(`busy_timeout = ${o.busyTimeoutMs ?? 0}`);
      // Proves the file writable now (a read-only file or folder fails here, not in the background).
      db.exec('BEGIN IMMEDIATE; ROLLBACK');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      if (o.ensureSchema !== false) db.exec(sqliteSchemaSql(table));
    } catch (err) {
      db?.close();
      throw openFailed('createSqliteSink', o.path, err);
    }
    this.#db = db;
    const insert = db.prepare(
      `INSERT INTO ${table} (request_id, variant, shadow, started_at, model, model_version, latency_ms, prediction, input, fallback, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    const one = (r: LoggedPredictionInput): void => {
      insert.run(
        r.requestId,
        r.variant,
        r.shadow === true ? 1 : 0,
        Math.round(r.time),
        r.model,
        r.modelVersion,
        r.latencyMs,
        json(r.prediction),
        json(r.input),
        r.fallback === undefined ? null : json(r.fallback),
        r.error ?? null,
      );
    };
    const tx = db.transaction((rows: readonly LoggedPredictionInput[]) => {
      for (const r of rows) one(r);
    });
    this.#insertMany = (rows) => {
      tx(rows);
      return 0;
    };
    this.#timeout = o.closeTimeoutMs ?? 5000;
    this.#batcher = new Batcher({
      maxBuffered: o.maxBuffered ?? 100_000,
      batchSize: o.batchSize ?? 50,
      flushIntervalMs: o.flushIntervalMs ?? 200,
      retryInitialMs: o.retryInitialMs ?? 100,
      retryMaxMs: o.retryMaxMs ?? 5000,
      closeTimeoutMs: this.#timeout,
      logger,
      yieldBetweenBatches: true,
      send: async (batch) => this.#insertMany(batch),
    });
  }

  /** Buffers a batch of logged predictions; O(1) per row, never waits, never throws. */
  write(records: readonly LoggedPredictionInput[]): void {
    this.#batcher.push(records);
  }

  /** Writes what is buffered; rejects with `FLUSH_TIMEOUT` if rows remain after `closeTimeoutMs`. */
  flush(): Promise<void> {
    return this.#batcher.flush(this.#timeout, 'SqliteSink.flush');
  }

  /** Flushes within `closeTimeoutMs` (what remains is counted as dropped) and closes the file. */
  async close(): Promise<void> {
    await this.#batcher.close('SqliteSink.close');
    if (this.#db.open) this.#db.close();
  }

  /** Counters: buffered, written, dropped, rejected, failed flushes, last error. */
  stats(): SqlSinkStats {
    return this.#batcher.snapshot();
  }
}

/**
 * Creates a {@link SqliteSink}; pass it in the router's `sinks`. Throws `OPEN_FAILED` when the
 * file cannot be opened for writing.
 *
 * @example
 * ```ts
 * const sink = createSqliteSink({ path: '/var/lib/modelship/predictions.db' });
 * const router = createModelRouter({ model: 'churn', registry, hmacKey, sinks: [sink] });
 * ```
 */
export function createSqliteSink(options: SqliteSinkOptions): SqliteSink {
  return new SqliteSink(options);
}

interface DbRow {
  request_id: string;
  variant: string;
  shadow: number;
  started_at: number;
  model: string;
  model_version: number;
  latency_ms: number;
  prediction: string | null;
  input: string | null;
  fallback: string | null;
  error: string | null;
}

const parse = (s: string | null): unknown => (s === null ? null : JSON.parse(s));

function toRow(r: DbRow): PredictionRow {
  const row: PredictionRow = {
    requestId: r.request_id,
    time: r.started_at,
    model: r.model,
    variant: r.variant,
    modelVersion: r.model_version,
    latencyMs: r.latency_ms,
    prediction: parse(r.prediction),
    input: parse(r.input),
    shadow: r.shadow === 1,
  };
  if (r.fallback !== null) row.fallback = parse(r.fallback) as NonNullable<PredictionRow['fallback']>;
  if (r.error !== null) row.error = r.error;
  return row;
}

/** The query API over a SQLite prediction table (see {@link PredictionQuery}); opens the file read-only. */
export class SqlitePredictionQuery implements PredictionQuery {
  readonly #db: Database.Database;
  readonly #table: string;

  constructor(options: SqliteQueryOptions) {
    const o = parseOptions(querySchema, options, 'createSqlitePredictionQuery');
    this.#table = o.table ?? DEFAULT_TABLE;
    try {
      this.#db = new Database(o.path, { readonly: true, fileMustExist: true });
    } catch (err) {
      throw new PredictionLogSqlError(
        'OPEN_FAILED',
        `createSqlitePredictionQuery: cannot open ${o.path}: ${err instanceof Error ? err.message : String(err)}`,
        { operation: 'createSqlitePredictionQuery', details: { path: o.path }, cause: err },
      );
    }
  }

  #rows(operation: string, sql: string, values: unknown[]): PredictionRow[] {
    if (!this.#db.open)
      throw new PredictionLogSqlError('CLOSED', `${operation}: the query object is closed`, { operation });
    try {
      return (this.#db.prepare(sql).all(...values) as DbRow[]).map(toRow);
    } catch (err) {
      throw queryFailed(operation, err);
    }
  }

  /** The newest rows, newest first. */
  async recent(query?: RecentQuery): Promise<PredictionRow[]> {
    const q = parseRecent(query, 'recent');
    const where = q.model !== undefined ? 'WHERE model = ?' : '';
    return this.#rows(
      'recent',
      `SELECT * FROM ${this.#table} ${where} ORDER BY started_at DESC, request_id DESC, variant DESC, shadow DESC LIMIT ?`,
      q.model !== undefined ? [q.model, q.limit] : [q.limit],
    );
  }

  /** Every row of one request id, the answer first. */
  async byRequestId(requestId: string): Promise<PredictionRow[]> {
    if (typeof requestId !== 'string' || requestId.length === 0)
      throw new PredictionLogSqlError('INVALID_OPTIONS', 'byRequestId: requestId: expected a non-empty string', {
        operation: 'byRequestId',
        details: { field: 'requestId' },
      });
    return this.#rows('byRequestId', `SELECT * FROM ${this.#table} WHERE request_id = ? ORDER BY shadow, variant`, [
      requestId,
    ]);
  }

  /** Rows of a model (and variant) in `[from, to)`, oldest first, a page at a time. */
  async range(query: RangeQuery): Promise<RangePage> {
    const q = parseRange(query, 'range');
    const values: unknown[] = [q.model, q.from, q.to];
    let where = 'model = ? AND started_at >= ? AND started_at < ?';
    if (q.variant !== undefined) {
      values.push(q.variant);
      where += ' AND variant = ?';
    }
    if (q.after) {
      values.push(q.after[0], q.after[1], q.after[2], q.after[3] ? 1 : 0);
      where += ' AND (started_at, request_id, variant, shadow) > (?, ?, ?, ?)';
    }
    values.push(q.limit + 1);
    const rows = this.#rows(
      'range',
      `SELECT * FROM ${this.#table} WHERE ${where} ORDER BY started_at, request_id, variant, shadow LIMIT ?`,
      values,
    );
    if (rows.length <= q.limit) return { rows };
    rows.pop();
    const last = rows[rows.length - 1]!;
    return { rows, nextCursor: encodeCursor([last.time, last.requestId, last.variant, last.shadow]) };
  }

  /** Closes the file. */
  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}

/**
 * Creates a {@link SqlitePredictionQuery} over a sink's file (for the dashboard and the CLI).
 *
 * @example
 * ```ts
 * const q = createSqlitePredictionQuery({ path: '/var/lib/modelship/predictions.db' });
 * const page = await q.range({ model: 'churn', variant: 'candidate', from: Date.now() - 3_600_000, to: Date.now() });
 * ```
 */
export function createSqlitePredictionQuery(options: SqliteQueryOptions): SqlitePredictionQuery {
  return new SqlitePredictionQuery(options);
}

export type { LoggedPredictionInput, PredictionQuery, PredictionRow, RangePage, RangeQuery, RecentQuery, SqlSinkStats };
