import type { TreesMatrix } from '../src/index.js';

/** A deterministic pseudo-random stream for test data. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** y = 3·x0 + sin(3·x1) + noise·N; x2 is pure noise, x3 is constant. */
export function regressionData(n: number, seed = 1, noise = 0.1): { x: TreesMatrix; y: Float64Array } {
  const r = lcg(seed);
  const cols = 4;
  const data = new Float64Array(n * cols);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = r() * 2 - 1;
    const b = r() * 2 - 1;
    data.set([a, b, r(), 7], i * cols);
    y[i] = 3 * a + Math.sin(3 * b) + noise * (r() - 0.5);
  }
  return { x: { data, rows: n, cols }, y };
}

/** Three classes split by x0 (with a little overlap); x1 noise. */
export function classData(n: number, seed = 2, K = 3): { x: TreesMatrix; y: Float64Array } {
  const r = lcg(seed);
  const data = new Float64Array(n * 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % K;
    data[i * 2] = c + r() * 1.2;
    data[i * 2 + 1] = r();
    y[i] = c;
  }
  return { x: { data, rows: n, cols: 2 }, y };
}

/** R² of predictions. */
export function r2(y: ArrayLike<number>, p: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < y.length; i++) m += y[i]!;
  m /= y.length;
  let a = 0;
  let b = 0;
  for (let i = 0; i < y.length; i++) {
    a += (y[i]! - p[i]!) ** 2;
    b += (y[i]! - m) ** 2;
  }
  return 1 - a / b;
}

/** Fraction of equal entries. */
export function accuracy(y: ArrayLike<number>, p: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === p[i]) ok++;
  return ok / y.length;
}
