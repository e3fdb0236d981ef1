import { readCsv } from '@modelship/train';
import { defineSchema, type Schema } from '@modelship/core';
import { categoricalColumn, numericColumn, Table } from '@modelship/core';
import type { FeaturePipelineSpec } from '@modelship/core';
import { pairwiseSum } from '@modelship/core/kit';
import { resolveDataFile, type DataSourceOptions, type DatasetFile } from './resolve.js';

/**
 * The Kaggle "Bengaluru House price data" CSV (13,320 rows), from
 * `https://www.kaggle.com/datasets/amitabhajoy/bengaluru-house-price-data` (file
 * `Bengaluru_House_Data.csv`, saved as `bengaluru_house_data.csv`); sha256 of the unedited file
 * `7b3e1361fcb64348d49eeb83d1e976738dc64bc978536df3438cf7b36f601b28`.
 */
export const BANGALORE_FILE: DatasetFile = {
  fileName: 'bengaluru_house_data.csv',
  url: 'https://www.kaggle.com/datasets/amitabhajoy/bengaluru-house-price-data',
  sha256: '7b3e1361fcb64348d49eeb83d1e976738dc64bc978536df3438cf7b36f601b28',
};

/** The schema of the raw Bangalore CSV (`total_sqft` and `size` are text; `price` in lakhs is the target). */
export const bangaloreRawSchema: Schema = defineSchema({
  columns: {
    area_type: { type: 'categorical' },
    availability: { type: 'categorical' },
    location: { type: 'categorical', required: false },
    size: { type: 'categorical', required: false },
    society: { type: 'categorical', required: false },
    total_sqft: { type: 'categorical' },
    bath: { type: 'numeric', min: 0, required: false },
    balcony: { type: 'numeric', min: 0, required: false },
    price: { type: 'numeric', min: 0, role: 'target' },
  },
});

/**
 * Loads the raw Bangalore listings (13,320 rows, as published; see {@link cleanBangalore}).
 * Looks at `path`, then `$MODELSHIP_DATA_DIR`, then the cache (see `resolveDataFile`).
 *
 * @example
 * ```ts
 * const clean = cleanBangalore(loadBangalore());
 * ```
 */
export function loadBangalore(options: DataSourceOptions = {}): Table {
  const { path } = resolveDataFile(BANGALORE_FILE, options, 'loadBangalore');
  return readCsv(path, { schema: bangaloreRawSchema });
}

/** `'1133 - 1384'` → the mean of the ends; a plain number → itself; anything else (units) → `NaN`. */
export function parseSqft(text: string): number {
  const parts = text.split('-');
  if (parts.length === 2) {
    const a = pyFloat(parts[0]!);
    const b = pyFloat(parts[1]!);
    return Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : (a + b) / 2;
  }
  return pyFloat(text);
}

/** Python's `float(text)` for decimal text (surrounding whitespace allowed); `NaN` when it would raise. */
function pyFloat(text: string): number {
  const t = text.trim();
  return /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(t) ? Number(t) : Number.NaN;
}

/**
 * The "brief" Bangalore cleaning recipe (`peer/common.py: bangalore_clean`), row for row: drop
 * rows with an empty `location`, `size` or `bath`; `bhk` = leading integer of `size`;
 * `total_sqft` = number or mean of a range (other units dropped); `price_per_sqft = price ×
 * 100000 / total_sqft`; trim `location`; locations with ≤ 10 rows → `other`; drop
 * `total_sqft / bhk < 300`; per location keep `price_per_sqft` in (mean − std, mean + std]
 * (population std); drop `bath > bhk + 2`. Returns the columns `row` (original 0-based data row),
 * `location`, `total_sqft`, `bath`, `bhk`, `price`, `price_per_sqft` in original row order
 * (10,238 rows from the published file).
 *
 * @example
 * ```ts
 * const clean = cleanBangalore(loadBangalore()); // clean.numRows === 10238
 * ```
 */
export function cleanBangalore(raw: Table): Table {
  const loc = raw.column('location');
  const size = raw.column('size');
  const sqft = raw.column('total_sqft');
  const bath = raw.numeric('bath');
  const price = raw.numeric('price');
  const text = (c: typeof loc, i: number): string | null => {
    if (c.kind === 'numeric') return Number.isNaN(c.values[i]!) ? null : String(c.values[i]);
    return c.codes[i]! < 0 ? null : c.dictionary[c.codes[i]!]!;
  };
  interface R {
    row: number;
    location: string;
    sqft: number;
    bath: number;
    bhk: number;
    price: number;
    pps: number;
  }
  let rows: R[] = [];
  for (let i = 0; i < raw.numRows; i++) {
    const l = text(loc, i);
    const s = text(size, i);
    const b = bath.values[i]!;
    if (l === null || s === null || Number.isNaN(b)) continue;
    const bhk = Number.parseInt(s.split(' ')[0]!, 10);
    const sq = parseSqft(text(sqft, i) ?? '');
    if (Number.isNaN(sq)) continue;
    const p = price.values[i]!;
    rows.push({ row: i, location: l.trim(), sqft: sq, bath: b, bhk, price: p, pps: (p * 100000) / sq });
  }
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.location, (counts.get(r.location) ?? 0) + 1);
  for (const r of rows) if (counts.get(r.location)! <= 10) r.location = 'other';
  rows = rows.filter((r) => !(r.sqft / r.bhk < 300));
  const byLoc = new Map<string, R[]>();
  for (const r of rows) {
    let g = byLoc.get(r.location);
    if (!g) byLoc.set(r.location, (g = []));
    g.push(r);
  }
  const kept: R[] = [];
  for (const g of byLoc.values()) {
    const v = Float64Array.from(g, (r) => r.pps);
    const mean = pairwiseSum(v) / v.length;
    const sq = v.map((x) => (mean - x) ** 2);
    const std = Math.sqrt(pairwiseSum(sq) / v.length);
    for (const r of g) if (r.pps > mean - std && r.pps <= mean + std) kept.push(r);
  }
  const out = kept.filter((r) => !(r.bath > r.bhk + 2)).sort((a, b) => a.row - b.row);
  return Table.fromColumns([
    numericColumn(
      'row',
      out.map((r) => r.row),
    ),
    categoricalColumn(
      'location',
      out.map((r) => r.location),
    ),
    numericColumn(
      'total_sqft',
      out.map((r) => r.sqft),
    ),
    numericColumn(
      'bath',
      out.map((r) => r.bath),
    ),
    numericColumn(
      'bhk',
      out.map((r) => r.bhk),
    ),
    numericColumn(
      'price',
      out.map((r) => r.price),
    ),
    numericColumn(
      'price_per_sqft',
      out.map((r) => r.pps),
    ),
  ]);
}

/**
 * The Bangalore design of the baselines (`peer/common.py: bangalore_design`): one-hot
 * `location` with the `other` level dropped (levels sorted), then `total_sqft`, `bath`, `bhk`;
 * target `price` (lakhs). On the cleaned data this is 240 + 3 = 243 columns.
 *
 * @example
 * ```ts
 * const p = createFeaturePipeline(bangaloreFeatureSpec()).fit(cleanTrain);
 * ```
 */
export function bangaloreFeatureSpec(): FeaturePipelineSpec {
  return {
    features: [
      { type: 'onehot', column: 'location', dropLevel: 'other', unseen: 'other' },
      { type: 'numeric', column: 'total_sqft' },
      { type: 'numeric', column: 'bath' },
      { type: 'numeric', column: 'bhk' },
    ],
    target: { column: 'price', kind: 'numeric' },
  };
}
