/** Result of {@link minimizeLbfgs}. */
export interface LbfgsResult {
  /** Number of iterations run. */
  iterations: number;
  /** Final objective value. */
  value: number;
  /** True when the gradient tolerance was reached. */
  converged: boolean;
}

/**
 * Minimises a smooth function with limited-memory BFGS and a backtracking (Armijo) line search.
 * Deterministic: no randomness. `fg(w, grad)` writes the gradient and returns the value; `w` is
 * updated in place.
 */
export function minimizeLbfgs(
  fg: (w: Float64Array, grad: Float64Array) => number,
  w: Float64Array,
  options: { maxIterations?: number; tolerance?: number; memory?: number } = {},
): LbfgsResult {
  const maxIt = options.maxIterations ?? 500;
  const tol = options.tolerance ?? 1e-6;
  const m = options.memory ?? 10;
  const n = w.length;
  const g = new Float64Array(n);
  const gNew = new Float64Array(n);
  const wNew = new Float64Array(n);
  const d = new Float64Array(n);
  const sHist: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(m);
  let f = fg(w, g);
  let it = 0;
  for (; it < maxIt; it++) {
    let gmax = 0;
    for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(g[i]!));
    if (gmax <= tol) return { iterations: it, value: f, converged: true };
    // two-loop recursion: d = -H g
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    const k = sHist.length;
    for (let h = k - 1; h >= 0; h--) {
      const a = rho[h]! * dot(sHist[h]!, d);
      alpha[h] = a;
      axpy(-a, yHist[h]!, d);
    }
    if (k > 0) {
      const gamma = dot(sHist[k - 1]!, yHist[k - 1]!) / dot(yHist[k - 1]!, yHist[k - 1]!);
      for (let i = 0; i < n; i++) d[i]! *= gamma;
    } else {
      const gn = Math.sqrt(dot(g, g));
      for (let i = 0; i < n; i++) d[i]! /= Math.max(1, gn);
    }
    for (let h = 0; h < k; h++) {
      const b = rho[h]! * dot(yHist[h]!, d);
      axpy(alpha[h]! - b, sHist[h]!, d);
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // not a descent direction: reset to steepest descent
      for (let i = 0; i < n; i++) d[i] = -g[i]!;
      slope = dot(g, d);
      sHist.length = yHist.length = rho.length = 0;
    }
    let step = 1;
    let fNew = Number.POSITIVE_INFINITY;
    for (let ls = 0; ls < 60; ls++) {
      for (let i = 0; i < n; i++) wNew[i] = w[i]! + step * d[i]!;
      fNew = fg(wNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew <= f)) return { iterations: it, value: f, converged: false };
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = wNew[i]! - w[i]!;
      y[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      if (sHist.length === m) {
        sHist.shift();
        yHist.shift();
        rho.shift();
      }
      sHist.push(s);
      yHist.push(y);
      rho.push(1 / sy);
    }
    const rel = Math.abs(f - fNew) / Math.max(1, Math.abs(f));
    w.set(wNew);
    g.set(gNew);
    f = fNew;
    if (rel < 1e-14) return { iterations: it + 1, value: f, converged: true };
  }
  return { iterations: it, value: f, converged: false };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i]! += a * x[i]!;
}
