/** What `toOnnx` refuses, and the float32 rounding of thresholds (no Python needed). */
import { beforeAll, describe, expect, it } from 'vitest';
import { isModelshipError, type ModelArtifact } from '@modelship/core';
import { irisFeatureSpec, loadIris, loadSplit } from '@modelship/datasets';
import { createTrainer } from '@modelship/train';
import { toOnnx } from '../src/index.js';
import { ceil32, floor32 } from '../src/tree-export.js';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('toOnnx', () => {
  let artifact: ModelArtifact;
  beforeAll(async () => {
    const r = await createTrainer({
      task: 'classification',
      features: irisFeatureSpec({ standardize: true }),
      variants: { gbdt: { learner: 'gbdt', params: { rounds: 10 } } },
      evaluation: { kind: 'holdout', split: loadSplit('iris') },
    }).fit(loadIris());
    artifact = r.artifact;
  });

  it('writes an ONNX ModelProto: IR version first, then the producer and the graph with its inputs and outputs', () => {
    for (const [opset, ir] of [
      ['ml5', 10],
      ['ml3', 8],
    ] as const) {
      const bytes = toOnnx(artifact, { opset });
      expect(bytes[0]).toBe(0x08); // field 1 (ir_version), varint
      expect(bytes[1]).toBe(ir);
      const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
      expect(text).toContain('modelship');
      for (const s of ['sepal_length', 'petal_width', 'label', 'probabilities', 'ai.onnx.ml'])
        expect(text).toContain(s);
      expect(text).toContain(opset === 'ml5' ? 'TreeEnsemble' : 'TreeEnsembleRegressor');
      expect(text.includes('TreeEnsembleRegressor')).toBe(opset === 'ml3');
    }
  });

  it('accepts a loaded Model as well as its artifact, with the same bytes', async () => {
    const { loadModel } = await import('@modelship/core');
    expect(toOnnx(loadModel(artifact))).toEqual(toOnnx(artifact));
  });

  it('rejects a bad option with OnnxError INVALID_OPTIONS naming the field', () => {
    for (const [options, field] of [
      [{ opset: 'ml4' }, 'opset'],
      [{ precision: 'half' }, 'precision'],
      [{ graphName: '' }, 'graphName'],
      [{ opsets: 'ml5' }, 'opsets'],
    ] as const) {
      const err = thrown(() => toOnnx(artifact, options as never));
      expect(isModelshipError(err, 'OnnxError', 'INVALID_OPTIONS')).toBe(true);
      expect((err as Error).message).toContain(field);
      expect((err as { details?: { field?: string } }).details?.field).toBe(field);
    }
  });

  it('names a learner kind it cannot export (NOT_EXPORTABLE)', () => {
    const err = thrown(() => toOnnx({ ...artifact, learner: { kind: 'forest-mljs', params: {}, state: {} } }));
    expect(isModelshipError(err, 'OnnxError', 'NOT_EXPORTABLE')).toBe(true);
    expect((err as Error).message).toContain("learner kind 'forest-mljs'");
  });

  it('names a pipeline step it cannot export: hashing, with its index and columns', async () => {
    const r = await createTrainer({
      task: 'classification',
      features: {
        ...irisFeatureSpec(),
        features: [...irisFeatureSpec().features, { type: 'hash', columns: ['sepal_length'], buckets: 4 }],
      },
      variants: { logistic: { learner: 'logistic' } },
      evaluation: { kind: 'holdout', split: loadSplit('iris') },
    }).fit(loadIris());
    const err = thrown(() => toOnnx(r.artifact));
    expect(isModelshipError(err, 'OnnxError', 'NOT_EXPORTABLE')).toBe(true);
    expect((err as { details?: { step?: string } }).details?.step).toBe("features[4] (hash 'sepal_length')");
    expect((err as Error).message).toContain('hashing');
  });

  it('rejects an artifact whose pipeline does not load (INVALID_ARTIFACT, with the cause)', () => {
    const err = thrown(() => toOnnx({ ...artifact, pipeline: { format: 'nope' } }));
    expect(isModelshipError(err, 'OnnxError', 'INVALID_ARTIFACT')).toBe(true);
    expect((err as Error).cause).toBeDefined();
  });
});

describe('float32 rounding of thresholds', () => {
  it('floor32 is the largest float32 <= t and ceil32 the smallest >= t', () => {
    const samples = [0.1, -0.1, 1 / 3, -2.5, 37.88, -122.23, 1e-40, -1e-40, 3.4e38, 2 ** -149 / 3, 0];
    for (const t of samples) {
      const lo = floor32(t);
      const hi = ceil32(t);
      expect(Math.fround(lo)).toBe(lo);
      expect(Math.fround(hi)).toBe(hi);
      expect(lo).toBeLessThanOrEqual(t);
      expect(hi).toBeGreaterThanOrEqual(t);
      if (Math.fround(t) === t) expect([lo, hi]).toEqual([t, t]);
      else {
        // adjacent float32 values: nothing in between
        const a = new Float32Array([lo]);
        new Int32Array(a.buffer)[0]! += lo >= 0 ? 1 : -1;
        expect(a[0]).toBe(hi);
      }
    }
  });

  it('a float32 x satisfies x <= floor32(t) exactly when x <= t', () => {
    for (const t of [0.1, -0.7, 12.345678, 1e-3]) {
      const lo = floor32(t);
      const hi = ceil32(t);
      for (const x of [lo, hi]) expect(x <= lo).toBe(x <= t);
    }
  });
});
