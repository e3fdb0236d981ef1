import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { DataError, ValidationError } from '@modelship/core';
import type { ColumnSpec, Schema } from '@modelship/core';
import { checkCategory, checkNumber, describeValue } from '@modelship/core/kit';
import { categoricalColumn, Table, type Column } from '@modelship/core';

/** Options of {@link parseCsv} and {@link readCsv}. */
export interface CsvOptions {
  /** The expected columns, types, ranges and categories; default none (types inferred). */
  schema?: Schema;
  /** Column types when there is no schema (unlisted columns are inferred); default none. */
  columns?: Readonly<Record<string, 'numeric' | 'categorical'>>;
  /** Header columns the schema does not list: `'error'`, `'drop'` or `'keep'` (inferred); default `'error'` with a schema, else `'keep'`. */
  extraColumns?: 'error' | 'drop' | 'keep';
  /** Field delimiter; default `','`. */
  delimiter?: string;
  /** A name for the source in error messages (readCsv passes the path); default `'CSV'`. */
  source?: string;
}

const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a finite decimal number strictly (`'41.0'`, `'-1e3'`); `NaN` for anything else (`'NaN'`, `'inf'`, `'1,5'`, `'1e999'`). */
export function parseNumber(text: string): number {
  const t = text.trim();
  if (!NUMBER_RE.test(t)) return Number.NaN;
  const v = Number(t);
  return Number.isFinite(v) ? v : Number.NaN;
}

function fail(
  code: 'EMPTY' | 'PARSE' | 'MISSING_COLUMN' | 'BAD_VALUE',
  message: string,
  source: string,
  details?: Record<string, unknown>,
  cause?: unknown,
): never {
  throw new DataError(code, `${source}: ${message}`, { operation: 'parseCsv', details: { source, ...details }, cause });
}

/**
 * Parses CSV text into a {@link Table} with the csv-parse library: handles CRLF or LF, quoted
 * fields (with commas, quotes and newlines inside), a missing last newline, a UTF-8 BOM, and
 * empty cells (missing values). Validates the header (empty, duplicate, missing or extra
 * columns) and, with a schema, every value: errors name the 1-based data row, the column and
 * what was expected, e.g. `row 17, column 'bath': expected a number, got 'abc'`.
 * Throws DataError `EMPTY`, `PARSE`, `MISSING_COLUMN` or `BAD_VALUE`.
 *
 * @example
 * ```ts
 * const t = parseCsv('a,b\n1,x\n2,y\n'); // a numeric, b categorical
 * ```
 */
