/**
 * Solves `A w = b` for a symmetric positive semi-definite `A` (p × p, row-major, only the upper
 * triangle is read) with a Cholesky factorisation. When a pivot is not clearly positive (rank
 * deficiency, e.g. a constant or duplicated one-hot column) it retries with a tiny ridge
 * (1e-10, 1e-8, … × the mean diagonal), which drives the coefficients of redundant columns
 * towards the minimum-norm solution. Returns the ridge that was finally added.
 */
export function solveSpd(a: Float64Array, b: Float64Array, p: number, out: Float64Array): number {
  let meanDiag = 0;
  for (let j = 0; j < p; j++) meanDiag += a[j * p + j]!;
  meanDiag = p > 0 ? meanDiag / p : 0;
  if (!(meanDiag > 0)) meanDiag = 1;
  const l = new Float64Array(p * p);
  for (const jitter of [0, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2]) {
    const added = jitter * meanDiag;
    if (choleskyInPlace(a, p, added, l)) {
      substitute(l, b, p, out);
      return added;
    }
  }
  out.fill(0);
  return Number.NaN;
}

/** Factorises `A + ridge·I = L Lᵀ` into `l` (lower, row-major); false when a pivot is not positive. */
function choleskyInPlace(a: Float64Array, p: number, ridge: number, l: Float64Array): boolean {
  l.fill(0);
  for (let j = 0; j < p; j++) {
    const rj = j * p;
    let s = a[rj + j]! + ridge;
    for (let k = 0; k < j; k++) s -= l[rj + k]! * l[rj + k]!;
    const tol = 1e-12 * (Math.abs(a[rj + j]!) + ridge) + 1e-300;
    if (!(s > tol)) return false;
    const d = Math.sqrt(s);
    l[rj + j] = d;
    for (let i = j + 1; i < p; i++) {
      const ri = i * p;
      let t = a[rj + i]!; // upper triangle: A[j][i]
      for (let k = 0; k < j; k++) t -= l[ri + k]! * l[rj + k]!;
      l[ri + j] = t / d;
    }
  }
  return true;
}

/** Solves L Lᵀ w = b. */
function substitute(l: Float64Array, b: Float64Array, p: number, out: Float64Array): void {
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i]!;
    const ri = i * p;
    for (let k = 0; k < i; k++) s -= l[ri + k]! * z[k]!;
    z[i] = s / l[ri + i]!;
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < p; k++) s -= l[k * p + i]! * out[k]!;
    out[i] = s / l[i * p + i]!;
  }
}
