import { describe, expect, it } from 'vitest';
import { isModelshipError } from '../src/errors.js';
import { categoricalColumn, numericColumn, Table } from '../src/data/table.js';
import { defineSchema } from '../src/data/schema.js';

describe('Table', () => {
  const t = Table.fromRows([
    { sqft: 1000, city: 'a', note: null },
    { sqft: null, city: 'b', note: 'x' },
    { sqft: 1500.5, city: 'a' },
  ]);

  it('infers numeric and dictionary-encoded categorical columns with explicit missing values', () => {
    expect(t.numRows).toBe(3);
    expect(t.columnNames).toEqual(['sqft', 'city', 'note']);
    const sqft = t.column('sqft');
    expect(sqft.kind).toBe('numeric');
    if (sqft.kind === 'numeric') expect(Array.from(sqft.values)).toEqual([1000, Number.NaN, 1500.5]);
    const city = t.column('city');
    expect(city.kind).toBe('categorical');
    if (city.kind === 'categorical') {
      expect(city.dictionary).toEqual(['a', 'b']);
      expect(Array.from(city.codes)).toEqual([0, 1, 0]);
    }
    const note = t.column('note');
    if (note.kind === 'categorical') expect(Array.from(note.codes)).toEqual([-1, 0, -1]);
  });

  it('reads rows back with null for missing values', () => {
    expect(t.row(1)).toEqual({ sqft: null, city: 'b', note: 'x' });
    expect(t.toRows()).toHaveLength(3);
  });

  it('throws MISSING_COLUMN naming the column and the columns there are', () => {
    let err: unknown;
    try {
      t.column('price');
    } catch (e) {
      err = e;
    }
    expect(isModelshipError(err, 'DataError', 'MISSING_COLUMN')).toBe(true);
    expect((err as Error).message).toContain("'price'");
    expect((err as Error).message).toContain("'sqft', 'city', 'note'");
    expect(t.has('price')).toBe(false);
  });

  it('selects rows by index and adds columns', () => {
    const s = t.select([2, 0]);
    expect(s.numRows).toBe(2);
    expect(s.row(0)).toEqual({ sqft: 1500.5, city: 'a', note: null });
    const w = s.withColumn(numericColumn('price', [1, 2]));
    expect(w.columnNames).toEqual(['sqft', 'city', 'note', 'price']);
    expect(() => s.withColumn(numericColumn('price', [1]))).toThrow(/2/);
    expect(() => t.select([3])).toThrow(/row index 3/);
  });

  it('follows a schema for types and category order', () => {
    const schema = defineSchema({
      columns: { n: { type: 'numeric' }, c: { type: 'categorical', categories: ['z', 'y'] } },
    });
    const s = Table.fromRows([{ n: '2', c: 'y' }], schema);
    expect(s.row(0)).toEqual({ n: 2, c: 'y' });
    const c = s.column('c');
    if (c.kind === 'categorical') expect(c.dictionary).toEqual(['z', 'y']);
    expect(() => Table.fromRows([{ n: 'abc', c: 'y' }], schema)).toThrow(
      /row 1, column 'n': expected a number, got "abc"/,
    );
  });

  it('rejects columns of unequal length or duplicate names', () => {
    expect(() => Table.fromColumns([numericColumn('a', [1]), categoricalColumn('b', ['x', 'y'])])).toThrow(
      /'b' has 2 rows/,
    );
    expect(() => Table.fromColumns([numericColumn('a', [1]), numericColumn('a', [2])])).toThrow(/duplicate column 'a'/);
  });
});
