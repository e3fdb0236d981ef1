/**
 * Model.explain: exact TreeSHAP of the gbdt and forest learners mapped back to the input columns
 * through the fitted feature pipeline (a one-hot column's levels summed into the column), additive
 * to the prediction; the kinds that cannot explain say so with ValidationError NOT_EXPLAINABLE.
 */
import { describe, expect, it } from 'vitest';
import { isModelshipError, loadModel, type ModelArtifact } from '../src/index.js';
import { createLearner } from '../src/learners/index.js';
import { buildArtifacts, rows } from './mixed-artifacts.js';

const [linear, gbdtReg, logistic, forestMulti, gbdtBinary] = await buildArtifacts();
const inputs = rows(40, 7).map(({ price: _p, label: _l, big: _b, ...r }) => r);
const columns = ['log_sqft', 'rooms', 'age', 'city', 'tag'];

describe('Model.explain (TreeSHAP through the feature pipeline)', () => {
  it.each([
    ['gbdt regression', gbdtReg!, 'value'],
    ['forest multiclass', forestMulti!, 'probability'],
    ['gbdt binary', gbdtBinary!, 'log-odds'],
  ] as const)('%s: per column contributions add up to the prediction (within 1e-9)', (_name, artifact, space) => {
    const model = loadModel(artifact);
    for (const input of inputs) {
      const e = model.explain(input);
      expect(e.method).toBe('tree-shap');
      expect(e.space).toBe(space);
      const p = model.predict(input);
      for (const o of e.outputs) {
        const sum = Object.values(o.columns).reduce((a, b) => a + b, o.expectedValue);
        expect(Math.abs(sum - o.output)).toBeLessThanOrEqual(1e-9);
        // every input column the pipeline reads is there; one-hot levels are summed into their column
        for (const c of Object.keys(o.columns)) expect(c === 'rooms' || columns.includes(c)).toBe(true);
        const cityLevels = Object.entries(o.features).filter(([f]) => f.startsWith('city='));
        expect(Math.abs(cityLevels.reduce((a, [, v]) => a + v, 0) - o.columns.city!)).toBeLessThanOrEqual(1e-12);
      }
      if (space === 'value') expect(Math.abs(e.outputs[0]!.output - (p.value as number))).toBeLessThanOrEqual(1e-9);
      if (space === 'probability')
        for (const o of e.outputs) expect(Math.abs(o.output - p.probabilities![o.name]!)).toBeLessThanOrEqual(1e-9);
      if (space === 'log-odds') {
        expect(e.outputs.map((o) => o.name)).toEqual([artifact.target.classes![1]]);
        const prob = 1 / (1 + Math.exp(-e.outputs[0]!.output));
        expect(Math.abs(prob - p.probabilities![e.outputs[0]!.name]!)).toBeLessThanOrEqual(1e-9);
      }
    }
  });

  it('names one output per class for a multiclass forest, in class order', () => {
    const e = loadModel(forestMulti!).explain(inputs[0]!);
    expect(e.outputs.map((o) => o.name)).toEqual(forestMulti!.target.classes);
  });

  it('credits a column the model reads through two steps (rooms: numeric and one-hot) once, with both parts', () => {
    const e = loadModel(gbdtReg!).explain(inputs[1]!);
    const o = e.outputs[0]!;
    const parts = Object.entries(o.features)
      .filter(([f]) => f === 'rooms' || f.startsWith('rooms='))
      .reduce((a, [, v]) => a + v, 0);
    expect(Math.abs(parts - o.columns.rooms!)).toBeLessThanOrEqual(1e-12);
  });

  it('linear: ValidationError NOT_EXPLAINABLE naming the learner kind (its artifact keeps no training means)', () => {
    let err: unknown;
    try {
      loadModel(linear!).explain(inputs[0]!);
    } catch (e) {
      err = e;
    }
    expect(isModelshipError(err, 'ValidationError', 'NOT_EXPLAINABLE')).toBe(true);
    expect((err as Error).message).toContain("'linear'");
  });

  it('logistic: exact linear SHAP in the margin space, additive, whose softmax is the prediction', () => {
    const model = loadModel(logistic!);
    for (const input of inputs.slice(0, 10)) {
      const e = model.explain(input);
      expect(e).toMatchObject({ method: 'linear-shap', space: 'margin' });
      const p = model.predict(input);
      const z = e.outputs.map((o) => o.output);
      const m = Math.max(...z);
      const s = z.reduce((a, v) => a + Math.exp(v - m), 0);
      e.outputs.forEach((o, k) => {
        const total = Object.values(o.columns).reduce((a, v) => a + v, o.expectedValue);
        expect(Math.abs(total - o.output)).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(Math.exp(z[k]! - m) / s - p.probabilities![o.name]!)).toBeLessThanOrEqual(1e-9);
      });
    }
    // contributions are coef × (x − training mean): a row at the training means gets zeros
    const lr = createLearner('logistic', {}, 'classification');
    const x = { data: Float64Array.from([0, 0, 1, 2, 2, 4]), rows: 3, cols: 2 };
    lr.fit(x, Float64Array.from([0, 1, 1]), { numClasses: 2 });
    const at = lr.explainRow!(Float64Array.from([1, 2]));
    expect(Array.from(at.values, (v) => Math.abs(v))).toEqual([0, 0, 0, 0]);
  });

  it('logistic fitted with standardize: false: NOT_EXPLAINABLE', () => {
    const lr = createLearner('logistic', { standardize: false }, 'classification');
    lr.fit({ data: Float64Array.from([0, 1, 2]), rows: 3, cols: 1 }, Float64Array.from([0, 1, 1]), { numClasses: 2 });
    expect(() => lr.explainRow!(Float64Array.from([1]))).toThrow(/standardize: false/);
  });

  it('a tree model saved before node covers were kept still predicts, and explains with NOT_EXPLAINABLE', () => {
    const a = structuredClone(gbdtReg!) as ModelArtifact;
    const ens = (a.learner.state as { ensemble: Record<string, unknown> }).ensemble;
    delete ens.nodeCover;
    delete ens.leafCover;
    const model = loadModel(a);
    expect(typeof model.predict(inputs[0]!).value).toBe('number');
    expect(() => model.explain(inputs[0]!)).toThrow(/without node covers/);
  });

  it('validates the input as predict does', () => {
    expect(() => loadModel(gbdtReg!).explain({ ...inputs[0]!, sqft: 'big' })).toThrow(/sqft/);
  });
});
