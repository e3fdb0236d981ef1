import { describe, expect, it } from 'vitest';
import { Table, isModelshipError, loadModel } from '@modelship/core';
import { createTrainer, type TrainerOptions } from '../src/index.js';
import { smote } from '../src/train/smote.js';

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

/** 2-D rows: class 0 has `n0` rows around (0, 0), class 1 has `n1` rows around (5, 5). */
function imbalanced(n0: number, n1: number, seed = 3) {
  const r = rng(seed);
  const n = n0 + n1;
  const data = new Float64Array(n * 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = i < n0 ? 0 : 1;
    data[i * 2] = c * 5 + r();
    data[i * 2 + 1] = c * 5 + r();
    y[i] = c;
  }
  return { x: { data, rows: n, cols: 2 }, y };
}

/** Is point p on the segment a–b (within rounding)? */
function onSegment(p: number[], a: number[], b: number[]): boolean {
  const ab = [b[0]! - a[0]!, b[1]! - a[1]!];
  const ap = [p[0]! - a[0]!, p[1]! - a[1]!];
  const len = ab[0]! ** 2 + ab[1]! ** 2;
  if (len === 0) return Math.hypot(ap[0]!, ap[1]!) < 1e-12;
  const u = (ap[0]! * ab[0]! + ap[1]! * ab[1]!) / len;
  const cross = ap[0]! * ab[1]! - ap[1]! * ab[0]!;
  return u >= -1e-12 && u <= 1 + 1e-12 && Math.abs(cross) < 1e-9;
}

describe('smote', () => {
  it('adds minority rows up to the majority count, each on a segment between a row and one of its k nearest same-class rows', () => {
    const { x, y } = imbalanced(100, 20);
    const k = 5;
    const out = smote(x, y, 2, { k }, 7);
    expect(out.summary).toMatchObject({
      k: 5,
      maxGrowth: 2,
      rowsBefore: 120,
      rowsAfter: 200,
      syntheticPerClass: [0, 80],
    });
    // the original rows come first, unchanged
    expect(Array.from(out.x.data.subarray(0, 240))).toEqual(Array.from(x.data));
    const minority = Array.from({ length: 20 }, (_, i) => 100 + i);
    const pt = (d: Float64Array, i: number) => [d[i * 2]!, d[i * 2 + 1]!];
    const kNearest = (i: number) =>
      minority
        .filter((j) => j !== i)
        .map((j) => ({ j, d: (x.data[i * 2]! - x.data[j * 2]!) ** 2 + (x.data[i * 2 + 1]! - x.data[j * 2 + 1]!) ** 2 }))
        .sort((a, b) => a.d - b.d)
        .slice(0, k)
        .map((e) => e.j);
    for (let s = 120; s < 200; s++) {
      expect(out.y[s]).toBe(1);
      const p = pt(out.x.data, s);
      const found = minority.some((i) => kNearest(i).some((j) => onSegment(p, pt(x.data, i), pt(x.data, j))));
      expect(found).toBe(true);
    }
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const { x, y } = imbalanced(60, 10);
    const a = smote(x, y, 2, {}, 1);
    const b = smote(x, y, 2, {}, 1);
    const c = smote(x, y, 2, {}, 2);
    expect(Array.from(a.x.data)).toEqual(Array.from(b.x.data));
    expect(Array.from(a.x.data)).not.toEqual(Array.from(c.x.data));
  });

  it('keeps the total within maxGrowth × rows, sharing the cap by shortfall', () => {
    const { x, y } = imbalanced(200, 10);
    const out = smote(x, y, 2, { maxGrowth: 1.5 }, 1);
    expect(out.summary.rowsAfter).toBe(315); // floor(1.5 × 210)
    expect(out.summary.syntheticPerClass).toEqual([0, 105]);
    const none = smote(x, y, 2, { maxGrowth: 1 }, 1);
    expect(none.summary.rowsAfter).toBe(210);
    // three classes (150, 20, 40 rows): shortfalls 130 and 110 share a budget of 105 —
    // 56.875 and 48.125, the remaining row to the larger fractional part
    const three = imbalanced(200, 10);
    const y3 = Float64Array.from({ length: 210 }, (_, i) => (i < 20 ? 1 : i < 60 ? 2 : 0));
    const capped = smote(three.x, y3, 3, { maxGrowth: 1.5 }, 1);
    expect(capped.summary.syntheticPerClass).toEqual([0, 57, 48]);
    expect(capped.summary.rowsAfter).toBe(315);
  });
});

