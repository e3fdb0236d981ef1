/**
 * Special functions: log-gamma and log-beta, the regularized incomplete gamma functions, the
 * error function and the normal and chi-squared distributions. One implementation of each, shared
 * by the evaluator (core) and the drift tests; about 1e-13 relative accuracy in the usual range
 * (checked against mpmath and scipy in `test/special-functions.test.ts`).
 */

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** Lanczos coefficients for g = 671/128, n = 14 (Numerical Recipes, 3rd ed., `gammln`). */
const LANCZOS = [
  57.1562356658629235, -59.5979603554754912, 14.1360979747417471, -0.491913816097620199, 0.339946499848118887e-4,
  0.465236289270485756e-4, -0.983744753048795646e-4, 0.158088703224912494e-3, -0.210264441724104883e-3,
  0.217439618115212643e-3, -0.16431810653676389e-3, 0.844182239838527433e-4, -0.261908384015814087e-4,
  0.368991826595316234e-5,
];

/**
 * The natural log of |Γ(x)| (Lanczos, g = 671/128): `+Infinity` at 0 and the negative integers,
 * `NaN` for `NaN`; negative non-integers by the reflection formula (as scipy's `gammaln`).
 */
export function logGamma(x: number): number {
  if (!(x > 0)) {
    if (Number.isNaN(x)) return Number.NaN;
    if (Number.isInteger(x)) return Infinity;
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  if (x === 1 || x === 2) return 0;
  if (x === Infinity) return Infinity;
  let y = x;
  const tmp0 = x + 5.2421875;
  const tmp = (x + 0.5) * Math.log(tmp0) - tmp0;
  let ser = 0.999999999999997092;
  for (let j = 0; j < 14; j++) ser += LANCZOS[j]! / ++y;
  return tmp + Math.log((2.5066282746310005 * ser) / x);
}

/**
 * The Stirling correction `ln Γ(x) − ((x − ½) ln x − x + ½ ln 2π)` by its asymptotic series
 * Σ B₂ₖ / (2k (2k − 1) x²ᵏ⁻¹), k = 1…8 (below 1e-17 absolute error for x ≥ 10; do not use it below 10).
 */
export function stirlingCorrection(x: number): number {
  const rx = 1 / x;
  const t = rx / x;
  let poly = -2.955065359477124183e-2; // −3617/122400 (Horner, highest order first)
  poly = poly * t + 6.4102564102564102564e-3; // 1/156
  poly = poly * t - 1.9175269175269175269e-3; // −691/360360
  poly = poly * t + 8.4175084175084175084e-4; // 1/1188
  poly = poly * t - 5.952380952380952381e-4; // −1/1680
  poly = poly * t + 7.9365079365079365079e-4; // 1/1260
  poly = poly * t - 2.7777777777777777778e-3; // −1/360
  poly = poly * t + 8.3333333333333333333e-2; // 1/12
  return rx * poly;
}

/**
 * The natural log of the beta function B(a, b) for a, b ≥ 0, without the cancellation of
 * `lnΓ(a) + lnΓ(b) − lnΓ(a + b)` when an argument is large (R's `lbeta`).
 */
export function logBeta(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.NaN;
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (p < 0) return Number.NaN;
  if (p === 0) return Infinity;
  if (q === Infinity) return -Infinity;
  const pq = p + q;
  if (p >= 10) {
    const r = p / pq;
    const corr = stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(pq);
    return -0.5 * Math.log(q) + LN_SQRT_2PI + corr + (p - 0.5) * Math.log(r) + q * Math.log1p(-r);
  }
  if (q >= 10) {
    const corr = stirlingCorrection(q) - stirlingCorrection(pq);
    return logGamma(p) + corr + p - p * Math.log(pq) + (q - 0.5) * Math.log1p(-p / pq);
  }
  return logGamma(p) + (logGamma(q) - logGamma(p + q));
}

/** The natural log of the binomial coefficient C(n, k) for 0 ≤ k ≤ n (real n and k allowed). */
export function logBinomial(n: number, k: number): number {
  if (k === 0 || k === n) return 0;
  return -Math.log(n + 1) - logBeta(n - k + 1, k + 1);
}

const EPS = 1e-16;
const FPMIN = 1e-300;

/**
 * The prefactor xᵃ e⁻ˣ / Γ(a) in log space; for a ≥ 10 through the Stirling correction, so the
 * large terms a ln x and ln Γ(a) never cancel (Q(10⁴, 1.05·10⁴) to 1e-13 instead of 1e-11).
 */
function prefactor(a: number, x: number): number {
  if (a < 10) return Math.exp(-x + a * Math.log(x) - logGamma(a));
  const d = x - a;
  const main = x > 0.5 * a && x < 2 * a ? a * Math.log1p(d / a) - d : a * Math.log(x / a) - d;
  return Math.exp(main + 0.5 * Math.log(a) - LN_SQRT_2PI - stirlingCorrection(a));
}

/** Series for P(a, x), converges for x < a + 1. */
function seriesP(a: number, x: number): number {
  let ap = a;
  let del = 1 / a;
  let sum = del;
  const maxIter = 10_000 + 10 * Math.ceil(Math.sqrt(a));
  for (let i = 0; i < maxIter; i++) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (Math.abs(del) < Math.abs(sum) * EPS) break;
  }
  return sum * prefactor(a, x);
}

