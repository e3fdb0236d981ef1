import { z } from 'zod';
import { PredictionLogSqlError } from './errors.js';
import type { RangeQuery, RecentQuery } from './types.js';

/** A table name: a plain SQL identifier (used unquoted in DDL and queries, so validated strictly). */
export const tableSchema = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,47}$/, 'expected a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most 48 characters)');

/** Options shared by the SQL sinks (validated by each factory). */
export const sinkShape = {
  table: tableSchema.optional(),
  ensureSchema: z.boolean().optional(),
  maxBuffered: z.number().int().positive().optional(),
  flushIntervalMs: z.number().int().positive().max(60_000).optional(),
  retryInitialMs: z.number().int().positive().optional(),
  retryMaxMs: z.number().int().positive().optional(),
  closeTimeoutMs: z.number().int().nonnegative().optional(),
  logger: z
    .custom<unknown>(
      (v) => typeof v === 'object' && v !== null && typeof (v as { error?: unknown }).error === 'function',
      'expected a pino-compatible logger',
    )
    .optional(),
};

/** The default table name. */
export const DEFAULT_TABLE = 'modelship_predictions';

/** Parses options with zod, throwing `INVALID_OPTIONS` whose message names the field. */
export function parseOptions<T>(schema: z.ZodType<T>, options: unknown, operation: string): T {
  const parsed = schema.safeParse(options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PredictionLogSqlError(
      'INVALID_OPTIONS',
      `invalid ${operation} options: ${z.prettifyError(parsed.error)}`,
      { operation, details: { field: issue?.path.join('.') }, cause: parsed.error },
    );
  }
  return parsed.data;
}

/** JSON replacer: typed arrays as arrays, bigints as strings. */
function replacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** The JSON text of a value (`null` for `undefined`). */
export function json(value: unknown): string | null {
  if (value === undefined) return null;
  return JSON.stringify(value, replacer) ?? null;
}

const recentSchema = z.object({
  model: z.string().min(1).optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
});
const timeSchema = z.union([z.number().finite(), z.date()]);
const rangeSchema = z.object({
  model: z.string().min(1),
  variant: z.string().min(1).optional(),
  from: timeSchema,
  to: timeSchema,
  limit: z.number().int().min(1).max(10_000).optional(),
  cursor: z.string().min(1).optional(),
});

/** A validated `recent` query. */
export function parseRecent(q: RecentQuery | undefined, operation: string): { model?: string; limit: number } {
  const p = parseOptions(recentSchema, q, operation);
  return { ...(p.model !== undefined ? { model: p.model } : {}), limit: p.limit ?? 100 };
}

/** The position after the last row of a page: time, request id, variant, shadow. */
export type CursorKey = [time: number, requestId: string, variant: string, shadow: boolean];

/** A validated `range` query with times in ms. */
export interface ParsedRange {
  model: string;
  variant?: string;
  from: number;
  to: number;
  limit: number;
  after?: CursorKey;
}

export function parseRange(q: RangeQuery, operation: string): ParsedRange {
  const p = parseOptions(rangeSchema, q, operation);
  const out: ParsedRange = {
    model: p.model,
    from: typeof p.from === 'number' ? p.from : p.from.getTime(),
    to: typeof p.to === 'number' ? p.to : p.to.getTime(),
    limit: p.limit ?? 1000,
  };
  if (p.variant !== undefined) out.variant = p.variant;
  if (p.cursor !== undefined) out.after = decodeCursor(p.cursor, operation);
  return out;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, operation: string): CursorKey {
  try {
    const k = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(k) &&
      k.length === 4 &&
      typeof k[0] === 'number' &&
      typeof k[1] === 'string' &&
      typeof k[2] === 'string' &&
      typeof k[3] === 'boolean'
    )
      return k as CursorKey;
  } catch {
    // fall through
  }
  throw new PredictionLogSqlError('INVALID_OPTIONS', `invalid ${operation} options: cursor: not a cursor of this API`, {
    operation,
    details: { field: 'cursor' },
  });
}

/** Wraps a failed query in `QUERY_FAILED`. */
export function queryFailed(operation: string, err: unknown): PredictionLogSqlError {
  return new PredictionLogSqlError(
    'QUERY_FAILED',
    `${operation} failed: ${err instanceof Error ? err.message : String(err)}`,
    { operation, cause: err },
  );
}
