/**
 * MLflow 2 scoring server inputs (`/invocations`): `dataframe_split`, `dataframe_records`,
 * `instances`, `inputs` (JSON) and CSV (`text/csv`, a header line then one row per line).
 * Numbers in CSV cells become numbers for numeric columns; the answer is `{ predictions }`.
 */
import { httpError } from '../http/http-error.js';
import type { VersionFacts } from './served-models.js';

const MAX_ROWS = 100_000;

function bad(detail: string, field?: string): never {
  throw httpError(400, detail, {
    code: 'INVALID_INPUT',
    error_code: 'BAD_REQUEST',
    message: detail,
    ...(field !== undefined ? { field } : {}),
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function zip(columns: readonly unknown[], values: readonly unknown[], field: string): Record<string, unknown> {
  if (values.length !== columns.length) bad(`${field}: ${values.length} values for ${columns.length} columns`, field);
  const pairs: [string, unknown][] = [];
  for (let c = 0; c < columns.length; c++) pairs.push([String(columns[c]), values[c]]);
  return Object.fromEntries(pairs); // own data properties only: a "__proto__" column cannot reach a prototype
}

function fromList(list: readonly unknown[], facts: VersionFacts, field: string): Record<string, unknown>[] {
  if (list.length > MAX_ROWS) bad(`${field}: more than ${MAX_ROWS} rows`, field);
  return list.map((x, i) => {
    if (isObject(x)) return x;
    if (Array.isArray(x)) return zip(facts.inputColumns, x, `${field}[${i}]`);
    if (facts.inputColumns.length === 1) return zip(facts.inputColumns, [x], `${field}[${i}]`);
    return bad(
      `${field}[${i}]: expected an object of columns or an array of ${facts.inputColumns.length} values`,
      `${field}[${i}]`,
    );
  });
}

function fromColumns(cols: Record<string, unknown>, field: string): Record<string, unknown>[] {
  const names = Object.keys(cols);
  let n = -1;
  for (const k of names) {
    const v = cols[k];
    if (!Array.isArray(v)) bad(`${field}.${k}: expected an array of values`, `${field}.${k}`);
    if (n >= 0 && v.length !== n) bad(`${field}.${k}: ${v.length} values, other columns have ${n}`, `${field}.${k}`);
    n = v.length;
  }
  if (n > MAX_ROWS) bad(`${field}: more than ${MAX_ROWS} rows`, field);
  const rows: Record<string, unknown>[] = [];
  for (let r = 0; r < Math.max(n, 0); r++)
    rows.push(
      zip(
        names,
        names.map((k) => (cols[k] as unknown[])[r]),
        field,
      ),
    );
  return rows;
}

/** The rows of an MLflow JSON body (one of the four forms). */
export function rowsOfMlflowJson(body: unknown, facts: VersionFacts): Record<string, unknown>[] {
  if (!isObject(body)) bad('expected a JSON object with dataframe_split, dataframe_records, instances or inputs');
  const forms = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'].filter((k) => Object.hasOwn(body, k));
  if (forms.length !== 1)
    bad(
      `expected exactly one of dataframe_split, dataframe_records, instances, inputs (got ${forms.length === 0 ? 'none' : forms.join(', ')})`,
    );
  const form = forms[0]!;
  const v = body[form];
  if (form === 'dataframe_split') {
    if (!isObject(v) || !Array.isArray(v.columns) || !Array.isArray(v.data))
      bad('dataframe_split: expected { columns: [...], data: [[...], ...] }', 'dataframe_split');
    const columns = v.columns;
    if (!columns.every((c) => typeof c === 'string'))
      bad('dataframe_split.columns: expected strings', 'dataframe_split.columns');
    if (v.data.length > MAX_ROWS) bad(`dataframe_split.data: more than ${MAX_ROWS} rows`, 'dataframe_split.data');
    return v.data.map((r, i) => {
      if (!Array.isArray(r)) bad(`dataframe_split.data[${i}]: expected an array`, `dataframe_split.data[${i}]`);
      return zip(columns, r, `dataframe_split.data[${i}]`);
    });
  }
  if (form === 'dataframe_records') {
    if (!Array.isArray(v)) bad('dataframe_records: expected an array of objects', 'dataframe_records');
    if (v.length > MAX_ROWS) bad(`dataframe_records: more than ${MAX_ROWS} rows`, 'dataframe_records');
    return v.map((r, i) =>
      isObject(r) ? r : bad(`dataframe_records[${i}]: expected an object`, `dataframe_records[${i}]`),
    );
  }
  if (Array.isArray(v)) return fromList(v, facts, form);
  if (isObject(v)) return fromColumns(v, form);
  return bad(`${form}: expected an array of rows or an object of columns`, form);
}

/** Splits CSV text into records of cells (RFC 4180 quoting). */
export function parseCsv(text: string, maxRows = MAX_ROWS): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  const endRow = (): void => {
    row.push(cell);
    cell = '';
    if (!(row.length === 1 && row[0] === '')) out.push(row);
    row = [];
    if (out.length > maxRows + 1) bad(`csv: more than ${maxRows} rows`);
  };
  while (i < n) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      cell += ch;
      i++;
      continue;
    }
    if (ch === '"' && cell === '') {
      quoted = true;
      i++;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
      i++;
    } else if (ch === '\n' || ch === '\r') {
      endRow();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      cell += ch;
      i++;
    }
  }
  if (quoted) bad('csv: an unterminated quoted cell');
  if (cell !== '' || row.length > 0) endRow();
  return out;
}

/** The rows of a CSV body: a header line of column names, then rows; numeric columns parsed as numbers. */
export function rowsOfCsv(text: string, facts: VersionFacts): Record<string, unknown>[] {
  const records = parseCsv(text);
  if (records.length < 2) bad('csv: expected a header line and at least one row');
  const header = records[0]!.map((h) => h.trim());
  return records.slice(1).map((cells, r) => {
    if (cells.length !== header.length)
      bad(`csv: line ${r + 2} has ${cells.length} cells, the header ${header.length}`, `line ${r + 2}`);
    const pairs: [string, unknown][] = [];
    for (let c = 0; c < header.length; c++) {
      const name = header[c]!;
      const raw = cells[c]!;
      const spec = Object.hasOwn(facts.schema.columns, name) ? facts.schema.columns[name] : undefined;
      let v: unknown = raw;
      if (raw === '') v = null;
      else if (spec?.type === 'numeric') {
        const x = Number(raw);
        v = raw.trim() !== '' && !Number.isNaN(x) ? x : raw;
      }
      pairs.push([name, v]);
    }
    return Object.fromEntries(pairs);
  });
}
