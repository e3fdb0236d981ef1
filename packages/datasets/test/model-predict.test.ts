import { beforeAll, describe, expect, it } from 'vitest';
import { isModelshipError } from '@modelship/core';
import { ARTIFACT_FORMAT_VERSION } from '@modelship/core/artifact';
import type { ModelArtifact } from '@modelship/core';
import { artifactSha256, decodeArtifact, encodeArtifact } from '@modelship/core';
import { encodeContainer } from '@modelship/core/kit';
import { bangaloreFeatureSpec, cleanBangalore, loadBangalore } from '@modelship/datasets';
import { irisFeatureSpec, irisSchema, loadIris } from '@modelship/datasets';
import { loadSplit, rowsById } from '@modelship/datasets';
import type { Table } from '@modelship/core';
import { loadModel, type Model } from '@modelship/core';
import { createTrainer } from '@modelship/train';
import { regressionMetrics } from '@modelship/train';

// Reads the shared data sets from $MODELSHIP_DATA_DIR; the loaders throw a DataError NOT_FOUND
// naming the folder when it is absent (the test then fails loudly, it never skips).

function expectError(fn: () => unknown, name: string, code: string, message: RegExp, field?: string): void {
  try {
    fn();
  } catch (err) {
    expect(
      isModelshipError(err, name, code),
      `${(err as Error).name} ${(err as { code?: string }).code}: ${(err as Error).message}`,
    ).toBe(true);
    expect((err as Error).message).toMatch(message);
    if (field) expect((err as { details?: { field?: string } }).details?.field).toBe(field);
    return;
  }
  expect.unreachable('expected an error');
}

function rowsOf(table: Table, target: string): Record<string, unknown>[] {
  return table.toRows().map((r) => {
    const { [target]: _t, row: _r, price_per_sqft: _p, ...rest } = r as Record<string, unknown>;
    return rest;
  });
}

/** Predictions of `a` and `b` on `rows` must be identical bit for bit. */
function expectSamePredictions(a: Model, b: Model, rows: Record<string, unknown>[]): void {
  for (const row of rows) {
    const pa = a.predict(row);
    const pb = b.predict(row);
    if (typeof pa.value === 'number') expect(Object.is(pb.value, pa.value)).toBe(true);
    else expect(pb.value).toBe(pa.value);
    expect(pb.probabilities).toEqual(pa.probabilities);
  }
}

let bangalore: {
  model: Model;
  artifact: ModelArtifact;
  bytes: Uint8Array;
  test: Record<string, unknown>[];
  actual: Float64Array;
  trainedMetrics: Record<string, number>;
};
let iris: { train: Table; test: Table };

beforeAll(async () => {
  const clean = cleanBangalore(loadBangalore());
  const split = loadSplit('bengaluru_house_data');
  const r = await createTrainer({
    task: 'regression',
    features: bangaloreFeatureSpec(),
    variants: { ols: { learner: 'linear' } },
    evaluation: { kind: 'holdout', split: { train: rowsById(clean, split.train), test: rowsById(clean, split.test) } },
  }).fit(clean);
  expect(r.variants[0]!.metrics.r2).toBeGreaterThan(0.85);
  const bytes = encodeArtifact(r.artifact);
  const testTable = clean.select(rowsById(clean, split.test));
  bangalore = {
    model: loadModel(bytes),
    artifact: r.artifact,
    bytes,
    test: rowsOf(testTable, 'price'),
    actual: Float64Array.from(testTable.toRows(), (row) => row.price as number),
    trainedMetrics: { ...r.variants[0]!.metrics },
  };
  const all = loadIris();
  const s = loadSplit('iris');
  iris = { train: all.select(s.train), test: all.select(s.test) };
});

