import { readCsv } from '@modelship/train';
import { defineSchema, type Schema } from '@modelship/core';
import type { Table } from '@modelship/core';
import type { FeaturePipelineSpec } from '@modelship/core';
import { resolveDataFile, type DataSourceOptions, type DatasetFile } from './resolve.js';

/**
 * The California Housing CSV (Hands-On ML variant, 20,640 rows): download
 * `https://raw.githubusercontent.com/ageron/handson-ml2/master/datasets/housing/housing.csv`
 * (the handson-ml2 repository's `datasets/housing/housing.csv`), save it as
 * `california_housing.csv`; sha256
 * `8a3727f4cf54ac1a327f69b1d5b4db54c5834ea81c6e4efc0d163300022a685e`.
 */
export const CALIFORNIA_FILE: DatasetFile = {
  fileName: 'california_housing.csv',
  url: 'https://raw.githubusercontent.com/ageron/handson-ml2/master/datasets/housing/housing.csv',
  sha256: '8a3727f4cf54ac1a327f69b1d5b4db54c5834ea81c6e4efc0d163300022a685e',
};

/** The schema of the raw California Housing CSV (`median_house_value` is the target). */
export const californiaSchema: Schema = defineSchema({
  columns: {
    longitude: { type: 'numeric', min: -180, max: 180 },
    latitude: { type: 'numeric', min: -90, max: 90 },
    housing_median_age: { type: 'numeric', min: 0 },
    total_rooms: { type: 'numeric', min: 0 },
    total_bedrooms: { type: 'numeric', min: 0, required: false },
    population: { type: 'numeric', min: 0 },
    households: { type: 'numeric', min: 0 },
    median_income: { type: 'numeric', min: 0 },
    median_house_value: { type: 'numeric', min: 0, role: 'target' },
    ocean_proximity: { type: 'categorical', categories: ['<1H OCEAN', 'INLAND', 'NEAR OCEAN', 'NEAR BAY', 'ISLAND'] },
  },
});

/**
 * Loads the raw California Housing CSV (20,640 rows) validated by {@link californiaSchema}.
 * Looks at `path`, then `$MODELSHIP_DATA_DIR`, then the cache (see `resolveDataFile`).
 *
 * @example
 * ```ts
 * const raw = loadCalifornia(); // uses $MODELSHIP_DATA_DIR/california_housing.csv
 * ```
 */
export function loadCalifornia(options: DataSourceOptions = {}): Table {
  const { path } = resolveDataFile(CALIFORNIA_FILE, options, 'loadCalifornia');
  return readCsv(path, { schema: californiaSchema });
}

/**
 * The scikit-learn `fetch_california_housing` feature view as a feature pipeline spec:
 * `MedInc`, `HouseAge`, `AveRooms = total_rooms / households`, `AveBedrms = total_bedrooms /
 * households` (missing → training median), `Population`, `AveOccup = population / households`,
 * `Latitude`, `Longitude`; target `median_house_value / 100000`. No standardization (pass
 * `{ standardize: true }` to add it).
 *
 * @example
 * ```ts
 * const p = createFeaturePipeline(californiaFeatureSpec()).fit(train);
 * const x = p.transform(test); const y = p.transformTarget(test);
 * ```
 */
export function californiaFeatureSpec(options: { standardize?: boolean } = {}): FeaturePipelineSpec {
  const standardize = options.standardize ?? false;
  const num = (column: string, name: string, impute?: 'median') => ({
    type: 'numeric' as const,
    column,
    name,
    standardize,
    ...(impute ? { impute: { strategy: impute } } : {}),
  });
  return {
    derive: [
      { name: 'AveRooms', op: 'ratio', numerator: 'total_rooms', denominator: 'households' },
      { name: 'AveBedrms', op: 'ratio', numerator: 'total_bedrooms', denominator: 'households' },
      { name: 'AveOccup', op: 'ratio', numerator: 'population', denominator: 'households' },
    ],
    features: [
      num('median_income', 'MedInc'),
      num('housing_median_age', 'HouseAge'),
      num('AveRooms', 'AveRooms'),
      num('AveBedrms', 'AveBedrms', 'median'),
      num('population', 'Population'),
      num('AveOccup', 'AveOccup'),
      num('latitude', 'Latitude'),
      num('longitude', 'Longitude'),
    ],
    target: { column: 'median_house_value', kind: 'numeric', divisor: 100000 },
  };
}
