/** Why production answered a request assigned to another variant (as the router records it). */
export type SqlFallbackReason = 'error' | 'timeout' | 'non_finite';

/**
 * A logged prediction as the router's prediction log hands it to a sink (`LoggedPrediction` of
 * `@modelship/router`, restated structurally so that this package does not import the router).
 */
export interface LoggedPredictionInput {
  /** The signed request id. */
  readonly requestId: string;
  /** When the request started, in ms since the epoch. */
  readonly time: number;
  /** The model name. */
  readonly model: string;
  /** The variant that answered (for a shadow record: the shadow variant). */
  readonly variant: string;
  /** The model version that answered. */
  readonly modelVersion: number;
  /** Time spent in the model(s), in ms. */
  readonly latencyMs: number;
  /** The answer (`undefined` when a shadow call failed). */
  readonly prediction: unknown;
  /** The input after redaction; absent when redacted away. */
  readonly input?: unknown;
  /** True for a mirrored call whose answer was recorded but not returned. */
  readonly shadow?: boolean;
  /** Set when another variant was assigned but failed and production answered. */
  readonly fallback?: {
    /** The assigned variant that failed. */
    readonly from: string;
    /** Its model version. */
    readonly fromVersion: number;
    /** Why it failed. */
    readonly reason: SqlFallbackReason;
  };
  /** The error message of a failed shadow call. */
  readonly error?: string;
}

/** One stored prediction, as the query API returns it. */
export interface PredictionRow {
  /** The signed request id. */
  requestId: string;
  /** When the request started, in ms since the epoch. */
  time: number;
  /** The model name. */
  model: string;
  /** The variant that answered (for a shadow row: the shadow variant). */
  variant: string;
  /** The model version that answered. */
  modelVersion: number;
  /** Time spent in the model(s), in ms. */
  latencyMs: number;
  /** The answer (`null` when a shadow call failed); typed arrays are stored as arrays. */
  prediction: unknown;
  /** The stored (redacted) input; `null` when none was logged. */
  input: unknown;
  /** True for a mirrored call whose answer was recorded but not returned. */
  shadow: boolean;
  /** Set when another variant was assigned but failed and production answered. */
  fallback?: {
    /** The assigned variant that failed. */
    from: string;
    /** Its model version. */
    fromVersion: number;
    /** Why it failed. */
    reason: SqlFallbackReason;
  };
  /** The error message of a failed shadow call. */
  error?: string;
}

/**
 * Counters of a SQL sink. `buffered + written + dropped` is every row the sink was given
 * (rows in a batch being written count as buffered until the database confirms them).
 */
export interface SqlSinkStats {
  /** Rows waiting to be written (including those of a batch in flight). */
  buffered: number;
  /** Rows the database confirmed (a row it already held, e.g. from a retried batch, is confirmed without a second copy). */
  written: number;
  /** Rows given up: the buffer was full (the newest rows are dropped), the sink was closed, or the database rejected the row itself. */
  dropped: number;
  /** Of `dropped`: rows the database rejected as data (e.g. a value it cannot store), written alone and still refused. */
  rejected: number;
  /** Batches whose write failed (each is retried with backoff, its rows kept). */
  failedFlushes: number;
  /** The message of the last failed write, if any. */
  lastError?: string;
}

/** Options of {@link PredictionQuery.recent}. */
export interface RecentQuery {
  /** Only this model. Default every model. */
  readonly model?: string;
  /** The most rows returned (1 – 10,000). Default 100. */
  readonly limit?: number;
}

/** Options of {@link PredictionQuery.range}. */
export interface RangeQuery {
  /** The model. */
  readonly model: string;
  /** Only this variant. Default every variant. */
  readonly variant?: string;
  /** Start of the time range (inclusive): ms since the epoch or a `Date`. */
  readonly from: number | Date;
  /** End of the time range (exclusive): ms since the epoch or a `Date`. */
  readonly to: number | Date;
  /** The most rows of one page (1 – 10,000). Default 1,000. */
  readonly limit?: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** One page of {@link PredictionQuery.range}. */
export interface RangePage {
  /** Rows in time order (oldest first). */
  rows: PredictionRow[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/** The query API over a prediction table; the same for PostgreSQL and SQLite. */
export interface PredictionQuery {
  /** The newest rows, newest first. */
  recent(query?: RecentQuery): Promise<PredictionRow[]>;
  /** Every row of one request id (the answer, and the shadow calls mirrored from it), answer first. */
  byRequestId(requestId: string): Promise<PredictionRow[]>;
  /** Rows of a model (and variant) in `[from, to)`, oldest first, one page at a time. */
  range(query: RangeQuery): Promise<RangePage>;
}
