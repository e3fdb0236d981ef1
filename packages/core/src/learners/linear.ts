import { z } from 'zod';
import { TrainingError } from '../errors.js';
import type { Matrix } from '../types/matrix.js';
import type { Serial } from '../types/serial.js';
import {
  checkFitInput,
  checkSampleWeight,
  checkRow,
  checkRowFinite,
  notFitted,
  predictRows,
  readCoefState,
} from './check.js';
import { solveSpd } from './cholesky.js';
import type { FitOptions, Learner, LearnerState, LearnerTask } from './learner.js';
import { parseLearnerParams } from './params.js';
import type { LearnerDefinition } from './learner.js';

const paramsSchema = z
  .object({
    /** L2 penalty on the coefficients (not the intercept); 0 = ordinary least squares. */
    alpha: z.number().min(0).default(0),
    /** Whether to fit an intercept (columns are centred). */
    fitIntercept: z.boolean().default(true),
  })
  .strict();

/** Hyperparameters of the `linear` learner. */
export interface LinearParams {
  /** L2 penalty on the coefficients, not the intercept; default 0 (ordinary least squares). */
  alpha?: number;
  /** Whether to fit an intercept; default true. */
  fitIntercept?: boolean;
}

/**
 * Linear regression, OLS or ridge, in closed form: the centred normal equations `XᵀX w = Xᵀy`
 * are accumulated in one pass over the row-major matrix, skipping zero cells (so a few hundred
 * one-hot columns cost little), and solved with a Cholesky factorisation. Rank deficiency
 * (constant or collinear columns) falls back to a tiny ridge. Registered as kind `'linear'`.
 */
export class LinearLearner implements Learner {
  /** The registered kind, `'linear'`. */
  readonly kind = 'linear';
  /** The task, always `'regression'`. */
  readonly task: LearnerTask = 'regression';
  private readonly p: { alpha: number; fitIntercept: boolean };
  private coef: Float64Array | undefined;
  private intercept = 0;

  /** Builds an unfitted linear learner. */
  constructor(params: LinearParams = {}) {
    this.p = parseLearnerParams('linear', paramsSchema, params);
  }

  /** Rebuilds a fitted learner from {@link LinearLearner.toState} output. */
  static fromState(state: LearnerState): LinearLearner {
    const s = readCoefState('linear', state);
    const l = new LinearLearner(state.params as LinearParams);
    l.coef = s.coef;
    l.intercept = s.intercept;
    return l;
  }

  /** Fits the coefficients and intercept on `x` and `y` in closed form, honouring `options.sampleWeight`. */
  fit(x: Matrix, y: Float64Array, options: FitOptions = {}): void {
    checkFitInput('linear', x, y);
    const sw = checkSampleWeight('linear', options.sampleWeight, x.rows);
    const { rows: n, cols: p, data } = x;
    const fi = this.p.fitIntercept;
    // weighted column means, and a shift per column: the mean for dense columns, 0 for mostly-zero ones
    const mean = new Float64Array(p);
    const nonZero = new Int32Array(p);
    let yMean = 0;
    let wSum = 0;
    for (let i = 0; i < n; i++) {
      const r = i * p;
      const w = sw === undefined ? 1 : sw[i]!;
      for (let j = 0; j < p; j++) {
        const v = data[r + j]!;
        if (v !== 0) {
          mean[j]! += w * v;
          nonZero[j]!++;
        }
      }
      yMean += w * y[i]!;
      wSum += w;
    }
    if (!(wSum > 0))
      throw new TrainingError('INVALID_DATA', 'linear: the sample weights sum to zero', { operation: 'linear.fit' });
    for (let j = 0; j < p; j++) mean[j]! /= wSum;
    yMean = fi ? yMean / wSum : 0;
    const shift = new Float64Array(p);
    if (fi) for (let j = 0; j < p; j++) shift[j] = nonZero[j]! > n / 2 ? mean[j]! : 0;
    // accumulate S = Σ w (x - s)(x - s)ᵀ (upper triangle) and g = Σ w (x - s)(y - ȳ) over non-zero cells
    const a = new Float64Array(p * p);
    const g = new Float64Array(p);
    const idx = new Int32Array(p);
    const val = new Float64Array(p);
    for (let i = 0; i < n; i++) {
      const r = i * p;
      const w = sw === undefined ? 1 : sw[i]!;
      if (w === 0) continue;
      let k = 0;
      for (let j = 0; j < p; j++) {
        const v = data[r + j]! - shift[j]!;
        if (v !== 0) {
          idx[k] = j;
          val[k++] = v;
        }
      }
      const yc = w * (y[i]! - yMean);
      for (let u = 0; u < k; u++) {
        const ju = idx[u]!;
        const vu = val[u]!;
        const wv = w * vu;
        const row = ju * p;
        g[ju]! += vu * yc;
        for (let t = u; t < k; t++) a[row + idx[t]!]! += wv * val[t]!;
      }
    }
    if (fi) {
      // centre: C = S - W·d·dᵀ with d = mean - shift and W = Σ w
      for (let j = 0; j < p; j++) {
        const dj = mean[j]! - shift[j]!;
        if (dj === 0) continue;
        for (let k = j; k < p; k++) a[j * p + k]! -= wSum * dj * (mean[k]! - shift[k]!);
      }
    }
    for (let j = 0; j < p; j++) a[j * p + j]! += this.p.alpha;
    const coef = new Float64Array(p);
    solveSpd(a, g, p, coef);
    let b = yMean;
    if (fi) for (let j = 0; j < p; j++) b -= coef[j]! * mean[j]!;
    this.coef = coef;
    this.intercept = b;
  }

  /** Number of input features of the fitted learner (the length of its coefficients; `undefined` before fit). */
  get numFeatures(): number | undefined {
    return this.coef?.length;
  }

  /** Predicts one row: the intercept plus the dot product of the coefficients and `row`. */
  predictRow(row: Float64Array): number {
    const c = this.coef ?? notFitted('linear');
    if (!(row instanceof Float64Array) || row.length !== c.length) checkRow('linear', row, c.length);
    let s = this.intercept;
    for (let j = 0; j < c.length; j++) s += c[j]! * row[j]!;
    if (!Number.isFinite(s)) checkRowFinite('linear', row);
    return s;
  }

  /** Predicts every row of `x`. */
  predict(x: Matrix): Float64Array {
    const c = this.coef ?? notFitted('linear');
    return predictRows('linear', x, (row) => this.predictRow(row), c.length);
  }

  /** The fitted coefficients (one per feature column). */
  coefficients(): Float64Array {
    return (this.coef ?? notFitted('linear')).slice();
  }

  /** The fitted intercept. */
  interceptValue(): number {
    if (this.coef === undefined) notFitted('linear');
    return this.intercept;
  }

  /** The validated hyperparameters (`alpha`, `fitIntercept`), as data. */
  params(): { readonly [key: string]: Serial } {
    return { ...this.p };
  }

  /** The fitted state: a copy of the coefficients and the intercept. */
  toState(): LearnerState {
    const coef = this.coef ?? notFitted('linear');
    return { kind: 'linear', params: this.params(), state: { coef: coef.slice(), intercept: this.intercept } };
  }
}

/** The registry entry of the `linear` learner (OLS / ridge regression). */
export const linearLearner: LearnerDefinition = {
  kind: 'linear',
  tasks: ['regression'],
  description: 'OLS / ridge linear regression, closed form (Cholesky)',
  create: (params) => new LinearLearner(params as LinearParams),
  restore: (state) => LinearLearner.fromState(state),
};
