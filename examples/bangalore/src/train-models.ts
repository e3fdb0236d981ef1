/**
 * Training step of the Bangalore pipeline: one model per learner on the shared split, with a
 * drift reference profile (sqft, bath, bhk and the model's predictions on the training rows)
 * attached to the artifact.
 */
import { createArtifact, loadModel, type ModelArtifact, type Table } from '@modelship/core';
import { createTrainer, regressionMetrics, type Split, type VariantSpec } from '@modelship/train';
import { bangaloreFeatureSpec } from '@modelship/datasets';
import { buildProfile, profileToJSON } from '@modelship/drift';

/** The numeric inputs whose distribution the drift profile keeps. */
export const DRIFT_FEATURES = ['total_sqft', 'bath', 'bhk'] as const;

/** A trained model: its artifact (with profile) and its metrics on the test rows. */
export interface TrainedModel {
  /** The variant name (`linear`, `gbdt`, `forest`). */
  name: string;
  /** The artifact, with the drift profile in `profile`. */
  artifact: ModelArtifact;
  /** Test metrics from the trainer (`rmse`, `mae`, `r2`, …) and `mape` (mean relative error) of the loaded model. */
  metrics: Record<string, number>;
  /** Predictions on the test rows, in test order. */
  testPredictions: Float64Array;
}

/** The request body of one row of the cleaned table. */
export function requestOf(table: Table, i: number): Record<string, unknown> {
  const r = table.row(i);
  return { location: r.location, total_sqft: r.total_sqft, bath: r.bath, bhk: r.bhk };
}

/** Trains one variant on `split` of the cleaned table and profiles it. */
export async function trainModel(
  clean: Table,
  split: Split,
  name: string,
  variant: VariantSpec,
  seed: number,
  datasetName: string,
): Promise<TrainedModel> {
  const trainer = createTrainer({
    task: 'regression',
    features: bangaloreFeatureSpec(),
    variants: { [name]: variant },
    evaluation: { kind: 'holdout', split },
    selectBy: 'r2',
    seed,
    datasetName,
    tags: { example: 'bangalore' },
  });
  const result = await trainer.fit(clean);
  const model = loadModel(result.artifact);
  const train = clean.select(split.train);
  const test = clean.select(split.test);
  const trainPredictions = predictAll(model, train);
  const testPredictions = predictAll(model, test);
  const actual = test.numeric('price').values;
  const offline = regressionMetrics(actual, testPredictions);
  const profile = buildProfile(Object.fromEntries(DRIFT_FEATURES.map((f) => [f, train.numeric(f).values])), {
    features: { total_sqft: 'numeric', bath: 'numeric', bhk: 'numeric' },
    predictions: { type: 'numeric', values: trainPredictions },
  });
  const metrics = { ...result.variants[0]!.metrics, mape: offline.mape };
  const artifact = createArtifact({ ...result.artifact, metrics, profile: profileToJSON(profile) });
  return { name, artifact, metrics, testPredictions };
}

function predictAll(model: ReturnType<typeof loadModel>, table: Table): Float64Array {
  const out = new Float64Array(table.numRows);
  for (let i = 0; i < table.numRows; i++) out[i] = model.predict(requestOf(table, i)).value as number;
  return out;
}
