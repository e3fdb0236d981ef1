/**
 * Training step of the Bangalore pipeline: the incumbent (linear) and the challenger (gbdt by
 * default) trained by one trainer on the shared split. The trainer packages each variant with
 * its offline metrics (`rmse`, `mae`, `r2`, `mape` on the test rows) and the drift reference
 * profile of the training rows (sqft, bath, bhk and the model's predictions).
 */
import type { ModelArtifact, Table } from '@modelship/core';
import { bangaloreFeatureSpec } from '@modelship/datasets';
import { createTrainer, type Split, type VariantSpec } from '@modelship/train';

/** The numeric inputs whose distribution the drift profile keeps. */
export const DRIFT_FEATURES = ['total_sqft', 'bath', 'bhk'] as const;

/** A trained model: its artifact (with profile) and its offline metrics on the test rows. */
export interface TrainedModel {
  /** The variant name (`linear`, `gbdt`, `forest`). */
  name: string;
  /** The trainer's artifact, with the drift profile in `profile`. */
  artifact: ModelArtifact;
  /** Test metrics from the trainer (`rmse`, `mae`, `r2`, `mape`). */
  metrics: Record<string, number>;
}

/** The request body of one row of the cleaned table. */
export function requestOf(table: Table, i: number): Record<string, unknown> {
  const r = table.row(i);
  return { location: r.location, total_sqft: r.total_sqft, bath: r.bath, bhk: r.bhk };
}

/** Trains `variants` on `split` of the cleaned table; one {@link TrainedModel} per variant, in order. */
export async function trainModels(
  clean: Table,
  split: Split,
  variants: Record<string, VariantSpec>,
  seed: number,
  datasetName: string,
): Promise<TrainedModel[]> {
  const trainer = createTrainer({
    task: 'regression',
    features: bangaloreFeatureSpec(),
    variants,
    evaluation: { kind: 'holdout', split },
    selectBy: 'mae',
    profile: { columns: [...DRIFT_FEATURES] },
    seed,
    datasetName,
    tags: { example: 'bangalore' },
  });
  const result = await trainer.fit(clean);
  const out: TrainedModel[] = [];
  for (const v of result.variants) {
    out.push({ name: v.name, artifact: await result.artifactOf(v.name), metrics: { ...v.metrics } });
  }
  return out;
}
