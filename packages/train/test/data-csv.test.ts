import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isModelshipError } from '@modelship/core';
import { parseCsv, readCsv } from '../src/data/csv.js';
import { defineSchema } from '@modelship/core';

const fixtures = join(import.meta.dirname, 'fixtures', 'data');

function errorOf(fn: () => unknown): Error & { code?: string; name: string; details?: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string; name: string };
  }
  throw new Error('expected a throw');
}

const schema = defineSchema({
  columns: {
    id: { type: 'numeric', role: 'id', integer: true },
    bath: { type: 'numeric', min: 0, max: 10 },
    city: { type: 'categorical', categories: ['a', 'b'] },
    note: { type: 'categorical', required: false },
  },
});

describe('parseCsv', () => {
  it('reads CRLF, quoted fields with commas, quotes and newlines, and a missing last newline', () => {
    const t = readCsv(join(fixtures, 'crlf-quoted.csv'));
    expect(t.numRows).toBe(3);
    expect(t.columnNames).toEqual(['id', 'name', 'score']);
    expect(t.row(0)).toEqual({ id: 1, name: 'Smith, John', score: 3.5 });
    expect(t.row(1)).toEqual({ id: 2, name: 'say "hi"\r\nthere', score: null });
    expect(t.row(2)).toEqual({ id: 3, name: 'plain', score: 41 });
  });

  it('gives the same table for LF and CRLF, with or without a BOM or last newline', () => {
    const lf = parseCsv('a,b\n1,x\n2,y\n');
    for (const text of ['a,b\r\n1,x\r\n2,y\r\n', 'a,b\n1,x\n2,y', '\uFEFFa,b\n1,x\n2,y\n', 'a,b\n"1","x"\n2,y\n']) {
      expect(parseCsv(text).toRows()).toEqual(lf.toRows());
      expect(parseCsv(text).columnNames).toEqual(['a', 'b']);
    }
  });

  it('treats empty cells as missing and infers types per column', () => {
    const t = parseCsv('n,c\n1,\n,x\n');
    expect(t.column('n').kind).toBe('numeric');
    expect(t.column('c').kind).toBe('categorical');
    expect(t.toRows()).toEqual([
      { n: 1, c: null },
      { n: null, c: 'x' },
    ]);
    expect(parseCsv('n\n1\n', { columns: { n: 'categorical' } }).row(0)).toEqual({ n: '1' });
  });

  it('rejects an empty file and a header without rows with EMPTY', () => {
    for (const text of ['', '\n\n', '\uFEFF']) expect(errorOf(() => parseCsv(text)).code).toBe('EMPTY');
    const e = errorOf(() => parseCsv('a,b\n'));
    expect(isModelshipError(e, 'DataError', 'EMPTY')).toBe(true);
    expect(e.message).toMatch(/no data rows/);
  });

  it('validates the header: duplicate, empty, missing and extra columns', () => {
    expect(errorOf(() => parseCsv('a,b,a\n1,2,3\n')).message).toMatch(/duplicate column 'a' \(positions 1 and 3\)/);
    expect(errorOf(() => parseCsv('a,,c\n1,2,3\n')).message).toMatch(/column 2 has an empty name/);
    const missing = errorOf(() => parseCsv('id,city\n1,a\n', { schema }));
    expect(isModelshipError(missing, 'DataError', 'MISSING_COLUMN')).toBe(true);
    expect(missing.message).toMatch(/missing column 'bath'; the file has 'id', 'city'/);
    const extra = errorOf(() => parseCsv('id,bath,city,zip\n1,2,a,9\n', { schema }));
    expect(extra.message).toMatch(/unexpected column 'zip'/);
    expect(parseCsv('id,bath,city,zip\n1,2,a,9\n', { schema, extraColumns: 'drop' }).columnNames).toEqual([
      'id',
      'bath',
      'city',
      'note',
    ]);
    expect(parseCsv('id,bath,city,zip\n1,2,a,9\n', { schema, extraColumns: 'keep' }).row(0)).toEqual({
      id: 1,
      bath: 2,
      city: 'a',
      note: null,
      zip: 9,
    });
  });

  it('rejects a row with the wrong number of fields with PARSE', () => {
    const e = errorOf(() => parseCsv('a,b\n1,2\n3\n'));
    expect(isModelshipError(e, 'DataError', 'PARSE')).toBe(true);
  });

  it('names the data row, the column and what was expected for schema violations', () => {
    const rows = Array.from({ length: 16 }, (_, i) => `${i},1,a,`);
    const text = `id,bath,city,note\n${rows.join('\n')}\n17,abc,a,\n`;
    const e = errorOf(() => parseCsv(text, { schema }));
    expect(isModelshipError(e, 'DataError', 'BAD_VALUE')).toBe(true);
    expect(e.message).toContain("row 17, column 'bath': expected a number in [0, 10], got 'abc'");
    expect(e.details).toMatchObject({ row: 17, column: 'bath' });

    const cases: [string, RegExp][] = [
      ['1,NaN,a,', /row 1, column 'bath': expected a number in \[0, 10\], got 'NaN'/],
      ['1,inf,a,', /row 1, column 'bath': expected a number/],
      ['1,11,a,', /row 1, column 'bath': expected a number in \[0, 10\], got '11' \(out of range\)/],
      ['1,2,c,', /row 1, column 'city': expected one of 'a', 'b', got 'c' \(unseen category\)/],
      ['1.5,2,a,', /row 1, column 'id': expected an integer, got '1.5'/],
      ['1,,a,', /row 1, column 'bath': missing value/],
      ['1,2,,', /row 1, column 'city': missing value/],
    ];
    for (const [row, re] of cases)
      expect(errorOf(() => parseCsv(`id,bath,city,note\n${row}\n`, { schema })).message).toMatch(re);
  });

  it('accepts a valid file against the schema, with optional columns absent', () => {
    const t = parseCsv('bath,city,id\n1.5,b,7\n', { schema });
    expect(t.columnNames).toEqual(['id', 'bath', 'city', 'note']);
    expect(t.row(0)).toEqual({ id: 7, bath: 1.5, city: 'b', note: null });
    const city = t.column('city');
    if (city.kind === 'categorical') expect(city.dictionary).toEqual(['a', 'b']);
  });

  it('says NOT_FOUND for a file that does not exist', () => {
    const e = errorOf(() => readCsv(join(fixtures, 'nope.csv')));
    expect(isModelshipError(e, 'DataError', 'NOT_FOUND')).toBe(true);
    expect(e.message).toContain('nope.csv');
  });
});
