import { describe, expect, it } from 'vitest';
import { californiaFeatureSpec, californiaSchema, loadCalifornia } from '@modelship/datasets';
import { loadSplit } from '@modelship/datasets';
import { irisFeatureSpec, loadIris } from '@modelship/datasets';
import { encodeArtifact } from '@modelship/core';
import { loadModel } from '@modelship/core';
import { createTrainer } from '@modelship/train';

// Needs the shared data sets ($MODELSHIP_DATA_DIR); the loaders throw DataError NOT_FOUND naming
// where they looked when the files are absent, so this fails loudly rather than skipping.

describe('quality on the shared splits (scikit-learn figures from ../shared/peer, same split)', () => {
  it('California linear: R² within 0.005 of scikit-learn LinearRegression (0.5885)', async () => {
    const table = loadCalifornia();
    const r = await createTrainer({
      task: 'regression',
      features: californiaFeatureSpec(),
      variants: { ols: { learner: 'linear' }, ridge: { learner: 'linear', params: { alpha: 10 } } },
      evaluation: { kind: 'holdout', split: loadSplit('california_housing') },
      schema: californiaSchema,
    }).fit(table);
    const ols = r.variants.find((v) => v.name === 'ols')!;
    expect(Math.abs(ols.metrics.r2! - 0.5885)).toBeLessThan(0.005);
    expect(ols.metrics.rmse).toBeCloseTo(0.731, 2);
    // the raw CSV's AveBedrms input may be missing: the schema marks total_bedrooms optional
    const m = loadModel(encodeArtifact(r.artifact));
    const row = {
      longitude: -122.23,
      latitude: 37.88,
      housing_median_age: 41,
      total_rooms: 880,
      population: 322,
      households: 126,
      median_income: 8.3252,
    };
    expect(m.predict(row).value).toBeGreaterThan(3);
  });

  it('Iris logistic and forest-mljs: accuracy ≥ 0.93', async () => {
    const r = await createTrainer({
      task: 'classification',
      features: irisFeatureSpec(),
      variants: { logistic: { learner: 'logistic' }, forest: { learner: 'forest-mljs', params: { nEstimators: 50 } } },
      evaluation: { kind: 'holdout', split: loadSplit('iris') },
    }).fit(loadIris());
    for (const v of r.variants) expect(v.metrics.accuracy, v.name).toBeGreaterThanOrEqual(0.93);
  });
});