/** A table with one numeric feature pair and a rare class 'yes' (10 % of rows). */
function rareTable(n = 300) {
  const r = rng(11);
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const yes = i % 10 === 0;
    rows.push({ a: (yes ? 0.7 : 0) + r() * 1.5, b: r(), label: yes ? 'yes' : 'no', price: r() });
  }
  return Table.fromRows(rows);
}

function options(overrides: Partial<TrainerOptions> = {}): TrainerOptions {
  return {
    task: 'classification',
    target: 'label',
    features: {
      features: [
        { type: 'numeric', column: 'a' },
        { type: 'numeric', column: 'b' },
      ],
    },
    variants: { plain: { learner: 'logistic' }, smote: { learner: 'logistic', smote: true } },
    profile: false,
    seed: 5,
    ...overrides,
  } as TrainerOptions;
}

describe('trainer option smote', () => {
  it('oversamples the training rows only and records it in the artifact params', async () => {
    const table = rareTable();
    const res = await createTrainer(options()).fit(table);
    const art = await res.artifactOf('smote');
    const sm = art.params.smote as { rowsBefore: number; rowsAfter: number; syntheticPerClass: number[]; k: number };
    // holdout 0.2 of 300 rows: 240 training rows (24 'yes'), the 60 test rows untouched
    expect(sm.rowsBefore).toBe(240);
    expect(sm.rowsAfter).toBe(240 + sm.syntheticPerClass.reduce((s, v) => s + v, 0));
    expect(sm.rowsAfter).toBeLessThanOrEqual(480);
    expect(sm.k).toBe(5);
    expect(art.dataset.rows).toBe(240);
    expect(art.dataset.evaluation).toMatchObject({ testRows: 60 });
    const plain = await res.artifactOf('plain');
    expect(plain.params.smote).toBeUndefined();
    // trained on balanced rows, the model calls the rare class more often
    const yesCount = (artifact: typeof art) => {
      const model = loadModel(artifact);
      let c = 0;
      for (let i = 0; i < table.numRows; i++) {
        const row = { a: table.numeric('a').values[i]!, b: table.numeric('b').values[i]! };
        if (model.predict(row).value === 'yes') c++;
      }
      return c;
    };
    expect(yesCount(art)).toBeGreaterThan(yesCount(plain) + 10);
  });

  it('records SMOTE of the refitted model (k-fold refits on every row)', async () => {
    const res = await createTrainer(
      options({
        evaluation: { kind: 'kfold', k: 3 },
        variants: { s: { learner: 'logistic', smote: { k: 3, maxGrowth: 1.5 } } },
      }),
    ).fit(rareTable());
    expect(res.artifact.params.smote).toMatchObject({ k: 3, maxGrowth: 1.5, rowsBefore: 300, rowsAfter: 450 });
  });

  it('is refused for a regression variant, naming the field', () => {
    let err: unknown;
    try {
      createTrainer({
        task: 'regression',
        target: 'price',
        features: { features: [{ type: 'numeric', column: 'a' }] },
        variants: { lin: { learner: 'linear', smote: true } },
      });
    } catch (e) {
      err = e;
    }
    expect(isModelshipError(err, 'ValidationError', 'INVALID_OPTIONS')).toBe(true);
    expect((err as Error).message).toMatch(/variants\.lin\.smote: .*classification only/);
  });

  it('validates its settings, naming the field', () => {
    for (const smote of [{ k: 0 }, { maxGrowth: 0.5 }, { kk: 3 }]) {
      expect(() => createTrainer(options({ variants: { s: { learner: 'logistic', smote } as never } }))).toThrow(
        /variants\.s\.smote/,
      );
    }
  });
});
