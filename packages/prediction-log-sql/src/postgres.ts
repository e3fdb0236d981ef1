/**
 * The PostgreSQL prediction-log sink (`pg`) and the query API over its table.
 *
 * @module
 */
import { childLogger, silentLogger, type Logger } from '@modelship/core';
import pg from 'pg';
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

/** What the sink needs of a `pg.Pool` (a `pg.Pool` or `pg.Client` satisfies it). */
export interface PgQueryable {
  /** Runs one statement with `$n` parameters. */
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  /** Event subscription (a pool's `'error'` event). */
  on?(event: 'error', listener: (err: Error) => void): unknown;
}

/** Options of {@link createPostgresSink}. */
export interface PostgresSinkOptions {
  /**
   * A pool to write through; not ended by `close()`. Give this or `connectionString`. (A single
   * `pg.Client` works too, but cannot reconnect after the server restarts: prefer a pool.)
   * The sink adds an `'error'` listener (logging at warn) to it, so that an idle connection
   * dropped by a restarting server cannot crash the process.
   */
  readonly pool?: PgQueryable;
  /** A connection string; the sink then owns a small pool (2 connections) and ends it on `close()`. */
  readonly connectionString?: string;
  /** The table (a lower-case SQL identifier). Default `modelship_predictions`. */
  readonly table?: string;
  /** Create the table and its indexes (idempotent, see {@link postgresSchemaSql}) before the first write. Default `true`. */
  readonly ensureSchema?: boolean;
  /** Rows buffered while the database is slow or down; beyond it the newest rows are dropped and counted. Default 100,000. */
  readonly maxBuffered?: number;
  /** Rows per INSERT statement (1 – 5,000). Encoding a batch runs on the event loop, so a smaller batch blocks less. Default 100. */
  readonly batchSize?: number;
  /** Longest a row waits before a batch is sent, in ms. Default 200. */
  readonly flushIntervalMs?: number;
  /** First retry delay after a failed batch, in ms (doubling up to `retryMaxMs`). Default 100. */
  readonly retryInitialMs?: number;
  /** Longest retry delay, in ms. Default 5,000. */
  readonly retryMaxMs?: number;
  /** How long `close()` keeps trying to write what is buffered, in ms. Default 5,000. */
  readonly closeTimeoutMs?: number;
  /** Statement timeout of the owned pool's queries, in ms. Default 10,000. */
  readonly queryTimeoutMs?: number;
  /** Pino-compatible logger. Default silent. */
  readonly logger?: Logger;
}

/** Options of {@link createPostgresPredictionQuery}. */
export interface PostgresQueryOptions {
  /** A pool (or client) to query through; not ended by `close()`. Give this or `connectionString`. */
  readonly pool?: PgQueryable;
  /** A connection string; the query object then owns a small pool and ends it on `close()`. */
  readonly connectionString?: string;
  /** The table. Default `modelship_predictions`. */
  readonly table?: string;
}

const connectionShape = {
  pool: z
    .custom<PgQueryable>(
      (v) => typeof v === 'object' && v !== null && typeof (v as { query?: unknown }).query === 'function',
      'expected a pg Pool or Client (an object with query(text, values))',
    )
    .optional(),
  connectionString: z.string().min(1).optional(),
};
const exactlyOne = (o: { pool?: unknown; connectionString?: unknown }): boolean =>
  (o.pool === undefined) !== (o.connectionString === undefined);
const oneMessage = { message: 'give exactly one of pool and connectionString', path: ['pool'] };

const sinkSchema = z
  .object({
    ...connectionShape,
    ...sinkShape,
    batchSize: z.number().int().min(1).max(5000).optional(),
    queryTimeoutMs: z.number().int().positive().optional(),
  })
  .refine(exactlyOne, oneMessage);
const querySchema = z.object({ ...connectionShape, table: tableSchema.optional() }).refine(exactlyOne, oneMessage);

/**
 * The DDL of the prediction table and its indexes (idempotent: `IF NOT EXISTS`). The primary key
 * `(request_id, variant, shadow)` makes a retried batch insert nothing twice (`ON CONFLICT DO
 * NOTHING`) and serves look-ups by request id; the other indexes serve time, model and variant.
 *
 * @example
 * ```ts
 * console.log(postgresSchemaSql('modelship_predictions'));
 * ```
 */
