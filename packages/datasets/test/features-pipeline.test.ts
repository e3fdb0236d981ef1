import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isModelshipError } from '@modelship/core';
import { parseCsv } from '@modelship/train';
import { Table } from '@modelship/core';
import { createFeaturePipeline, FeaturePipeline } from '@modelship/core';
import type { FeaturePipelineSpec } from '@modelship/core';
import { californiaFeatureSpec, loadCalifornia } from '@modelship/datasets';
import { bangaloreFeatureSpec } from '@modelship/datasets';
import { loadSplit, rowsById } from '@modelship/datasets';
import { requireDataDir } from '../../../test-support/data-dir.js';

function errorOf(fn: () => unknown): Error & { code?: string; name: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string; name: string };
  }
  throw new Error('expected a throw');
}

/** transform(table) row i equals transformRow(table.row(i)) bit for bit, for every row. */
function expectRowsMatch(p: FeaturePipeline, t: Table): void {
  const x = p.transform(t);
  const out = new Float64Array(p.numFeatures);
  for (let i = 0; i < t.numRows; i++) {
    p.transformRow(t.row(i), out);
    for (let j = 0; j < x.cols; j++) {
      if (!Object.is(out[j], x.data[i * x.cols + j]))
        throw new Error(`row ${i} col ${j}: ${out[j]} vs ${x.data[i * x.cols + j]}`);
    }
  }
}

const train = Table.fromRows([
  { sqft: 1000, rooms: 4, hh: 2, city: 'a', bhk: 2, price: 50 },
  { sqft: 2000, rooms: 6, hh: 3, city: 'a', bhk: 3, price: 80 },
  { sqft: null, rooms: 3, hh: 0, city: 'b', bhk: 2, price: 40 },
  { sqft: 4000, rooms: 8, hh: 2, city: 'c', bhk: 4, price: 200 },
  { sqft: 1500, rooms: 5, hh: 1, city: 'b', bhk: 3, price: 70 },
]);

const mixed: FeaturePipelineSpec = {
  derive: [
    { name: 'rooms_per_hh', op: 'ratio', numerator: 'rooms', denominator: 'hh' },
    { name: 'area', op: 'product', columns: ['sqft', 'bhk'] },
    { name: 'log_sqft', op: 'log1p', column: 'sqft' },
  ],
  features: [
    { type: 'numeric', column: 'sqft', impute: { strategy: 'median' }, standardize: true },
    { type: 'numeric', column: 'rooms_per_hh', impute: { strategy: 'mean' } },
    { type: 'numeric', column: 'area', impute: { strategy: 'constant', value: -1 } },
    { type: 'numeric', column: 'log_sqft', impute: { strategy: 'most_frequent' } },
    { type: 'onehot', column: 'city', minFrequency: 2 },
    { type: 'hash', columns: ['city'], buckets: 8 },
    { type: 'cross', columns: ['city', 'bhk'], encoding: 'onehot' },
    { type: 'cross', columns: ['city', 'bhk'], buckets: 16 },
  ],
  target: { column: 'price', kind: 'quantile', quantiles: [0.4, 0.8], labels: ['Low', 'Medium', 'High'] },
};

