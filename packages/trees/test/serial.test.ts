import { describe, expect, it } from 'vitest';
import { decodeSerial, encodeSerial, isTreesError, TreeEnsemble, trainForest, trainGbdt } from '../src/index.js';
import { classData, regressionData } from './helpers.js';

const d = regressionData(800, 1);

function bits(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
}

describe('serial form', () => {
  it('toSerial / fromSerial round-trips bit for bit and predicts identically', () => {
    const models = [
      trainGbdt(d.x, d.y, { rounds: 10 }).model,
      trainForest(d.x, d.y, { trees: 5 }).model,
      trainGbdt(classData(300).x, classData(300).y, { objective: 'multiclass', rounds: 5, minSamplesLeaf: 5 }).model,
      trainForest(classData(300).x, classData(300).y, { task: 'classification', trees: 5 }).model,
    ];
    for (const m of models) {
      const s = m.toSerial();
      expect(s.feature).toBeInstanceOf(Int32Array);
      expect(s.threshold).toBeInstanceOf(Float64Array);
      const back = TreeEnsemble.fromSerial(decodeSerial(encodeSerial(s)));
      expect(back.toSerial()).toEqual(s);
      expect(bits(back.threshold)).toBe(bits(m.threshold));
      expect(bits(back.leafValues)).toBe(bits(m.leafValues));
      const x = m.numFeatures === 4 ? d.x : classData(300).x;
      expect(bits(back.predictRaw(x))).toBe(bits(m.predictRaw(x)));
    }
  });

  it('is compact: typed arrays, not arrays of objects', () => {
    const m = trainForest(d.x, d.y, { trees: 5 }).model;
    const bytes = encodeSerial(m.toSerial()).length;
    const nodes = m.feature.length;
    // per node: feature, threshold, children, flags (21 bytes) and its cover (8); per leaf: value and cover
    expect(bytes).toBeLessThan(nodes * 29 + m.leafValues.length * 16 + 4096);
  });

  it('fromSerial rejects corrupt data with INVALID_MODEL', () => {
    const s = trainGbdt(d.x, d.y, { rounds: 2 }).model.toSerial();
    const cases: unknown[] = [
      null,
      { ...s, format: 'other' },
      { ...s, version: 2 },
      { ...s, left: s.left.map((v, i) => (i === 0 ? 0 : v)) }, // a cycle: node 0 → node 0
      { ...s, feature: s.feature.map(() => 99) },
      { ...s, threshold: new Float64Array(1) },
      { ...s, leafValues: Array.from(s.leafValues) },
    ];
    for (const c of cases) {
      try {
        TreeEnsemble.fromSerial(c);
        expect.unreachable();
      } catch (err) {
        expect(isTreesError(err, 'INVALID_MODEL')).toBe(true);
      }
    }
  });

  it('single-row prediction does not allocate a new result for regression', () => {
    const m = trainGbdt(d.x, d.y, { rounds: 3 }).model;
    const row = d.x.data.subarray(0, 4);
    expect(typeof m.predictRow(row)).toBe('number');
    const a = m.predictRawRow(row);
    const b = m.predictRawRow(row);
    expect(a).toBe(b); // the same reused buffer
  });
});
