import { describe, expect, it } from 'vitest';
import {
  Table,
  compareOffline,
  defineSchema,
  encodeArtifact,
  isModelshipError,
  loadModel,
  type FeaturePipelineSpec,
  type ModelArtifact,
} from '@modelship/core';
import { createDriftMonitor, parseProfile } from '@modelship/drift';
import { createTrainer, type TrainerOptions } from '../src/index.js';

/** A seeded uniform source (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 200 training rows with x in [0, 10) and city a|b, then 50 test rows from a different
 * distribution: x in [100, 110) and city c. price = 3x + 5 (+ city effect) + noise.
 */
function shifted(): { table: Table; split: { train: Int32Array; test: Int32Array } } {
  const r = rng(7);
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < 250; i++) {
    const test = i >= 200;
    const x = test ? 100 + 10 * r() : 10 * r();
    const city = test ? 'c' : r() < 0.5 ? 'a' : 'b';
    rows.push({ x, city, price: 3 * x + 5 + (city === 'b' ? 2 : 0) + (r() - 0.5) });
  }
  const train = Int32Array.from({ length: 200 }, (_, i) => i);
  const test = Int32Array.from({ length: 50 }, (_, i) => 200 + i);
  return { table: Table.fromRows(rows), split: { train, test } };
}

function regression(overrides: Partial<TrainerOptions> = {}): TrainerOptions {
  const { split } = shifted();
  return {
    task: 'regression',
    target: 'price',
    features: {
      features: [
        { type: 'numeric', column: 'x' },
        { type: 'onehot', column: 'city' },
      ],
    },
    variants: { ols: { learner: 'linear' }, ridge: { learner: 'linear', params: { alpha: 50 } } },
    evaluation: { kind: 'holdout', split },
    now: () => new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  };
}

/** 150 rows of a two-class problem: label 'hi' when x + noise > 5. */
function twoClasses(): Table {
  const r = rng(11);
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < 150; i++) {
    const x = 10 * r();
    rows.push({ x, y: 2 * r(), label: x + r() - 0.5 > 5 ? 'hi' : 'lo' });
  }
  return Table.fromRows(rows);
}

function classification(overrides: Partial<TrainerOptions> = {}): TrainerOptions {
  return {
    task: 'classification',
    target: 'label',
    features: {
      features: [
        { type: 'numeric', column: 'x' },
        { type: 'numeric', column: 'y' },
      ],
    },
    variants: { strong: { learner: 'logistic' }, weak: { learner: 'logistic', params: { C: 0.0001 } } },
    evaluation: { kind: 'holdout', testFraction: 0.3 },
    ...overrides,
  };
}

