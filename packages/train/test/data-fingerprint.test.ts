import { describe, expect, it } from 'vitest';
import { parseCsv } from '../src/data/csv.js';
import { fingerprint } from '../src/data/fingerprint.js';
import { categoricalColumn, numericColumn, Table } from '@modelship/core';

describe('fingerprint', () => {
  const base = 'age,city,price\n41.0,"San Jose",1.5\n7,Oakland,\n';
  it('is a sha256 that ignores CSV formatting (CRLF, quotes, 41.0 vs 41, BOM, last newline)', () => {
    const fp = fingerprint(parseCsv(base));
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    const variants = [
      base.replaceAll('\n', '\r\n'),
      'age,city,price\n41,San Jose,1.50\n7.0,"Oakland",\n',
      `\uFEFF${base}`,
      base.trimEnd(),
      '"age","city","price"\n4.1e1,San Jose,15e-1\n7,Oakland,\n',
    ];
    for (const v of variants) expect(fingerprint(parseCsv(v))).toBe(fp);
  });

  it('changes when a value, a missing marker, a column name or the row order changes', () => {
    const fp = fingerprint(parseCsv(base));
    expect(fingerprint(parseCsv(base.replace('1.5', '1.6')))).not.toBe(fp);
    expect(fingerprint(parseCsv(base.replace('Oakland,\n', 'Oakland,0\n')))).not.toBe(fp);
    expect(fingerprint(parseCsv(base.replace('price', 'cost')))).not.toBe(fp);
    expect(fingerprint(parseCsv('age,city,price\n7,Oakland,\n41.0,"San Jose",1.5\n'))).not.toBe(fp);
  });

  it('does not depend on the order of a categorical dictionary', () => {
    const a = Table.fromColumns([numericColumn('n', [1, 2]), categoricalColumn('c', ['x', 'y'])]);
    const b = Table.fromColumns([numericColumn('n', [1, 2]), categoricalColumn('c', ['x', 'y'], ['y', 'x'])]);
    expect(fingerprint(b)).toBe(fingerprint(a));
  });
});