export function postgresSchemaSql(table: string = DEFAULT_TABLE): string {
  const t = parseOptions(tableSchema, table, 'postgresSchemaSql');
  return `CREATE TABLE IF NOT EXISTS ${t} (
  request_id    text             NOT NULL,
  variant       text             NOT NULL,
  shadow        boolean          NOT NULL DEFAULT false,
  started_at    timestamptz      NOT NULL,
  model         text             NOT NULL,
  model_version integer          NOT NULL,
  latency_ms    double precision NOT NULL,
  prediction    jsonb,
  input         jsonb,
  fallback      jsonb,
  error         text,
  PRIMARY KEY (request_id, variant, shadow)
);
CREATE INDEX IF NOT EXISTS ${t}_started_at_idx ON ${t} (started_at);
CREATE INDEX IF NOT EXISTS ${t}_model_started_at_idx ON ${t} (model, started_at);
CREATE INDEX IF NOT EXISTS ${t}_model_variant_started_at_idx ON ${t} (model, variant, started_at);`;
}

function ownPool(connectionString: string, queryTimeoutMs: number, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: 2,
    connectionTimeoutMillis: 5000,
    query_timeout: queryTimeoutMs,
    idleTimeoutMillis: 30_000,
  });
  // An idle client's error (the server restarted) is emitted on the pool: without a listener it would crash the process.
  pool.on('error', (err) => logger.warn({ err }, 'prediction log: an idle PostgreSQL connection failed'));
  return pool;
}

/** Creates the table and indexes under an advisory lock, so that replicas starting together do not race. */
async function migrate(db: PgQueryable, table: string): Promise<void> {
  // One simple-protocol string runs as one implicit transaction, so the xact lock holds for all of it.
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('modelship:${table}'));\n${postgresSchemaSql(table)}`);
}

const COLUMNS =
  'request_id, variant, shadow, started_at, model, model_version, latency_ms, prediction, input, fallback, error';

/**
 * One statement per batch: the rows travel as ONE JSON array parameter that the server expands with
 * `jsonb_to_recordset`, so the client does one string build per batch instead of 11 parameters a
 * row (cheaper on the event loop, and no 65,535-parameter limit).
 */
function insertSql(table: string): string {
  return `INSERT INTO ${table} (${COLUMNS})
SELECT r.request_id, r.variant, r.shadow, r.started_at, r.model, r.model_version, r.latency_ms, r.prediction, r.input, r.fallback, r.error
FROM jsonb_to_recordset($1::jsonb) AS r(request_id text, variant text, shadow boolean, started_at timestamptz, model text,
  model_version integer, latency_ms double precision, prediction jsonb, input jsonb, fallback jsonb, error text)