describe('the artifact carries the drift reference profile (a)', () => {
  it('profiles the input columns and the predictions of the TRAINING rows only, by default', async () => {
    const { table } = shifted();
    const r = await createTrainer(regression()).fit(table);
    const profile = parseProfile(r.artifact.profile);
    expect(profile.rows).toBe(200);
    expect(Object.keys(profile.features).sort()).toEqual(['city', 'x']);
    const x = profile.features.x!;
    if (x.type !== 'numeric') throw new Error('x should be numeric');
    // the test rows have x >= 100: a profile that saw one of them would have max >= 100
    expect(x.count).toBe(200);
    expect(x.max).toBeLessThan(10);
    expect(x.mean).toBeGreaterThan(3);
    expect(x.mean).toBeLessThan(7);
    const city = profile.features.city!;
    if (city.type !== 'categorical') throw new Error('city should be categorical');
    expect([...city.categories].sort()).toEqual(['a', 'b']); // never the test rows' 'c'
    // the prediction distribution of the training rows: 3x + 5 over x in [0, 10), not ~320
    const p = profile.prediction!;
    if (p.type !== 'numeric') throw new Error('predictions should be numeric');
    expect(p.count).toBe(200);
    expect(p.max).toBeLessThan(40);
    expect(p.mean).toBeCloseTo(3 * x.mean + 6, 0);
  });

  it('the profile is what a drift monitor reads: the training distribution passes, the test one drifts', async () => {
    const { table, split } = shifted();
    const r = await createTrainer(regression()).fit(table);
    const model = loadModel(encodeArtifact(r.artifact));
    const run = (rows: Int32Array) => {
      const monitor = createDriftMonitor({
        profile: r.artifact.profile,
        window: { kind: 'count', size: 10_000 },
        minSamples: 30,
      });
      for (const i of rows) {
        const row = { x: table.row(i).x, city: table.row(i).city };
        monitor.observe(row, model.predict(row).value);
      }
      return monitor.flush();
    };
    const train = run(split.train);
    expect(train.summary.verdict).toBe('no-drift');
    const test = run(split.test);
    expect(test.summary.verdict).toBe('drift');
    expect(test.prediction?.drifted).toBe(true);
  });

  it('profile options: columns, bins; false leaves it out; an unknown column names profile.columns', async () => {
    const { table } = shifted();
    const some = await createTrainer(regression({ profile: { columns: ['x'], bins: 4 } })).fit(table);
    const p = parseProfile(some.artifact.profile);
    expect(Object.keys(p.features)).toEqual(['x']);
    const x = p.features.x!;
    expect(x.type === 'numeric' && x.edges.length).toBe(3);
    const none = await createTrainer(regression({ profile: false })).fit(table);
    expect(none.artifact.profile).toBeUndefined();
    const err = await createTrainer(regression({ profile: { columns: ['price'] } }))
      .fit(table)
      .catch((e: unknown) => e);
    expect(isModelshipError(err, 'ValidationError', 'INVALID_OPTIONS')).toBe(true);
    expect((err as Error).message).toMatch(/profile\.columns: 'price' is not an input column/);
    expect(() => createTrainer(regression({ profile: { bins: 1 } }))).toThrow(/profile/);
  });

  it('classifiers profile the predicted labels', async () => {
    const r = await createTrainer(classification()).fit(twoClasses());
    const p = parseProfile(r.artifact.profile).prediction!;
    if (p.type !== 'categorical') throw new Error('predictions should be categorical');
    expect([...p.categories].sort()).toEqual(['hi', 'lo']);
    expect(p.count).toBe(r.artifact.dataset.rows);
  });

  it('k-fold and refit profile every row (the rows the packaged model was fitted on)', async () => {
    const { table } = shifted();
    const r = await createTrainer(regression({ evaluation: { kind: 'kfold', k: 3 } })).fit(table);
    expect(parseProfile(r.artifact.profile).rows).toBe(250);
  });
});

describe("the artifact's input schema keeps the data schema's ranges (b)", () => {
  const schema = defineSchema({
    columns: {
      x: { type: 'numeric', min: 0, max: 1000 },
      city: { type: 'categorical', categories: ['a', 'b', 'c'] },
      price: { type: 'numeric', role: 'target' },
    },
  });

  it('a served model rejects x: -5 when the data schema says min 0, naming the field', async () => {
    const { table } = shifted();
    const r = await createTrainer(regression({ schema })).fit(table);
    expect(r.artifact.schema.columns).toEqual({
      x: { type: 'numeric', min: 0, max: 1000 },
      city: { type: 'categorical', categories: ['a', 'b', 'c'] },
    });
    const model = loadModel(encodeArtifact(r.artifact));
    expect(model.predict({ x: 5, city: 'a' }).value).toBeCloseTo(20, 0);
    let err: unknown;
    try {
      model.predict({ x: -5, city: 'a' });
    } catch (e) {
      err = e;
    }
    expect(isModelshipError(err, 'ValidationError', 'INVALID_INPUT')).toBe(true);
    expect((err as Error).message).toBe("field 'x': expected a number >= 0 and <= 1000, got -5 (out of range)");
    expect((err as { details?: unknown }).details).toEqual({ field: 'x' });
    expect(() => model.predict({ x: 5, city: 'z' })).toThrow(/field 'city': unseen category 'z'/);
  });

  it('without a schema the derived one keeps types and required-ness only (no ranges)', async () => {
    const { table } = shifted();
    const r = await createTrainer(regression()).fit(table);
    expect(r.artifact.schema.columns).toEqual({ x: { type: 'numeric' }, city: { type: 'categorical' } });
    expect(loadModel(r.artifact).predict({ x: -5, city: 'a' }).value).toBeLessThan(0);
  });
});

