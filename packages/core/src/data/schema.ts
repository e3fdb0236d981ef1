import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { parseOrThrow } from './zod-parse.js';

/** The spec of one column of a {@link Schema}. */
export interface ColumnSpec {
  /** `'numeric'` (numbers) or `'categorical'` (strings). */
  readonly type: 'numeric' | 'categorical';
  /** What the column is for; default `'feature'`. */
  readonly role?: 'feature' | 'target' | 'id' | undefined;
  /** Whether every row must have a value (and a file must have the column); default `true`. */
  readonly required?: boolean | undefined;
  /** Smallest allowed value (numeric only); default none. */
  readonly min?: number | undefined;
  /** Largest allowed value (numeric only); default none. */
  readonly max?: number | undefined;
  /** Whether values must be whole numbers (numeric only); default `false`. */
  readonly integer?: boolean | undefined;
  /** The closed list of allowed values (categorical only); default open (any string). */
  readonly categories?: readonly string[] | undefined;
}

/** A feature spec: plain JSON data, so it can be stored inside a model artifact. */
export interface Schema {
  /** Columns by name, in order. */
  readonly columns: Readonly<Record<string, ColumnSpec>>;
}

const columnSpecZ = z
  .strictObject({
    type: z.enum(['numeric', 'categorical']),
    role: z.enum(['feature', 'target', 'id']).optional(),
    required: z.boolean().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    integer: z.boolean().optional(),
    categories: z.array(z.string()).min(1).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.type === 'categorical') {
      for (const k of ['min', 'max', 'integer'] as const) {
        if (c[k] !== undefined)
          ctx.addIssue({ code: 'custom', path: [k], message: `'${k}' applies to numeric columns only` });
      }
    } else if (c.categories !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['categories'],
        message: "'categories' applies to categorical columns only",
      });
    }
    if (c.min !== undefined && c.max !== undefined && c.min > c.max) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: `max (${c.max}) is below min (${c.min})` });
    }
    if (c.categories && new Set(c.categories).size !== c.categories.length) {
      ctx.addIssue({ code: 'custom', path: ['categories'], message: 'categories must be distinct' });
    }
  });

/** The zod schema of a {@link Schema} (for embedding in other zod schemas, e.g. artifacts). */
export const schemaZ: z.ZodType<Schema> = z.strictObject({
  columns: z
    .record(z.string().min(1), columnSpecZ)
    .refine((cols) => Object.keys(cols).length > 0, { message: 'at least one column is required' }),
});

function parseSchema(spec: unknown, operation: string): Schema {
  return deepFreeze(
    parseOrThrow(schemaZ, spec, operation, 'schema', (m, o) => new ValidationError('INVALID_OPTIONS', m, o)),
  );
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/**
 * Validates a feature spec and returns it as frozen plain data. Throws ValidationError
 * `INVALID_OPTIONS` with the zod error text naming the bad field.
 *
 * @example
 * ```ts
 * const schema = defineSchema({
 *   columns: {
 *     sqft: { type: 'numeric', min: 100 },
 *     city: { type: 'categorical', categories: ['a', 'b'] },
 *     price: { type: 'numeric', role: 'target' },
 *   },
 * });
 * ```
 */
export function defineSchema(spec: Schema): Schema {
  return parseSchema(spec, 'defineSchema');
}

/** The schema as plain JSON data (it already is; this returns a deep copy). */
export function schemaToJSON(schema: Schema): Schema {
  return JSON.parse(JSON.stringify(schema)) as Schema;
}

/** Reads a schema back from JSON data, validating it (ValidationError `INVALID_OPTIONS` when bad). */
export function schemaFromJSON(json: unknown): Schema {
  return parseSchema(json, 'schemaFromJSON');
}

/** Names of the columns with the given role (role defaults to `'feature'`). */
export function columnsWithRole(schema: Schema, role: 'feature' | 'target' | 'id'): string[] {
  return Object.entries(schema.columns)
    .filter(([, c]) => (c.role ?? 'feature') === role)
    .map(([n]) => n);
}

/** Quotes a received value for an error message. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 60 ? `${v.slice(0, 57)}...` : v}'`;
  if (typeof v === 'number') return String(v);
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

/** What a numeric column expects, in words. */
function expectedNumber(spec: ColumnSpec): string {
  const parts = [spec.integer ? 'an integer' : 'a number'];
  if (spec.min !== undefined && spec.max !== undefined) parts.push(`in [${spec.min}, ${spec.max}]`);
  else if (spec.min !== undefined) parts.push(`>= ${spec.min}`);
  else if (spec.max !== undefined) parts.push(`<= ${spec.max}`);
  return parts.join(' ');
}

/**
 * Checks one present numeric value against its spec; returns the problem in words
 * (`"expected a number >= 0, got -3"`) or `undefined` when it is fine.
 */
export function checkNumber(spec: ColumnSpec, v: number, raw: unknown = v): string | undefined {
  if (Number.isNaN(v))
    return `expected ${expectedNumber(spec)}, got ${typeof raw === 'string' ? describeValue(raw) : 'NaN'}`;
  if (!Number.isFinite(v)) return `expected ${expectedNumber(spec)}, got ${describeValue(raw)}`;
  if (spec.integer && !Number.isInteger(v)) return `expected ${expectedNumber(spec)}, got ${describeValue(raw)}`;
  if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) {
    return `expected ${expectedNumber(spec)}, got ${describeValue(raw)} (out of range)`;
  }
  return undefined;
}

