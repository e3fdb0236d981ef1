/**
 * A model trained elsewhere (issue #16, "models trained on a bigger engine"): LightGBM, trained in
 * Python on California's fixed training rows and saved in its text format as a LightGBM cluster
 * writes it, is wrapped by `artifactFromLightGbm` (@modelship/train), registered, gated, rolled out
 * on live outcomes and promoted over our own linear model — then a bad LightGBM model (trained on
 * shuffled targets) is rolled out and rolled back, on a fake clock, every change the
 * controller's. Its predictions through `loadModel` equal LightGBM's own within 1e-9 relative.
 * Skips loudly without Python's lightgbm (CI installs it and sets MODELSHIP_REQUIRE_PYTHON=1).
 */
import {
  createMemoryOutcomeStore,
  createRegistry,
  encodeArtifact,
  loadModel,
  MemoryStore,
  type ModelRegistry,
  type Table,
} from '@modelship/core';
import type { NumericColumn } from '@modelship/core/data';
import { loadCalifornia, loadSplit } from '@modelship/datasets';
import { createModelRouter, type ModelRouter } from '@modelship/router';
import { artifactFromLightGbm, createTrainer } from '@modelship/train';
import { afterAll, describe, expect, it } from 'vitest';
import { requireDataDir } from '../../../test-support/data-dir.js';
import { pythonWith, runPythonJson } from '../../../test-support/python.js';
import { createController, type Controller } from '../src/index.js';
import type { ControllerEvent } from '../src/types.js';

const py = pythonWith(['lightgbm', 'numpy']);
const MODEL = 'california';
const MINUTE = 60_000;
const FEATURES = [
  'longitude',
  'latitude',
  'housing_median_age',
  'total_rooms',
  'population',
  'households',
  'median_income',
];
const TARGET = 'median_house_value';

const TRAIN_LIGHTGBM = `
import json, sys
import numpy as np, lightgbm as lgb
d = json.load(sys.stdin)
X = np.array(d['x'], dtype=np.float64); y = np.array(d['y'], dtype=np.float64)
if d['shuffle']: y = np.random.default_rng(7).permutation(y)
params = dict(objective='regression', n_estimators=100, learning_rate=0.1, num_leaves=31,
              min_child_samples=20, num_threads=1, deterministic=True, verbose=-1, seed=7)
m = lgb.LGBMRegressor(**params).fit(X, y, feature_name=d['features'])
print(json.dumps({'model': m.booster_.model_to_string(),
                  'pred': m.booster_.predict(np.array(d['test'], dtype=np.float64)).tolist()}))
`;

/** A numeric column's values. */
function num(t: Table, c: string): Float64Array {
  return (t.column(c) as NumericColumn).values;
}

function matrix(t: Table): number[][] {
  const cols = FEATURES.map((c) => num(t, c));
  return Array.from({ length: t.numRows }, (_, i) => cols.map((c) => c[i]!));
}

function lightgbm(train: Table, test: Table, shuffle: boolean): { model: string; pred: number[] } {
  return runPythonJson(py!, TRAIN_LIGHTGBM, {
    x: matrix(train),
    y: Array.from(num(train, TARGET)),
    test: matrix(test),
    features: FEATURES,
    shuffle,
  });
}

const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

