import { describe, expect, it } from 'vitest';
import { isModelshipError } from '../src/errors.js';
import { defineSchema, schemaFromJSON, schemaToJSON, validateRow, columnsWithRole } from '../src/data/schema.js';

const schema = defineSchema({
  columns: {
    sqft: { type: 'numeric', min: 100, max: 100000 },
    bath: { type: 'numeric', integer: true, min: 0 },
    city: { type: 'categorical', categories: ['a', 'b'] },
    balcony: { type: 'numeric', required: false },
    price: { type: 'numeric', role: 'target' },
  },
});

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(isModelshipError(e, 'ValidationError')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a throw');
}

describe('defineSchema', () => {
  it('rejects a bad spec with INVALID_OPTIONS naming the field', () => {
    let err: unknown;
    try {
      defineSchema({ columns: { a: { type: 'text' as 'numeric' }, b: { type: 'numeric', min: 5, max: 1 } } });
    } catch (e) {
      err = e;
    }
    expect(isModelshipError(err, 'ValidationError', 'INVALID_OPTIONS')).toBe(true);
    expect((err as Error).message).toMatch(/columns\.a\.type/);
    expect((err as Error).message).toMatch(/max \(1\) is below min \(5\)/);
    expect(() => defineSchema({ columns: { c: { type: 'categorical', min: 1 } } })).toThrow(
      /'min' applies to numeric columns only/,
    );
    expect(() => defineSchema({ columns: {} })).toThrow(/at least one column/);
  });

  it('is plain JSON data that round-trips', () => {
    const back = schemaFromJSON(JSON.parse(JSON.stringify(schemaToJSON(schema))));
    expect(back).toEqual(schema);
    expect(Object.keys(back.columns)).toEqual(['sqft', 'bath', 'city', 'balcony', 'price']);
    expect(columnsWithRole(back, 'target')).toEqual(['price']);
    expect(() => schemaFromJSON({ columns: { a: { type: 'numeric', evil: 'code()' } } })).toThrow(/evil/);
  });
});

describe('validateRow', () => {
  it('returns a typed row; optional fields become null; the target is not required', () => {
    expect(validateRow(schema, { sqft: 1200, bath: 2, city: 'a', extra: 1 })).toEqual({
      sqft: 1200,
      bath: 2,
      city: 'a',
      balcony: null,
    });
  });

  it('names the field and what was expected for each kind of bad value', () => {
    const ok = { sqft: 1200, bath: 2, city: 'a' };
    expect(message(() => validateRow(schema, { bath: 2, city: 'a' }))).toMatch(
      /field 'sqft': required, expected a number in \[100, 100000\]/,
    );
    expect(message(() => validateRow(schema, { ...ok, sqft: '1200' }))).toMatch(
      /field 'sqft': expected a number in \[100, 100000\], got string '1200'/,
    );
    expect(message(() => validateRow(schema, { ...ok, sqft: Number.NaN }))).toMatch(/field 'sqft': expected .*got NaN/);
    expect(message(() => validateRow(schema, { ...ok, sqft: Infinity }))).toMatch(
      /field 'sqft': expected .*got Infinity/,
    );
    expect(message(() => validateRow(schema, { ...ok, sqft: -Infinity }))).toMatch(/got -Infinity/);
    expect(message(() => validateRow(schema, { ...ok, sqft: 50 }))).toMatch(/field 'sqft': .*got 50 \(out of range\)/);
    expect(message(() => validateRow(schema, { ...ok, bath: 2.5 }))).toMatch(
      /field 'bath': expected an integer >= 0, got 2.5/,
    );
    expect(message(() => validateRow(schema, { ...ok, city: 'z' }))).toMatch(
      /field 'city': expected one of 'a', 'b', got 'z' \(unseen category\)/,
    );
    expect(message(() => validateRow(schema, { ...ok, city: 3 }))).toMatch(
      /field 'city': expected a string, got number 3/,
    );
    expect(message(() => validateRow(schema, 'row'))).toMatch(/expected an object/);
    expect(message(() => validateRow(schema, { ...ok, price: 'x' }, { includeTarget: true }))).toMatch(/field 'price'/);
    expect(message(() => validateRow(schema, { ...ok, zip: 1 }, { extraFields: 'error' }))).toMatch(
      /field 'zip': unexpected field/,
    );
  });
});
