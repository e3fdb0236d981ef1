import { describe, expect, it } from 'vitest';
import { parseCsv, parseNumber } from '../src/data/csv.js';
import { fingerprint } from '../src/data/fingerprint.js';
import { createRandom } from '@modelship/core';
import { defineSchema, validateRow } from '@modelship/core';
import { holdoutSplit, kFold, stratifiedSplit, type HoldoutOptions, type KFoldOptions } from '../src/data/split.js';
import { Table } from '@modelship/core';
import { expectError } from '../../../test-support/expect-error.js';

describe('CSV numbers that overflow', () => {
  it('parseNumber treats an overflowing literal as not a number', () => {
    expect(parseNumber('1e999')).toBeNaN();
    expect(parseNumber('-1e999')).toBeNaN();
    expect(parseNumber('1e308')).toBe(1e308);
  });

  it('parseCsv with a numeric column type rejects 1e999 instead of storing Infinity', () => {
    expectError(
      () => parseCsv('a\n1\n1e999\n', { columns: { a: 'numeric' } }),
      'DataError',
      /row 2, column 'a': expected a number, got '1e999'/,
    );
  });

  it('parseCsv infers a column holding 1e999 as categorical, never as numeric Infinity', () => {
    const col = parseCsv('a\n1\n1e999\n').column('a');
    expect(col.kind).toBe('categorical');
  });

  it('parseCsv names a text that is not a string', () => {
    expectError(
      () => parseCsv(undefined as unknown as string),
      'ValidationError',
      /parseCsv: text: expected the CSV as a string, got nothing/,
    );
  });
});

describe('Table.fromRows on bad input', () => {
  it('names rows that are not an array', () => {
    expectError(
      () => Table.fromRows(null as unknown as []),
      'ValidationError',
      /Table.fromRows: rows: expected an array of row objects, got null/,
    );
  });

  it('names the row that is not an object', () => {
    expectError(
      () => Table.fromRows([{ a: 1 }, null] as unknown as []),
      'ValidationError',
      /Table.fromRows: row 2: expected an object of fields, got null/,
    );
  });
});

describe('splits on bad options', () => {
  it('holdoutSplit and kFold name missing options instead of crashing', () => {
    expectError(
      () => holdoutSplit(10, undefined as unknown as HoldoutOptions),
      'ValidationError',
      /holdoutSplit: options: expected an object/,
    );
    expectError(
      () => kFold(10, 2, undefined as unknown as KFoldOptions),
      'ValidationError',
      /kFold: options: expected an object/,
    );
  });

  it('stratifiedSplit and kFold name labels that are not an array', () => {
    expectError(
      () => stratifiedSplit(null as unknown as number[], { testFraction: 0.2, seed: 1 }),
      'ValidationError',
      /stratifiedSplit: labels: expected an array of labels/,
    );
    expectError(
      () => kFold(4, 2, { seed: 1, stratifyBy: 7 as unknown as number[] }),
      'ValidationError',
      /kFold: stratifyBy: expected an array of labels/,
    );
  });
});

describe('other entry points', () => {
  it('fingerprint names a value that is not a Table', () => {
    expectError(
      () => fingerprint(null as unknown as Table),
      'ValidationError',
      /fingerprint: table: expected a Table, got null/,
    );
  });

  it('Random.int refuses a bound that is not a positive integer instead of returning negatives', () => {
    const rng = createRandom(1);
    expectError(() => rng.int(-1), 'ValidationError', /Random.int: maxExclusive: expected a positive integer, got -1/);
    expectError(() => rng.int(Number.NaN), 'ValidationError', /got NaN/);
    const v = rng.int(3);
    expect(v >= 0 && v < 3 && Number.isInteger(v)).toBe(true);
  });

  it('validateRow flags an extra field named like an Object.prototype member', () => {
    const schema = defineSchema({ columns: { a: { type: 'numeric' } } });
    expectError(
      () => validateRow(schema, { a: 1, constructor: 2 }, { extraFields: 'error' }),
      'ValidationError',
      /field 'constructor': unexpected field/,
    );
  });
});
