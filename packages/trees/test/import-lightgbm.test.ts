import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importLightGbm, isTreesError, TreeEnsemble } from '../src/index.js';

const fx = (name: string) => join(__dirname, 'fixtures', name);

interface Fixture {
  x: (number | null)[];
  rows: number;
  cols: number;
  predictions: number[];
  proba?: number[];
  target_scale?: number;
  y?: number[];
}

function load(name: string) {
  const model = importLightGbm(readFileSync(fx(`lightgbm-${name}.txt`), 'utf8'));
  const f = JSON.parse(readFileSync(fx(`lightgbm-${name}.json`), 'utf8')) as Fixture;
  return { model, f, x: { data: Float64Array.from(f.x, (v) => v ?? NaN), rows: f.rows, cols: f.cols } };
}

describe('importLightGbm (fixtures made by scripts/make-fixtures.py with the real LightGBM)', () => {
  it('predicts what LightGBM predicts on the California test split', () => {
    const { model, f, x } = load('california');
    expect(model.numFeatures).toBe(8);
    expect(model.numTrees).toBe(50);
    const p = model.predict(x);
    let maxDiff = 0;
    for (let i = 0; i < f.rows; i++) maxDiff = Math.max(maxDiff, Math.abs(p[i]! - f.predictions[i]!));
    expect(maxDiff).toBeLessThanOrEqual(1e-6 * f.target_scale!);
    // single-row path agrees with the batch path
    expect(model.predictRow(x.data.subarray(0, 8))).toBe(p[0]);
  });

  it('follows LightGBM missing-value rules (NaN in training and at predict)', () => {
    const { model, f, x } = load('california-nan');
    let nan = 0;
    for (const v of x.data) if (Number.isNaN(v)) nan++;
    expect(nan).toBeGreaterThan(100);
    const p = model.predict(x);
    for (let i = 0; i < f.rows; i++)
      expect(Math.abs(p[i]! - f.predictions[i]!)).toBeLessThanOrEqual(1e-6 * f.target_scale!);
  });

  it('predicts the same classes and probabilities as LightGBM on Iris (multiclass softmax)', () => {
    const { model, f, x } = load('iris');
    expect(model.task).toBe('classification');
    expect(model.numClasses).toBe(3);
    expect(Array.from(model.predict(x))).toEqual(f.predictions);
    const proba = model.predictProba(x);
    for (let i = 0; i < proba.length; i++) expect(proba[i]).toBeCloseTo(f.proba![i]!, 12);
  });

  it('survives the serial round trip bit for bit', () => {
    const { model, x } = load('california');
    const back = TreeEnsemble.fromSerial(model.toSerial());
    expect(Array.from(back.predict(x))).toEqual(Array.from(model.predict(x)));
  });

  it('rejects text that is not a LightGBM model, and unsupported objectives', () => {
    expect(() => importLightGbm('hello')).toThrow(/LightGBM model/);
    const text = readFileSync(fx('lightgbm-california.txt'), 'utf8').replace(
      'objective=regression',
      'objective=poisson',
    );
    try {
      importLightGbm(text);
      expect.unreachable();
    } catch (err) {
      expect(isTreesError(err, 'UNSUPPORTED_MODEL')).toBe(true);
    }
  });
});