describe.skipIf(!py)('a LightGBM model trained elsewhere, imported and rolled out like any other', () => {
  it('predicts as LightGBM does, is promoted over our linear model on live outcomes, and a bad one is rolled back', async () => {
    const dataDir = requireDataDir();
    const table = loadCalifornia({ dataDir });
    const split = loadSplit('california_housing', { dataDir });
    const train = table.select(split.train);
    const test = table.select(split.test);

    // 1. LightGBM in Python; its text model wrapped as an artifact (metrics on the test rows)
    const good = lightgbm(train, test, false);
    const artifact = artifactFromLightGbm({ text: good.model, target: TARGET, evaluation: test, reference: train });
    expect(artifact.learner.kind).toBe('gbdt');
    expect(artifact.params).toMatchObject({ imported: 'lightgbm', trees: 100 });
    const served = loadModel(encodeArtifact(artifact));
    let worst = 0;
    for (let i = 0; i < test.numRows; i++) {
      const row = Object.fromEntries(FEATURES.map((c) => [c, num(test, c)[i]]));
      const ours = served.predict(row).value as number;
      worst = Math.max(worst, Math.abs(ours - good.pred[i]!) / Math.max(1, Math.abs(good.pred[i]!)));
    }
    console.log(
      `imported LightGBM: ${test.numRows} test rows, max relative difference ${worst.toExponential(2)}; R² ${artifact.metrics.r2!.toFixed(4)}`,
    );
    expect(worst).toBeLessThan(1e-9);

    // 2. our own linear model on the same columns is production
    const clock = { t: Date.UTC(2026, 11, 2, 9) };
    const now = () => clock.t;
    const registry: ModelRegistry = createRegistry({ store: new MemoryStore(), clock: now, actor: 'test' });
    const outcomes = createMemoryOutcomeStore();
    const controller: Controller = createController({
      registry,
      outcomes,
      clock: now,
      models: {
        [MODEL]: {
          rampSteps: [0.1, 0.5],
          stepMs: 10 * MINUTE,
          policy: { minDurationMs: 10 * MINUTE },
          // a wide gate, so the bad model reaches live traffic and is judged there
          gate: { metric: 'r2', tolerance: 1 },
        },
      },
    });
    const events: ControllerEvent[] = [];
    controller.on('event', (e) => events.push(e));
    closers.push(
      () => registry.close(),
      () => controller.close(),
    );
    const linear = await createTrainer({
      task: 'regression',
      target: TARGET,
      features: { features: FEATURES.map((column) => ({ type: 'numeric' as const, column })) },
      variants: { linear: { learner: 'linear' } },
      evaluation: { kind: 'holdout', split },
    }).fit(table);
    await registry.register(MODEL, linear.artifact);
    await controller.tick();
    const router: ModelRouter = createModelRouter({
      registry,
      model: MODEL,
      hmacKey: 'imported-lightgbm-test-key',
      outcomeStore: outcomes,
      clock: now,
      logCapacity: 0,
      pollIntervalMs: 20,
    });
    closers.push(() => router.close());
    await router.ready();

    // users ask about the test rows and send the actual price
    let cursor = 0;
    const minute = async (perMinute: number) => {
      for (let i = 0; i < perMinute; i++, cursor = (cursor + 1) % test.numRows) {
        clock.t += Math.floor(MINUTE / perMinute);
        const row = Object.fromEntries(FEATURES.map((c) => [c, num(test, c)[cursor]]));
        const r = router.predict(row, { unit: `u-${cursor}` });
        await router.feedback(r.requestId, { actual: num(test, TARGET)[cursor]! });
      }
      await new Promise((res) => setImmediate(res));
      await controller.tick();
      const rev = (await registry.getRollout(MODEL))?.revision;
      if (rev !== undefined) await router.waitForRevision(rev, { timeoutMs: 10_000 });
    };

    // 3. the imported model: registered, ramped 10 → 50 %, promoted
    await registry.register(MODEL, artifact, { description: 'LightGBM 100 rounds, trained elsewhere' });
    for (let m = 0; m < 120 && (await registry.getRollout(MODEL))!.production === 1; m++) await minute(200);
    let r = (await registry.getRollout(MODEL))!;
    expect([r.production, r.candidate]).toEqual([2, undefined]);
    expect(r.history!.map((h) => h.action)).toEqual(['deploy', 'start', 'ramp', 'promote']);

    // 4. a bad LightGBM model (shuffled targets): rolled out, then rolled back on live outcomes
    const bad = lightgbm(train, test, true);
    await registry.register(
      MODEL,
      artifactFromLightGbm({ text: bad.model, target: TARGET, evaluation: test, reference: train }),
    );
    for (let m = 0; m < 120 && !events.some((e) => e.type === 'rollout.rolledBack'); m++) await minute(200);
    r = (await registry.getRollout(MODEL))!;
    expect([r.production, r.candidate]).toEqual([2, undefined]);
    expect(r.history!.map((h) => h.action).slice(-2)).toEqual(['start', 'rollback']);
  }, 180_000);

  it('rejects what it cannot import, naming the field', () => {
    const dataDir = requireDataDir();
    const test = loadCalifornia({ dataDir }).select(loadSplit('california_housing', { dataDir }).test);
    expect(() => artifactFromLightGbm({ text: 'not a model', target: TARGET, evaluation: test })).toThrow(
      /artifactFromLightGbm: text: /,
    );
    expect(() => artifactFromLightGbm({ text: 'x', target: 'no_such_column', evaluation: test })).toThrow(
      /artifactFromLightGbm: target: expected a column of evaluation/,
    );
  });
});