export function parseCsv(text: string, options: CsvOptions = {}): Table {
  const source = options.source ?? 'CSV';
  if (typeof text !== 'string') {
    throw new ValidationError(
      'INVALID_INPUT',
      `parseCsv: text: expected the CSV as a string, got ${describeValue(text)}`,
      { operation: 'parseCsv', details: { field: 'text' } },
    );
  }
  if (text.replace(/^\uFEFF/, '').trim() === '')
    fail('EMPTY', 'the file is empty (expected a header row and data rows)', source);
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, delimiter: options.delimiter ?? ',' });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    fail('PARSE', `malformed CSV: ${msg}`, source, undefined, err);
  }
  if (records.length === 0) fail('EMPTY', 'the file is empty (expected a header row and data rows)', source);
  const header = records[0]!.map((h) => h.trim());
  const seen = new Map<string, number>();
  header.forEach((h, i) => {
    if (h === '') fail('PARSE', `header: column ${i + 1} has an empty name`, source, { position: i + 1 });
    const prev = seen.get(h);
    if (prev !== undefined) {
      fail('PARSE', `header: duplicate column '${h}' (positions ${prev + 1} and ${i + 1})`, source, { column: h });
    }
    seen.set(h, i);
  });
  const numRows = records.length - 1;
  if (numRows === 0) fail('EMPTY', `the file has a header (${header.join(', ')}) but no data rows`, source);

  const schema = options.schema;
  const extraMode = options.extraColumns ?? (schema ? 'error' : 'keep');
  const specs = new Map<string, ColumnSpec | 'numeric' | 'categorical' | undefined>();
  if (schema) {
    const missing = Object.entries(schema.columns)
      .filter(([n, c]) => !seen.has(n) && c.required !== false)
      .map(([n]) => n);
    if (missing.length > 0) {
      fail(
        'MISSING_COLUMN',
        `header: missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}; the file has ${header.map((h) => `'${h}'`).join(', ')}`,
        source,
        { column: missing[0], missing, columns: header },
      );
    }
    for (const [n, c] of Object.entries(schema.columns)) specs.set(n, c);
    const extra = header.filter((h) => !(h in schema.columns));
    if (extra.length > 0 && extraMode === 'error') {
      fail(
        'PARSE',
        `header: unexpected column${extra.length > 1 ? 's' : ''} ${extra.map((e) => `'${e}'`).join(', ')} not in the schema (pass extraColumns: 'drop' or 'keep' to accept)`,
        source,
        { column: extra[0], extra },
      );
    }
    if (extraMode === 'keep') for (const e of extra) specs.set(e, undefined);
  } else {
    for (const h of header) specs.set(h, options.columns?.[h]);
    for (const n of Object.keys(options.columns ?? {})) {
      if (!seen.has(n))
        fail(
          'MISSING_COLUMN',
          `header: missing column '${n}'; the file has ${header.map((h) => `'${h}'`).join(', ')}`,
          source,
          { column: n, columns: header },
        );
    }
  }

  const columns: Column[] = [];
  for (const [name, spec] of specs) {
    const pos = seen.get(name);
    if (pos === undefined) {
      // optional schema column absent from the file: all missing
      const s = spec as ColumnSpec;
      columns.push(
        s.type === 'numeric'
          ? { kind: 'numeric', name, values: new Float64Array(numRows).fill(Number.NaN) }
          : categoricalColumn(name, new Array<null>(numRows).fill(null), s.categories),
      );
      continue;
    }
    const type = spec === undefined ? inferType(records, pos) : typeof spec === 'string' ? spec : spec.type;
    const full: ColumnSpec | undefined = typeof spec === 'object' ? spec : undefined;
    const required = full ? full.required !== false : false;
    if (type === 'numeric') {
      const values = new Float64Array(numRows);
      for (let r = 0; r < numRows; r++) {
        const cell = records[r + 1]![pos]!;
        if (cell.trim() === '') {
          if (required)
            fail(
              'BAD_VALUE',
              `row ${r + 1}, column '${name}': missing value (expected a number; the column is required)`,
              source,
              { row: r + 1, column: name, expected: 'number' },
            );
          values[r] = Number.NaN;
          continue;
        }
        const v = parseNumber(cell);
        const problem = full
          ? checkNumber(full, v, cell)
          : Number.isNaN(v)
            ? `expected a number, got ${describeValue(cell)}`
            : undefined;
        if (problem)
          fail('BAD_VALUE', `row ${r + 1}, column '${name}': ${problem}`, source, {
            row: r + 1,
            column: name,
            expected: 'number',
            received: cell,
          });
        values[r] = v;
      }
      columns.push({ kind: 'numeric', name, values });
    } else {
      const cells: (string | null)[] = new Array(numRows);
      for (let r = 0; r < numRows; r++) {
        const cell = records[r + 1]![pos]!;
        if (cell === '') {
          if (required)
            fail('BAD_VALUE', `row ${r + 1}, column '${name}': missing value (the column is required)`, source, {
              row: r + 1,
              column: name,
            });
          cells[r] = null;
          continue;
        }
        const problem = full ? checkCategory(full, cell) : undefined;
        if (problem)
          fail('BAD_VALUE', `row ${r + 1}, column '${name}': ${problem}`, source, {
            row: r + 1,
            column: name,
            received: cell,
          });
        cells[r] = cell;
      }
      columns.push(categoricalColumn(name, cells, full?.categories));
    }
  }
  return Table.fromColumns(columns);
}

function inferType(records: string[][], pos: number): 'numeric' | 'categorical' {
  let any = false;
  for (let r = 1; r < records.length; r++) {
    const cell = records[r]![pos]!;
    if (cell.trim() === '') continue;
    if (Number.isNaN(parseNumber(cell))) return 'categorical';
    any = true;
  }
  return any ? 'numeric' : 'categorical';
}

/**
 * Reads a CSV file synchronously into a {@link Table} (see {@link parseCsv}). Throws DataError
 * `NOT_FOUND` when the file cannot be read.
 *
 * @example
 * ```ts
 * const t = readCsv('data/housing.csv', { schema });
 * ```
 */
export function readCsv(path: string, options: CsvOptions = {}): Table {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DataError('NOT_FOUND', `readCsv: cannot read '${path}': ${(err as Error).message}`, {
      operation: 'readCsv',
      details: { path },
      cause: err,
    });
  }
  return parseCsv(text, { source: path, ...options });
}