describe('loadModel + predict', () => {
  it('predicts raw rows and exposes the schema, task and sha256', () => {
    const m = bangalore.model;
    expect(m.task).toBe('regression');
    expect(m.classes).toBeUndefined();
    expect(Object.keys(m.schema.columns).sort()).toEqual(['bath', 'bhk', 'location', 'total_sqft']);
    expect(m.artifactSha256).toBe(artifactSha256(bangalore.bytes));
    const p = m.predict({ location: 'Whitefield', total_sqft: 1200, bath: 2, bhk: 2 });
    expect(typeof p.value).toBe('number');
    expect(p.value).toBeGreaterThan(20);
    expect(p.value).toBeLessThan(200);
    expect(m.predictBatch(bangalore.test.slice(0, 3))).toHaveLength(3);
  });

  it("the model loaded from bytes reproduces the trained learner's holdout metrics exactly", () => {
    // The trainer scored the in-memory learner on these holdout rows (no refit for a holdout);
    // the same numbers from the decoded model mean every prediction survived the round trip.
    const predicted = Float64Array.from(bangalore.test, (row) => bangalore.model.predict(row).value as number);
    const m = regressionMetrics(bangalore.actual, predicted);
    expect(m.r2).toBe(bangalore.trainedMetrics.r2);
    expect(m.rmse).toBe(bangalore.trainedMetrics.rmse);
    expect(m.mae).toBe(bangalore.trainedMetrics.mae);
  });

  it('gives the same predictions before and after encode/decode, bit for bit (linear)', () => {
    expectSamePredictions(loadModel(bangalore.artifact), bangalore.model, bangalore.test.slice(0, 500));
  });

  for (const [learner, params] of [
    ['logistic', {}],
    ['forest-mljs', { nEstimators: 10 }],
    // the @modelship/trees adapters, registered as built-in kinds
    ['gbdt', { rounds: 30 }],
    ['forest', { trees: 20 }],
  ] as const) {
    it(`gives the same predictions before and after encode/decode, bit for bit (${learner})`, async () => {
      const r = await createTrainer({
        task: 'classification',
        features: irisFeatureSpec(),
        variants: { v: { learner, params } },
        evaluation: { kind: 'kfold', k: 3 },
        schema: irisSchema,
      }).fit(iris.train);
      const before = loadModel(r.artifact);
      const after = loadModel(decodeArtifact(encodeArtifact(r.artifact)));
      const rows = rowsOf(iris.test, 'species');
      expectSamePredictions(before, after, rows);
      const correct = rows.filter((row, i) => after.predict(row).value === iris.test.row(i).species).length;
      expect(correct / rows.length).toBeGreaterThanOrEqual(0.93);
      const p = after.predict(rows[0]!);
      expect(after.classes).toEqual(['setosa', 'versicolor', 'virginica']);
      expect(Object.keys(p.probabilities!)).toEqual(['setosa', 'versicolor', 'virginica']);
      expect(Object.values(p.probabilities!).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    });
  }

  it('gives the same predictions before and after encode/decode, bit for bit (linear-mljs)', async () => {
    const r = await createTrainer({
      task: 'regression',
      target: 'petal_width',
      features: {
        features: ['sepal_length', 'sepal_width', 'petal_length'].map((column) => ({
          type: 'numeric' as const,
          column,
        })),
      },
      variants: { v: { learner: 'linear-mljs' } },
    }).fit(iris.train);
    expect(r.variants[0]!.metrics.r2).toBeGreaterThan(0.8);
    const rows = rowsOf(iris.test, 'petal_width');
    expectSamePredictions(loadModel(r.artifact), loadModel(encodeArtifact(r.artifact)), rows);
  });
});

describe('Model.predict rejects bad input, naming the field', () => {
  const ok = { location: 'Whitefield', total_sqft: 1200, bath: 2, bhk: 2 };
  it('a missing column', () => {
    const { bath: _b, ...noBath } = ok;
    expectError(
      () => bangalore.model.predict(noBath),
      'ValidationError',
      'INVALID_INPUT',
      /field 'bath': required, expected a number/,
      'bath',
    );
  });
  it('a non-numeric value in a numeric column', () => {
    expectError(
      () => bangalore.model.predict({ ...ok, total_sqft: '1200 sqft' }),
      'ValidationError',
      'INVALID_INPUT',
      /field 'total_sqft': expected a number, got string '1200 sqft'/,
      'total_sqft',
    );
  });
  it('NaN', () => {
    expectError(
      () => bangalore.model.predict({ ...ok, bhk: Number.NaN }),
      'ValidationError',
      'INVALID_INPUT',
      /field 'bhk': expected a finite number, got NaN/,
      'bhk',
    );
    expectError(
      () => bangalore.model.predict({ ...ok, bhk: Number.POSITIVE_INFINITY }),
      'ValidationError',
      'INVALID_INPUT',
      /field 'bhk'/,
      'bhk',
    );
  });
  it('an unseen category: tolerated by default (the pipeline maps it to other), an error when asked', () => {
    const unseen = { ...ok, location: 'Atlantis' };
    expect(bangalore.model.predict(unseen).value).toBe(bangalore.model.predict({ ...ok, location: 'other' }).value);
    const strict = loadModel(bangalore.bytes, { unseenCategories: 'error' });
    expect(typeof strict.predict(ok).value).toBe('number');
    expectError(
      () => strict.predict(unseen),
      'ValidationError',
      'INVALID_INPUT',
      /field 'location': unseen category 'Atlantis'; expected one of/,
      'location',
    );
  });
  it('a value out of the schema range', async () => {
    const r = await createTrainer({
      task: 'classification',
      features: irisFeatureSpec(),
      variants: { v: { learner: 'logistic' } },
      schema: irisSchema,
    }).fit(iris.train);
    const m = loadModel(r.artifact);
    expectError(
      () => m.predict({ sepal_length: -1, sepal_width: 3, petal_length: 1, petal_width: 0.2 }),
      'ValidationError',
      'INVALID_INPUT',
      /field 'sepal_length': expected a number >= 0, got -1/,
      'sepal_length',
    );
  });
  it('not an object, and a bad row in a batch (named by index)', () => {
    expectError(
      () => bangalore.model.predict('hello' as never),
      'ValidationError',
      'INVALID_INPUT',
      /expected an object of fields/,
    );
    expectError(
      () => bangalore.model.predictBatch([ok, { ...ok, bath: 'x' }]),
      'ValidationError',
      'INVALID_INPUT',
      /row 1: field 'bath'/,
    );
  });
});

describe('loadModel rejects bad artifacts', () => {
  it('a tampered artifact (one byte changed)', () => {
    const t = bangalore.bytes.slice();
    t[Math.floor(t.length / 2)]! ^= 0x20;
    expectError(() => loadModel(t), 'ArtifactError', 'INTEGRITY', /tampered/);
  });
  it('an artifact whose bytes differ from the sha256 the registry recorded', () => {
    expectError(
      () => loadModel(bangalore.bytes, { expectedSha256: 'a'.repeat(64) }),
      'ArtifactError',
      'INTEGRITY',
      /expected a{64}/,
    );
  });
  it('an artifact of an unknown format version', () => {
    const v7 = encodeContainer(7, { ...bangalore.artifact, formatVersion: 7 });
    expectError(
      () => loadModel(v7),
      'ArtifactError',
      'UNSUPPORTED_VERSION',
      new RegExp(`version 7 is not supported; this build reads version\\(s\\) ${ARTIFACT_FORMAT_VERSION}`),
    );
  });
  it('an artifact whose learner state is not loadable', () => {
    const broken = encodeContainer(1, {
      ...bangalore.artifact,
      learner: { kind: 'linear', params: {}, state: { coef: [1, 2] } },
    });
    expectError(
      () => loadModel(broken),
      'ArtifactError',
      'INVALID_ARTIFACT',
      /learner cannot be loaded: linear: state needs coef/,
    );
  });
});