/** Checks one present categorical value against its spec; returns the problem in words or `undefined`. */
export function checkCategory(spec: ColumnSpec, v: string): string | undefined {
  if (spec.categories && !spec.categories.includes(v)) {
    const list = spec.categories
      .slice(0, 20)
      .map((c) => `'${c}'`)
      .join(', ');
    return `expected one of ${list}${spec.categories.length > 20 ? ', ...' : ''}, got ${describeValue(v)} (unseen category)`;
  }
  return undefined;
}

/** Options of {@link validateRow}. */
export interface ValidateRowOptions {
  /** Also require the target column(s); default `false` (serving rows have no target). */
  includeTarget?: boolean | undefined;
  /** What to do with fields the schema does not list: `'ignore'` (default, dropped) or `'error'`. */
  extraFields?: 'ignore' | 'error' | undefined;
}

/**
 * Validates one input row (e.g. a request body at serving time) against a schema and returns it
 * typed: numbers for numeric columns, strings for categorical ones, `null` for absent optional
 * fields. Throws ValidationError `INVALID_INPUT` naming every bad field and what was expected
 * (missing field, wrong type, NaN, ±Infinity, out of range, unseen category).
 *
 * @example
 * ```ts
 * validateRow(schema, { sqft: 1200, city: 'a' }); // { sqft: 1200, city: 'a' }
 * ```
 */
export function validateRow(
  schema: Schema,
  input: unknown,
  options: ValidateRowOptions = {},
): Record<string, number | string | null> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError(
      'INVALID_INPUT',
      `validateRow: expected an object of fields, got ${describeValue(input)}`,
      {
        operation: 'validateRow',
      },
    );
  }
  const rec = input as Record<string, unknown>;
  const out: Record<string, number | string | null> = {};
  const issues: { field: string; message: string }[] = [];
  for (const [name, spec] of Object.entries(schema.columns)) {
    if (spec.role === 'target' && !options.includeTarget) continue;
    const v = rec[name];
    if (v === undefined || v === null) {
      if (spec.required !== false) {
        issues.push({
          field: name,
          message: `required, expected ${spec.type === 'numeric' ? expectedNumber(spec) : 'a string'}`,
        });
      }
      out[name] = null;
      continue;
    }
    if (spec.type === 'numeric') {
      const problem =
        typeof v === 'number'
          ? checkNumber(spec, v)
          : `expected ${expectedNumber(spec)}, got ${typeof v} ${describeValue(v)}`;
      if (problem) issues.push({ field: name, message: problem });
      else out[name] = v as number;
    } else {
      const problem =
        typeof v === 'string' ? checkCategory(spec, v) : `expected a string, got ${typeof v} ${describeValue(v)}`;
      if (problem) issues.push({ field: name, message: problem });
      else out[name] = v as string;
    }
  }
  if (options.extraFields === 'error') {
    for (const k of Object.keys(rec)) {
      if (!Object.hasOwn(schema.columns, k)) issues.push({ field: k, message: 'unexpected field (not in the schema)' });
    }
  }
  if (issues.length > 0) {
    const text = issues.map((i) => `field '${i.field}': ${i.message}`).join('; ');
    throw new ValidationError('INVALID_INPUT', `invalid row: ${text}`, {
      operation: 'validateRow',
      details: { field: issues[0]!.field, issues },
    });
  }
  return out;
}