ON CONFLICT DO NOTHING`;
}

/** The JSON array of a batch, in the record shape of {@link insertSql}. */
function batchJson(rows: readonly LoggedPredictionInput[]): string {
  let out = '[';
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (i > 0) out += ',';
    out += `{"request_id":${JSON.stringify(r.requestId)},"variant":${JSON.stringify(r.variant)},"shadow":${r.shadow === true},"started_at":"${new Date(r.time).toISOString()}","model":${JSON.stringify(r.model)},"model_version":${JSON.stringify(r.modelVersion)},"latency_ms":${JSON.stringify(r.latencyMs)},"prediction":${json(r.prediction)},"input":${json(r.input)},"fallback":${r.fallback === undefined ? 'null' : json(r.fallback)},"error":${r.error === undefined ? 'null' : JSON.stringify(r.error)}}`;
  }
  return out + ']';
}

/** True for an error of the data itself (SQLSTATE class 22 data exception, 23 integrity), which no retry cures. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

/**
 * A prediction-log sink writing to PostgreSQL: a router's `PredictionSink`. `write` only buffers
 * (O(1) per row, never waits, never throws); a background flusher sends multi-row `INSERT … ON
 * CONFLICT DO NOTHING` statements, retries a failed batch with backoff while keeping its rows,
 * and drops (and counts) the newest rows when more than `maxBuffered` wait.
 */
export class PostgresSink {
  readonly #db: PgQueryable;
  readonly #owned: pg.Pool | undefined;
  readonly #table: string;
  readonly #batcher: Batcher;
  readonly #timeout: number;
  #schemaReady: boolean;
  readonly #insertSql: string;
  readonly #logger: Logger;

  constructor(options: PostgresSinkOptions) {
    const o = parseOptions(sinkSchema, options, 'createPostgresSink');
    this.#logger = childLogger((o.logger as Logger | undefined) ?? silentLogger, {
      component: 'prediction-log-postgres',
    });
    this.#table = o.table ?? DEFAULT_TABLE;
    this.#insertSql = insertSql(this.#table);
    this.#owned =
      o.connectionString !== undefined
        ? ownPool(o.connectionString, o.queryTimeoutMs ?? 10_000, this.#logger)
        : undefined;
    this.#db = this.#owned ?? o.pool!;
    if (!this.#owned && typeof this.#db.on === 'function')
      this.#db.on('error', (err) => this.#logger.warn({ err }, 'prediction log: an idle PostgreSQL connection failed'));
    this.#schemaReady = o.ensureSchema === false;
    this.#timeout = o.closeTimeoutMs ?? 5000;
    this.#batcher = new Batcher({
      maxBuffered: o.maxBuffered ?? 100_000,
      batchSize: o.batchSize ?? 100,
      flushIntervalMs: o.flushIntervalMs ?? 200,
      retryInitialMs: o.retryInitialMs ?? 100,
      retryMaxMs: o.retryMaxMs ?? 5000,
      closeTimeoutMs: this.#timeout,
      logger: this.#logger,
      yieldBetweenBatches: false,
      send: (batch) => this.#send(batch),
    });
  }

  /** Buffers a batch of logged predictions; O(1) per row, never waits, never throws. */
  write(records: readonly LoggedPredictionInput[]): void {
    this.#batcher.push(records);
  }

  /** Writes what is buffered; rejects with `FLUSH_TIMEOUT` if rows remain after `closeTimeoutMs`. */
  flush(): Promise<void> {
    return this.#batcher.flush(this.#timeout, 'PostgresSink.flush');
  }

  /** Flushes within `closeTimeoutMs` (what remains is counted as dropped) and ends the pool it owns. */
  async close(): Promise<void> {
    await this.#batcher.close('PostgresSink.close');
    await this.#owned
      ?.end()
      .catch((err: unknown) => this.#logger.warn({ err }, 'prediction log: ending the pool failed'));
  }

  /** Counters: buffered, written, dropped, rejected, failed flushes, last error. */
  stats(): SqlSinkStats {
    return this.#batcher.snapshot();
  }

  /** Creates the table and its indexes now (idempotent); throws `SCHEMA_FAILED`. */
  async migrate(): Promise<void> {
    try {
      await migrate(this.#db, this.#table);
      this.#schemaReady = true;
    } catch (err) {
      throw new PredictionLogSqlError(
        'SCHEMA_FAILED',
        `creating table ${this.#table} failed: ${String((err as Error)?.message ?? err)}`,
        {
          operation: 'PostgresSink.migrate',
          cause: err,
        },
      );
    }
  }

  async #send(batch: readonly LoggedPredictionInput[]): Promise<number> {
    if (!this.#schemaReady) await this.migrate();
    try {
      await this.#insert(batch);
      return 0;
    } catch (err) {
      if (!isDataError(err) || batch.length === 1) {
        if (isDataError(err)) {
          this.#logger.error({ err, requestId: batch[0]?.requestId }, 'prediction log: PostgreSQL rejected a row');
          return 1;
        }
        throw err;
      }
    }
    // One row of the batch is bad: write them one by one, so that only the bad rows are lost.
    let rejected = 0;
    for (const r of batch) {
      try {
        await this.#insert([r]);
      } catch (err) {
        if (!isDataError(err)) throw err;
        rejected++;
        this.#logger.error({ err, requestId: r.requestId }, 'prediction log: PostgreSQL rejected a row');
      }
    }
    return rejected;
  }

  async #insert(rows: readonly LoggedPredictionInput[]): Promise<void> {
    await this.#db.query(this.#insertSql, [batchJson(rows)]);
  }
}

/**
 * Creates a {@link PostgresSink}; pass it in the router's `sinks`.
 *
 * @example
 * ```ts
 * const sink = createPostgresSink({ connectionString: process.env.DATABASE_URL ?? 'postgres://localhost/modelship' });
 * const router = createModelRouter({ model: 'churn', registry, hmacKey, sinks: [sink] });
 * ```
 */
export function createPostgresSink(options: PostgresSinkOptions): PostgresSink {
  return new PostgresSink(options);
}

interface DbRow {
  request_id: string;
  variant: string;
  shadow: boolean;
  started_at: Date;
  model: string;
  model_version: number;
  latency_ms: number;
  prediction: unknown;
  input: unknown;
  fallback: NonNullable<PredictionRow['fallback']> | null;
  error: string | null;
}