/** Continued fraction (modified Lentz) for Q(a, x), converges for x ≥ a + 1. */
function continuedFractionQ(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  const maxIter = 10_000 + 10 * Math.ceil(Math.sqrt(a));
  for (let i = 1; i < maxIter; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return prefactor(a, x) * h;
}

/** The regularized lower incomplete gamma function P(a, x) (scipy's `gammainc`); `NaN` unless a > 0 and x ≥ 0. */
export function gammaP(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return Number.NaN;
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? seriesP(a, x) : 1 - continuedFractionQ(a, x);
}

/** The regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x) (scipy's `gammaincc`); `NaN` unless a > 0 and x ≥ 0. */
export function gammaQ(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return Number.NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - seriesP(a, x) : continuedFractionQ(a, x);
}

/** The survival function P(X > x) of the chi-squared distribution with `df` degrees of freedom (1 for x ≤ 0). */
export function chiSquaredSf(x: number, df: number): number {
  if (x <= 0) return 1;
  return gammaQ(df / 2, x / 2);
}

/** The error function erf(x) = P(½, x²) with the sign of x (relative accuracy also near 0). */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const p = gammaP(0.5, x * x);
  return x < 0 ? -p : p;
}

/** The complementary error function erfc(x) = 1 − erf(x) (relative accuracy also in the far tail). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  return x >= 0 ? gammaQ(0.5, x * x) : 1 + gammaP(0.5, x * x);
}

/** The standard normal cumulative distribution function Φ(z) = P(Z ≤ z) (relative accuracy in both tails). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  // Φ(z) = ½ erfc(−z/√2) = ½ Q(½, z²/2) for z < 0; z·z·0.5 rounds once where (z/√2)² rounds twice.
  const h = z * z * 0.5;
  return z < 0 ? 0.5 * gammaQ(0.5, h) : 0.5 + 0.5 * gammaP(0.5, h);
}

/** The survival function of the standard normal distribution, P(Z > z) = Φ(−z). */
export function normalSf(z: number): number {
  return normalCdf(-z);
}

const QA = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const QB = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const QC = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const QD = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** Acklam's rational approximation of Φ⁻¹(p) for 0 < p ≤ ½ (relative error < 1.2e-9). */
function acklamLower(p: number): number {
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((QC[0]! * q + QC[1]!) * q + QC[2]!) * q + QC[3]!) * q + QC[4]!) * q + QC[5]!) /
      ((((QD[0]! * q + QD[1]!) * q + QD[2]!) * q + QD[3]!) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((QA[0]! * r + QA[1]!) * r + QA[2]!) * r + QA[3]!) * r + QA[4]!) * r + QA[5]!) * q) /
    (((((QB[0]! * r + QB[1]!) * r + QB[2]!) * r + QB[3]!) * r + QB[4]!) * r + 1)
  );
}

/**
 * The inverse Φ⁻¹(p) of the standard normal CDF: Acklam's approximation refined by one Halley
 * step on {@link normalCdf} (about 1e-15 relative; 1e-9 below p = 1e-300); ±Infinity at 0 and 1.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : Number.NaN;
  // 1 − p is exact for p ≥ ½, so the lower half serves both by symmetry.
  if (p > 0.5) return -normalQuantile(1 - p);
  const x = acklamLower(p);
  if (p < 1e-300) return x; // e^{x²/2} would overflow
  const u = (normalCdf(x) - p) * SQRT_2PI * Math.exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}
