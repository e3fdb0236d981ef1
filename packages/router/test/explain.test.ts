import { describe, expect, it } from 'vitest';
import { loadIris } from '@modelship/datasets';
import { createModelRouter } from '../src/model-router.js';
import type { PredictionExplanation } from '../src/routed-prediction.js';
import { HMAC_KEY } from './helpers.js';
import { artifactRegistry, trainIris, trainIrisGbdt } from './real-models.js';

type Pred = { value: string; probabilities: Record<string, number> };

describe('ModelRouter predict(input, { explain: true })', () => {
  it('attaches the answering model’s TreeSHAP explanation, or a note when its learner cannot explain', async () => {
    const registry = await artifactRegistry('iris', [await trainIrisGbdt(), await trainIris({ standardize: false })]);
    await registry.setRollout('iris', {
      production: 1,
      candidate: 2,
      weights: { production: 0.5, candidate: 0.5 },
      mode: 'split',
      salt: 'explain',
    });
    const router = createModelRouter({ registry, model: 'iris', hmacKey: HMAC_KEY });
    await router.ready();
    const { species: _s, ...input } = loadIris().toRows()[120] as Record<string, number | string>;

    const plain = router.predict(input, { override: 'production' });
    expect(plain.explanation).toBeUndefined();

    const r = router.predict<Pred>(input, { override: 'production', explain: true });
    const e = r.explanation as Extract<PredictionExplanation, { available: true }>;
    expect(e.available).toBe(true);
    expect(e.method).toBe('tree-shap');
    expect(e.space).toBe('margin');
    expect(e.outputs.map((o) => o.name)).toEqual(Object.keys(r.prediction.probabilities));
    // softmax of the explained margins is the served probability; contributions are additive
    const z = e.outputs.map((o) => o.output);
    const max = Math.max(...z);
    const sum = z.reduce((a, v) => a + Math.exp(v - max), 0);
    e.outputs.forEach((o, k) => {
      expect(Math.abs(Math.exp(z[k]! - max) / sum - r.prediction.probabilities[o.name]!)).toBeLessThanOrEqual(1e-9);
      const total = Object.values(o.columns).reduce((a, v) => a + v, o.expectedValue);
      expect(Math.abs(total - o.output)).toBeLessThanOrEqual(1e-9);
      expect(Object.keys(o.columns).sort()).toEqual(['petal_length', 'petal_width', 'sepal_length', 'sepal_width']);
    });
    // the JSON form carries it too
    expect(JSON.parse(JSON.stringify(r)).explanation.outputs).toHaveLength(3);

    const c = router.predict(input, { override: 'candidate', explain: true });
    expect(c.variant).toBe('candidate');
    // a logistic model fitted without standardize keeps no training means: a note, not an error
    expect(c.explanation).toEqual({ available: false, note: expect.stringContaining("'logistic'") });
    expect(c.prediction).toBeDefined();

    const batch = router.predictBatch([input, input], { override: 'production', explain: true });
    expect(batch.map((b) => b.explanation?.available)).toEqual([true, true]);
    await router.close();
  });
});