describe('FeaturePipeline', () => {
  const p = createFeaturePipeline(mixed).fit(train);

  it('imputes, standardizes and derives with statistics of the training rows', () => {
    expect(p.numFeatures).toBe(4 + 3 + 8 + 5 + 16);
    expect(p.featureNames.slice(15, 20)).toEqual([
      'city*bhk=a&2',
      'city*bhk=a&3',
      'city*bhk=b&2',
      'city*bhk=b&3',
      'city*bhk=c&4',
    ]);
    expect(p.featureNames.slice(0, 7)).toEqual([
      'sqft',
      'rooms_per_hh',
      'area',
      'log_sqft',
      'city=a',
      'city=b',
      'city=other',
    ]);
    const x = p.transform(train);
    const col = (j: number) => Array.from({ length: x.rows }, (_, i) => x.data[i * x.cols + j]!);
    // sqft: median of [1000, 2000, 4000, 1500] = 1750 imputed, then standardized (mean 0, std 1)
    const sqft = col(0);
    expect(sqft.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 12);
    expect(Math.sqrt(sqft.reduce((s, v) => s + v * v, 0) / 5)).toBeCloseTo(1, 12);
    // rooms/hh: 3/0 is missing → mean of [2, 2, 4, 5] = 3.25
    expect(col(1)).toEqual([2, 2, 3.25, 4, 5]);
    expect(col(2)).toEqual([2000, 6000, -1, 16000, 4500]);
    // one-hot: 'c' is rare (1 < 2) → other
    expect(col(6)).toEqual([0, 0, 0, 1, 0]);
    // target reframed into quantile classes
    // thresholds 62 and 104 (numpy linear quantiles of 40, 50, 70, 80, 200)
    expect(Array.from(p.transformTarget(train))).toEqual([0, 1, 0, 2, 1]);
    expect(p.targetClasses).toEqual(['Low', 'Medium', 'High']);
  });

  it('gives the same values for a table and for each row alone, and tolerates unseen categories', () => {
    expectRowsMatch(p, train);
    const test = Table.fromRows([{ sqft: 900, rooms: 2, hh: 1, city: 'zzz', bhk: 9, price: 1 }]);
    expectRowsMatch(p, test);
    const row = p.transformRow({ sqft: 900, rooms: 2, hh: 1, city: 'never seen', bhk: 2 });
    expect(Array.from(row.slice(4, 7))).toEqual([0, 0, 1]); // unseen → other
  });

  it('round-trips through JSON with identical transforms bit for bit, and validates the state', () => {
    const text = JSON.stringify(p.toJSON());
    const back = FeaturePipeline.fromJSON(JSON.parse(text));
    expect(back.featureNames).toEqual(p.featureNames);
    expect(Buffer.from(back.transform(train).data.buffer)).toEqual(Buffer.from(p.transform(train).data.buffer));
    expect(Array.from(back.transformTarget(train))).toEqual(Array.from(p.transformTarget(train)));
    const state = JSON.parse(text);
    state.steps[0].scale = 'process.exit()';
    const e = errorOf(() => FeaturePipeline.fromJSON(state));
    expect(isModelshipError(e, 'ValidationError', 'INVALID_INPUT')).toBe(true);
    expect(e.message).toMatch(/steps\[0\]|steps\.0/);
    expect(() => FeaturePipeline.fromJSON({ ...JSON.parse(text), steps: [] })).toThrow(/expected 8 step states/);
    expect(() => FeaturePipeline.fromJSON({ ...JSON.parse(text), version: 2 })).toThrow(/version/);
  });

  it('names the field for missing columns and bad values when no imputation applies', () => {
    const strict = createFeaturePipeline({
      features: [
        { type: 'numeric', column: 'bhk' },
        { type: 'onehot', column: 'city' },
      ],
    }).fit(train);
    const missingCol = errorOf(() => strict.transform(Table.fromRows([{ city: 'a' }])));
    expect(isModelshipError(missingCol, 'DataError', 'MISSING_COLUMN')).toBe(true);
    expect(missingCol.message).toContain("'bhk'");
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ city: 'a' }, /missing value for 'bhk' and no imputation/],
      [{ bhk: Number.NaN, city: 'a' }, /missing value for 'bhk'/],
      [{ bhk: '2', city: 'a' }, /field 'bhk': expected a number, got string '2'/],
      [{ bhk: Infinity, city: 'a' }, /field 'bhk': expected a finite number, got Infinity/],
      [{ bhk: 2 }, /missing value for 'city'/],
      [{ bhk: 2, city: { x: 1 } }, /field 'city': expected a string, got object/],
    ];
    for (const [row, re] of cases) {
      const e = errorOf(() => strict.transformRow(row));
      expect(isModelshipError(e, 'ValidationError', 'INVALID_INPUT')).toBe(true);
      expect(e.message).toMatch(re);
    }
    expect(Array.from(strict.transformRow({ bhk: 2, city: 'unseen' }))).toEqual([2, 0, 0, 0]);
    expect(errorOf(() => strict.transform(Table.fromRows([{ bhk: 'two', city: 'a' }]))).message).toMatch(
      /column 'bhk': expected a numeric column/,
    );
    expect(
      errorOf(() => createFeaturePipeline({ features: [{ type: 'numeric', column: 'sqft' }] }).fit(train)).message,
    ).toMatch(/training row 3: missing value for 'sqft'/);
  });

  it('one-hot: unseen → zeros when asked, a dropped reference level, a constant fill', () => {
    const q = createFeaturePipeline({
      features: [
        {
          type: 'onehot',
          column: 'city',
          unseen: 'zeros',
          dropLevel: 'a',
          impute: { strategy: 'constant', value: 'b' },
        },
      ],
    }).fit(train);
    expect(q.featureNames).toEqual(['city=b', 'city=c']);
    expect(Array.from(q.transformRow({ city: 'zzz' }))).toEqual([0, 0]);
    expect(Array.from(q.transformRow({ city: 'a' }))).toEqual([0, 0]);
    expect(Array.from(q.transformRow({ city: null }))).toEqual([1, 0]);
    expect(() =>
      createFeaturePipeline({ features: [{ type: 'onehot', column: 'city', dropLevel: 'nope' }] }).fit(train),
    ).toThrow(/dropLevel 'nope'/);
  });

  it('hashes into the configured number of buckets, 2^14 by default', () => {
    const h = createFeaturePipeline({ features: [{ type: 'hash', columns: ['city', 'bhk'] }] }).fit(train);
    expect(h.numFeatures).toBe(16384);
    const v = h.transformRow({ city: 'a', bhk: 2 });
    expect(v.reduce((s, x) => s + x, 0)).toBe(2);
    expect(Array.from(h.transformRow({ city: 'a', bhk: 2 }))).toEqual(Array.from(v));
  });

  it('rejects a bad spec with INVALID_OPTIONS naming the field', () => {
    const e = errorOf(() =>
      createFeaturePipeline({ features: [{ type: 'numeric', column: 'x', impute: { strategy: 'constant' } }] }),
    );
    expect(isModelshipError(e, 'ValidationError', 'INVALID_OPTIONS')).toBe(true);
    expect(e.message).toMatch(/features\[0\]\.impute\.value|features\.0\.impute\.value/);
    expect(() => createFeaturePipeline({ features: [{ type: 'hash', columns: ['x'], buckets: 0 }] })).toThrow(
      /buckets/,
    );
    expect(
      errorOf(() => createFeaturePipeline({ features: [{ type: 'numeric', column: 'x' }] }).transform(train)).code,
    ).toBe('NOT_FITTED');
  });
});

