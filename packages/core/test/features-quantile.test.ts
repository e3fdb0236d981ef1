import { describe, expect, it } from 'vitest';
import { QuantileBinner, quantileClasses } from '../src/features/quantile-classes.js';

describe('quantileClasses', () => {
  it('fits numpy-style quantile thresholds and maps values to ordered classes (right-closed)', () => {
    const values = Array.from({ length: 11 }, (_, i) => i * 10); // 0..100
    const b = quantileClasses(values, [0.4, 0.8], ['Low', 'Medium', 'High']);
    expect(b.thresholds).toEqual([40, 80]);
    expect([0, 40, 40.001, 80, 81, 1000].map((v) => b.label(v))).toEqual([
      'Low',
      'Low',
      'Medium',
      'Medium',
      'High',
      'High',
    ]);
    expect(Array.from(b.transform([5, 50, 95]))).toEqual([0, 1, 2]);
    expect(quantileClasses([1, 2, 3, 4], [0.5], ['lo', 'hi']).thresholds).toEqual([2.5]);
  });

  it('serializes as plain data and validates what it reads back', () => {
    const b = quantileClasses([3, 1, 2, Number.NaN, 10], [0.4, 0.8], ['Low', 'Medium', 'High']);
    const back = QuantileBinner.fromJSON(JSON.parse(JSON.stringify(b.toJSON())));
    expect(back.thresholds).toEqual(b.thresholds);
    expect(back.label(2.5)).toBe(b.label(2.5));
    expect(() => QuantileBinner.fromJSON({ ...b.toJSON(), labels: ['a'] })).toThrow(/labels/);
    expect(() => quantileClasses([1, 2], [0.8, 0.4], ['a', 'b', 'c'])).toThrow(/ascending/);
    expect(() => quantileClasses([1, 2], [0.5], ['a'])).toThrow(/labels: expected 2 labels/);
    expect(() => b.classify(Number.NaN)).toThrow(/expected a number/);
  });
});