describe('offline metrics are named as the offline gate reads them (c)', () => {
  it('classification: accuracy, precision, recall, f1 feed compareOffline with its defaults', async () => {
    const r = await createTrainer(classification()).fit(twoClasses());
    const [strong, weak] = await Promise.all([r.artifactOf('strong'), r.artifactOf('weak')]);
    for (const a of [strong, weak]) {
      for (const k of ['accuracy', 'precision', 'recall', 'f1', 'macroF1', 'logLoss'])
        expect(a.metrics, k).toHaveProperty(k);
      expect(a.metrics.f1).toBe(a.metrics.macroF1);
      expect(a.metrics.precision).toBe(a.metrics.macroPrecision);
      expect(a.metrics.recall).toBe(a.metrics.macroRecall);
    }
    expect(strong.metrics).toEqual(r.variants.find((v) => v.name === 'strong')!.metrics);
    // the default gate compares accuracy, precision, recall and f1: no renaming needed
    expect(compareOffline({ current: strong.metrics, candidate: strong.metrics }).action).toBe('promote');
    expect(compareOffline({ current: strong.metrics, candidate: weak.metrics }).action).toBe('rollback');
  });

  it('regression: r2, rmse, mae, mape feed compareOffline', async () => {
    const { table } = shifted();
    const r = await createTrainer(regression({ evaluation: { kind: 'kfold', k: 3 } })).fit(table);
    expect(Object.keys(r.artifact.metrics).sort()).toEqual(['mae', 'mape', 'r2', 'rmse']);
    const d = compareOffline({
      current: r.artifact.metrics,
      candidate: r.artifact.metrics,
      metrics: ['r2', 'rmse', 'mae', 'mape'],
    });
    expect(d.action).toBe('promote');
  });
});

describe("every variant's artifact (d)", () => {
  const expectVariant = (a: ModelArtifact, name: string, metrics: Record<string, number>) => {
    expect(a.params.variant).toBe(name);
    expect(a.metrics).toEqual(metrics);
    expect(a.profile).toBeDefined();
  };

  it('holdout: each variant as evaluated (fitted on the training split), the best is the same object', async () => {
    const { table } = shifted();
    const r = await createTrainer(regression()).fit(table);
    expect(await r.artifactOf(r.best)).toBe(r.artifact);
    const byName: Record<string, ModelArtifact> = {};
    for (const v of r.variants) {
      byName[v.name] = await r.artifactOf(v.name);
      expectVariant(byName[v.name]!, v.name, v.metrics);
      expect(byName[v.name]!.dataset.rows).toBe(200);
      expect(byName[v.name]!.params.refit).toBe(false);
    }
    expect(await r.artifactOf('ols')).toBe(byName.ols); // built once
    const row = { x: 5, city: 'a' };
    const ols = loadModel(byName.ols!).predict(row).value as number;
    const ridge = loadModel(byName.ridge!).predict(row).value as number;
    expect(ols).toBeCloseTo(20, 0);
    expect(Math.abs(ols - ridge)).toBeGreaterThan(0.01); // two different models
    const err = await r.artifactOf('nope').catch((e: unknown) => e);
    expect(isModelshipError(err, 'ValidationError', 'INVALID_INPUT')).toBe(true);
    expect((err as Error).message).toMatch(/no variant named 'nope'; variants: ols, ridge/);
  });

  it('k-fold: each variant refitted on every row, with its out-of-fold metrics; deterministic', async () => {
    const { table } = shifted();
    const opts = regression({ evaluation: { kind: 'kfold', k: 3 } });
    const r = await createTrainer(opts).fit(table);
    const again = await createTrainer(opts).fit(table);
    for (const v of r.variants) {
      const a = await r.artifactOf(v.name);
      expectVariant(a, v.name, v.metrics);
      expect(a.dataset.rows).toBe(250);
      expect(a.params.refit).toBe(true);
      expect(Buffer.from(encodeArtifact(a)).equals(Buffer.from(encodeArtifact(await again.artifactOf(v.name))))).toBe(
        true,
      );
    }
  });
});

describe('the target named by its column', () => {
  it("keeps the feature spec's target of that column (its divisor), and a plain one otherwise", async () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ x: i % 50, y: 1000 * (i % 50) + 500 }));
    const fit = (features: FeaturePipelineSpec) =>
      createTrainer({
        task: 'regression',
        target: 'y',
        features,
        variants: { linear: { learner: 'linear' } },
        evaluation: { kind: 'holdout', testFraction: 0.2 },
      }).fit(Table.fromRows(rows));
    const scaled = await fit({
      features: [{ type: 'numeric', column: 'x' }],
      target: { column: 'y', kind: 'numeric', divisor: 1000 },
    });
    expect(loadModel(encodeArtifact(scaled.artifact)).predict({ x: 10 }).value).toBeCloseTo(10.5, 6);
    const plain = await fit({ features: [{ type: 'numeric', column: 'x' }] });
    expect(loadModel(encodeArtifact(plain.artifact)).predict({ x: 10 }).value).toBeCloseTo(10_500, 3);
  });
});