function toRow(r: DbRow): PredictionRow {
  const row: PredictionRow = {
    requestId: r.request_id,
    time: r.started_at.getTime(),
    model: r.model,
    variant: r.variant,
    modelVersion: r.model_version,
    latencyMs: r.latency_ms,
    prediction: r.prediction,
    input: r.input,
    shadow: r.shadow,
  };
  if (r.fallback !== null) row.fallback = r.fallback;
  if (r.error !== null) row.error = r.error;
  return row;
}

/** The query API over a PostgreSQL prediction table (see {@link PredictionQuery}). */
export class PostgresPredictionQuery implements PredictionQuery {
  readonly #db: PgQueryable;
  readonly #owned: pg.Pool | undefined;
  readonly #table: string;

  constructor(options: PostgresQueryOptions) {
    const o = parseOptions(querySchema, options, 'createPostgresPredictionQuery');
    this.#table = o.table ?? DEFAULT_TABLE;
    this.#owned = o.connectionString !== undefined ? ownPool(o.connectionString, 30_000, silentLogger) : undefined;
    this.#db = this.#owned ?? o.pool!;
  }

  async #rows(operation: string, sql: string, values: unknown[]): Promise<PredictionRow[]> {
    try {
      const res = await this.#db.query(sql, values);
      return (res.rows as DbRow[]).map(toRow);
    } catch (err) {
      throw queryFailed(operation, err);
    }
  }

  /** The newest rows, newest first. */
  recent(query?: RecentQuery): Promise<PredictionRow[]> {
    const q = parseRecent(query, 'recent');
    const where = q.model !== undefined ? 'WHERE model = $2' : '';
    return this.#rows(
      'recent',
      `SELECT * FROM ${this.#table} ${where} ORDER BY started_at DESC, request_id DESC, variant DESC, shadow DESC LIMIT $1`,
      q.model !== undefined ? [q.limit, q.model] : [q.limit],
    );
  }

  /** Every row of one request id, the answer first. */
  byRequestId(requestId: string): Promise<PredictionRow[]> {
    if (typeof requestId !== 'string' || requestId.length === 0)
      return Promise.reject(
        new PredictionLogSqlError('INVALID_OPTIONS', 'byRequestId: requestId: expected a non-empty string', {
          operation: 'byRequestId',
          details: { field: 'requestId' },
        }),
      );
    return this.#rows('byRequestId', `SELECT * FROM ${this.#table} WHERE request_id = $1 ORDER BY shadow, variant`, [
      requestId,
    ]);
  }

  /** Rows of a model (and variant) in `[from, to)`, oldest first, a page at a time. */
  async range(query: RangeQuery): Promise<RangePage> {
    const q = parseRange(query, 'range');
    const values: unknown[] = [q.model, new Date(q.from).toISOString(), new Date(q.to).toISOString(), q.limit + 1];
    let where = 'model = $1 AND started_at >= $2 AND started_at < $3';
    if (q.variant !== undefined) {
      values.push(q.variant);
      where += ` AND variant = $${values.length}`;
    }
    if (q.after) {
      values.push(new Date(q.after[0]).toISOString(), q.after[1], q.after[2], q.after[3]);
      const n = values.length;
      where += ` AND (started_at, request_id, variant, shadow) > ($${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
    }
    const rows = await this.#rows(
      'range',
      `SELECT * FROM ${this.#table} WHERE ${where} ORDER BY started_at, request_id, variant, shadow LIMIT $4`,
      values,
    );
    if (rows.length <= q.limit) return { rows };
    rows.pop();
    const last = rows[rows.length - 1]!;
    return { rows, nextCursor: encodeCursor([last.time, last.requestId, last.variant, last.shadow]) };
  }

  /** Ends the pool it owns (a given pool is left open). */
  async close(): Promise<void> {
    await this.#owned?.end();
  }
}

/**
 * Creates a {@link PostgresPredictionQuery} (for the dashboard and the CLI).
 *
 * @example
 * ```ts
 * const q = createPostgresPredictionQuery({ connectionString: process.env.DATABASE_URL ?? 'postgres://localhost/modelship' });
 * const last = await q.recent({ model: 'churn', limit: 20 });
 * ```
 */
export function createPostgresPredictionQuery(options: PostgresQueryOptions): PostgresPredictionQuery {
  return new PostgresPredictionQuery(options);
}

export type { LoggedPredictionInput, PredictionQuery, PredictionRow, RangePage, RangeQuery, RecentQuery, SqlSinkStats };
