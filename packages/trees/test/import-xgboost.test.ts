import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importXgboost, isTreesError } from '../src/index.js';

/*
 * xgboost cannot be installed on this machine, so these fixtures are small models written by
 * hand in XGBoost's documented JSON schema (learner.gradient_booster.model.trees[] with
 * left_children / right_children / split_indices / split_conditions / default_left, leaves
 * marked by left_children = -1 and holding their value in split_conditions; tree_info gives each
 * tree's class; learner_model_param.base_score). The expected predictions below are worked out
 * by hand from XGBoost's documented prediction rule: go left when float32(x) < split_condition,
 * missing values follow default_left, margin = base_score + Σ leaves, softmax for multi:softprob.
 * Agreement with the real xgboost library could not be checked here.
 */
const fx = (name: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));

describe('importXgboost (hand-written fixtures in the XGBoost JSON schema)', () => {
  it('regression: base_score + the leaves reached, with float32 strict-less splits and default_left', () => {
    const m = importXgboost(fx('xgboost-regression.json'));
    expect(m.numFeatures).toBe(2);
    expect(m.numTrees).toBe(2);
    const cases: [number, number, number][] = [
      [1, 0, 0.5 + 0.25 + 0.125], // 1 < 1.5 → leaf 0.25
      [1.5, 0, 0.5 - 0.5 + 0.125], // 1.5 < 1.5 is false → right; 0 < 0.3 → leaf -0.5
      [2, 0.3, 0.5 + 1.0 + 0.125], // float32(0.3) < float32(0.3) is false → leaf 1.0 (a float64 test would go left)
      [2, 0.29999999, 0.5 - 0.5 + 0.125], // float32(0.29999999) = 0.29999998… < 0.30000001… → left
      [NaN, 5, 0.5 + 0.25 + 0.125], // missing at node 0: default_left = 1
      [3, NaN, 0.5 + 1.0 + 0.125], // missing at node 2: default_left = 0 → right
    ];
    for (const [a, b, want] of cases) expect(m.predictRow(Float64Array.of(a, b))).toBe(want);
  });

  it('multiclass softprob: one tree per class, margins base_score + leaves, softmax probabilities', () => {
    const m = importXgboost(fx('xgboost-multiclass.json'));
    expect(m.task).toBe('classification');
    expect(m.numClasses).toBe(3);
    // x=1: margins [0.5+1, 0.5-0.5, 0.5] ; x=3: [0.5-1, 0.5-0.5, 0.5] ; x=5: [0.5-1, 0.5+0.5, 0.5]
    const margins: Record<number, number[]> = { 1: [1.5, 0, 0.5], 3: [-0.5, 0, 0.5], 5: [-0.5, 1, 0.5] };
    const classes: Record<number, number> = { 1: 0, 3: 2, 5: 1 };
    for (const x of [1, 3, 5]) {
      const row = Float64Array.of(x);
      expect(m.predictRow(row)).toBe(classes[x]);
      const z = margins[x]!;
      const e = z.map((v) => Math.exp(v));
      const s = e.reduce((a, b) => a + b, 0);
      const p = m.predictProbaRow(row);
      for (const [k, v] of e.entries()) expect(p[k]).toBeCloseTo(v / s, 14);
    }
  });

  it('rejects other boosters, categorical splits and malformed trees with a clear error', () => {
    const gblinear = fx('xgboost-regression.json');
    gblinear.learner.gradient_booster.name = 'gblinear';
    expect(() => importXgboost(gblinear)).toThrow(/gblinear/);
    const cat = fx('xgboost-regression.json');
    cat.learner.gradient_booster.model.trees[0].split_type[0] = 1;
    expect(() => importXgboost(cat)).toThrow(/categorical/);
    const bad = fx('xgboost-regression.json');
    bad.learner.gradient_booster.model.trees[0].left_children[0] = 9;
    try {
      importXgboost(bad);
      expect.unreachable();
    } catch (err) {
      expect(isTreesError(err, 'INVALID_MODEL')).toBe(true);
    }
    expect(() => importXgboost('{not json')).toThrow(/not valid JSON/);
  });
});