describe('the data sets through the pipeline', () => {
  const dataDir = requireDataDir();

  it('California: the scikit-learn view, AveBedrms imputed with the training median (as the peer)', () => {
    const cal = loadCalifornia();
    const split = loadSplit('california_housing');
    const p = createFeaturePipeline(californiaFeatureSpec()).fit(cal.select(split.train));
    expect(p.featureNames).toEqual([
      'MedInc',
      'HouseAge',
      'AveRooms',
      'AveBedrms',
      'Population',
      'AveOccup',
      'Latitude',
      'Longitude',
    ]);
    expect(p.toJSON().steps[3]).toEqual({ type: 'numeric', impute: 1.048265460030166, mean: 0, scale: 1 });
    const test = cal.select(split.test);
    const x = p.transform(test);
    expect(Array.from(x.data.slice(0, 8))).toEqual([
      7.2574, 52, 8.288135593220339, 1.073446327683616, 496, 2.8022598870056497, 37.85, -122.24,
    ]);
    expect(p.transformTarget(test)[0]).toBe(352100 / 100000);
    expectRowsMatch(p, test.select([0, 1, 2, 3, 4, 5, 6, 7]));
  });

  it('Bangalore: 243 columns, locations sorted with other dropped, as the peer design', () => {
    const clean = parseCsv(readFileSync(join(dataDir, 'derived', 'bengaluru_clean_brief.csv'), 'utf8'));
    const split = loadSplit('bengaluru_house_data');
    const train = clean.select(rowsById(clean, split.train));
    const p = createFeaturePipeline(bangaloreFeatureSpec()).fit(train);
    const loc = clean.column('location');
    if (loc.kind !== 'categorical') throw new Error('expected categorical');
    const locs = [...new Set(loc.dictionary)].filter((l) => l !== 'other').sort();
    expect(p.numFeatures).toBe(243);
    expect(p.featureNames).toEqual([...locs.map((l) => `location=${l}`), 'total_sqft', 'bath', 'bhk']);
    const test = clean.select(rowsById(clean, split.test));
    const x = p.transform(test);
    for (let i = 0; i < test.numRows; i++) {
      const r = test.row(i);
      const hot = locs.indexOf(r.location as string);
      let ones = 0;
      for (let j = 0; j < 240; j++) ones += x.data[i * 243 + j]!;
      expect(ones).toBe(hot >= 0 ? 1 : 0);
      if (hot >= 0) expect(x.data[i * 243 + hot]).toBe(1);
      expect(x.data[i * 243 + 240]).toBe(r.total_sqft);
    }
    expect(Array.from(p.transformTarget(test).slice(0, 3))).toEqual([0, 1, 2].map((i) => test.row(i).price));
  });
});
