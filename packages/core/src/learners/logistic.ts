import { z } from 'zod';
import { TrainingError, ValidationError } from '../errors.js';
import type { Matrix } from '../types/matrix.js';
import type { Serial } from '../types/serial.js';
import {
  checkFitInput,
  checkSampleWeight,
  checkRow,
  checkRowFinite,
  classCount,
  firstNonFinite,
  invalidState,
  notFitted,
  predictRows,
} from './check.js';
import { minimizeLbfgs } from './lbfgs.js';
import type { FitOptions, Learner, LearnerExplanation, LearnerState, LearnerTask } from './learner.js';
import { parseLearnerParams } from './params.js';
import type { LearnerDefinition } from './learner.js';

const paramsSchema = z
  .object({
    C: z.number().positive().default(1),
    maxIterations: z.number().int().positive().default(500),
    tolerance: z.number().positive().default(1e-6),
    standardize: z.boolean().default(true),
  })
  .strict();

/** Hyperparameters of the `logistic` learner. */
export interface LogisticParams {
  /** Inverse L2 strength as in scikit-learn: the objective is Σ log-loss + ‖W‖² / (2C); default 1. */
  C?: number;
  /** Maximum L-BFGS iterations; default 500. */
  maxIterations?: number;
  /** Stop when every gradient component is below this; default 1e-6. */
  tolerance?: number;
  /** Standardise features internally (mean 0, sd 1) before fitting; default true. */
  standardize?: boolean;
}

/**
 * Multinomial (softmax) logistic regression with an L2 penalty, fitted with L-BFGS from zero
 * weights, so it is deterministic. Features are standardised internally by default (the penalty
 * then applies to standardised coefficients). Registered as kind `'logistic'`.
 */
export class LogisticLearner implements Learner {
  /** The registered kind, `'logistic'`. */
  readonly kind = 'logistic';
  /** The task, always `'classification'`. */
  readonly task: LearnerTask = 'classification';
  private readonly p: { C: number; maxIterations: number; tolerance: number; standardize: boolean };
  private k = 0;
  private d = 0;
  /** weights: k × (d + 1), row-major, bias last; over standardised inputs */
  private w: Float64Array | undefined;
  private center: Float64Array | undefined;
  private scale: Float64Array | undefined;
  private scratch = new Float64Array(0);

  /** Builds an unfitted logistic learner. */
  constructor(params: LogisticParams = {}) {
    this.p = parseLearnerParams('logistic', paramsSchema, params);
  }

  /** Rebuilds a fitted learner from {@link LogisticLearner.toState} output; every length and count must agree. */
  static fromState(state: LearnerState): LogisticLearner {
    const s = state?.state as
      | { weights?: unknown; center?: unknown; scale?: unknown; numClasses?: unknown; numFeatures?: unknown }
      | null
      | undefined;
    if (
      !(s?.weights instanceof Float64Array) ||
      !(s.center instanceof Float64Array) ||
      !(s.scale instanceof Float64Array) ||
      typeof s.numClasses !== 'number' ||
      typeof s.numFeatures !== 'number'
    ) {
      throw new TrainingError(
        'INVALID_DATA',
        'logistic: state needs weights, center, scale (Float64Array), numClasses and numFeatures',
        {
          operation: 'restoreLearner',
        },
      );
    }
    const { weights, center, scale, numClasses: k, numFeatures: d } = s;
    if (!Number.isInteger(k) || k < 2) invalidState('logistic', 'numClasses', `expected an integer >= 2, got ${k}`);
    if (!Number.isInteger(d) || d < 0) invalidState('logistic', 'numFeatures', `expected an integer >= 0, got ${d}`);
    if (weights.length !== k * (d + 1)) {
      invalidState(
        'logistic',
        'weights',
        `expected numClasses × (numFeatures + 1) = ${k} × ${d + 1} = ${k * (d + 1)} values, got ${weights.length}`,
      );
    }
    if (center.length !== d)
      invalidState('logistic', 'center', `expected ${d} values (numFeatures), got ${center.length}`);
    if (scale.length !== d)
      invalidState('logistic', 'scale', `expected ${d} values (numFeatures), got ${scale.length}`);
    for (const [field, a] of [
      ['weights', weights],
      ['center', center],
      ['scale', scale],
    ] as const) {
      const i = firstNonFinite(a);
      if (i >= 0) invalidState('logistic', `${field}[${i}]`, `expected a finite number, got ${a[i]}`);
    }
    const zero = scale.indexOf(0);
    if (zero >= 0) invalidState('logistic', `scale[${zero}]`, 'expected a non-zero number, got 0');
    const l = new LogisticLearner(state.params as LogisticParams);
    l.w = weights;
    l.center = center;
    l.scale = scale;
    l.k = k;
    l.d = d;
    l.scratch = new Float64Array(l.k);
    return l;
  }

  /** Number of input features of the fitted learner (`undefined` before fit). */
  get numFeatures(): number | undefined {
    return this.w === undefined ? undefined : this.d;
  }

  /** Number of classes of the fitted learner (`undefined` before fit). */
  get numClasses(): number | undefined {
    return this.w === undefined ? undefined : this.k;
  }

  /** Fits the weights on `x` and the class indices `y` with L-BFGS (at least two classes). */
  fit(x: Matrix, y: Float64Array, options: FitOptions = {}): void {
    checkFitInput('logistic', x, y, true, options.numClasses);
    const sw = checkSampleWeight('logistic', options.sampleWeight, x.rows);
    const k = Math.max(2, classCount(y, options.numClasses));
    const { rows: n, cols: d } = x;
    const center = new Float64Array(d);
    const scale = new Float64Array(d).fill(1);
    if (this.p.standardize) {
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) center[j]! += x.data[i * d + j]!;
      for (let j = 0; j < d; j++) center[j]! /= n;
      const ss = new Float64Array(d);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < d; j++) {
          const v = x.data[i * d + j]! - center[j]!;
          ss[j]! += v * v;
        }
      for (let j = 0; j < d; j++) {
        const sd = Math.sqrt(ss[j]! / n);
        scale[j] = sd > 0 ? sd : 1;
      }
    }
    const xs = new Float64Array(n * d);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++) xs[i * d + j] = (x.data[i * d + j]! - center[j]!) / scale[j]!;
    const stride = d + 1;
    const lambda = 1 / this.p.C;
    const logits = new Float64Array(k);
    const fg = (w: Float64Array, grad: Float64Array): number => {
      grad.fill(0);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const r = i * d;
        let max = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < k; c++) {
          const wc = c * stride;
          let s = w[wc + d]!;
          for (let j = 0; j < d; j++) s += w[wc + j]! * xs[r + j]!;
          logits[c] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let c = 0; c < k; c++) {
          logits[c] = Math.exp(logits[c]! - max);
          sum += logits[c]!;
        }
        const yi = y[i]!;
        const wi = sw === undefined ? 1 : sw[i]!;
        loss += wi * (Math.log(sum) - Math.log(logits[yi]!));
        for (let c = 0; c < k; c++) {
          const coefErr = wi * (logits[c]! / sum - (c === yi ? 1 : 0));
          const wc = c * stride;
          for (let j = 0; j < d; j++) grad[wc + j]! += coefErr * xs[r + j]!;
          grad[wc + d]! += coefErr;
        }
      }
      for (let c = 0; c < k; c++)
        for (let j = 0; j < d; j++) {
          const v = w[c * stride + j]!;
          loss += 0.5 * lambda * v * v;
          grad[c * stride + j]! += lambda * v;
        }
      return loss;
    };
    const w = new Float64Array(k * stride);
    minimizeLbfgs(fg, w, { maxIterations: this.p.maxIterations, tolerance: this.p.tolerance });
    this.w = w;
    this.center = center;
    this.scale = scale;
    this.k = k;
    this.d = d;
    this.scratch = new Float64Array(k);
  }

  /** Writes the class probabilities of `row` into `out` (length numClasses). */
  private proba(row: Float64Array, out: Float64Array): Float64Array {
    const w = this.w ?? notFitted('logistic');
    const { k, d } = this;
    if (!(row instanceof Float64Array) || row.length !== d) checkRow('logistic', row, d);
    const c0 = this.center!;
    const sc = this.scale!;
    const stride = d + 1;
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const wc = c * stride;
      let s = w[wc + d]!;
      for (let j = 0; j < d; j++) s += w[wc + j]! * ((row[j]! - c0[j]!) / sc[j]!);
      out[c] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) {
      out[c] = Math.exp(out[c]! - max);
      sum += out[c]!;
    }
    if (!Number.isFinite(sum)) checkRowFinite('logistic', row);
    for (let c = 0; c < k; c++) out[c]! /= sum;
    return out;
  }

  /**
   * Exact linear SHAP of one row in the per-class margin (logit) space: contribution
   * `w[c][j] · (x[j] − mean[j]) / sd[j]` and expected value the intercept (the margin at the
   * training means), which the state keeps when fitted with `standardize` (the default); without it,
   * ValidationError `NOT_EXPLAINABLE`. Assumes independent features, as shap's LinearExplainer.
   */
  explainRow(row: Float64Array): LearnerExplanation {
    const w = this.w ?? notFitted('logistic');
    if (!this.p.standardize) {
      throw new ValidationError(
        'NOT_EXPLAINABLE',
        "explain: learner kind 'logistic' fitted with standardize: false keeps no training means to explain against",
        { operation: 'logistic.explain', details: { learner: 'logistic' } },
      );
    }
    const { k, d } = this;
    if (!(row instanceof Float64Array) || row.length !== d) checkRow('logistic', row, d);
    const c0 = this.center!;
    const sc = this.scale!;
    const stride = d + 1;
    const expectedValue = new Float64Array(k);
    const values = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      expectedValue[c] = w[c * stride + d]!;
      for (let j = 0; j < d; j++) values[c * d + j] = w[c * stride + j]! * ((row[j]! - c0[j]!) / sc[j]!);
    }
    return { method: 'linear-shap', space: 'margin', expectedValue, values };
  }

  /** Class probabilities of one row (softmax of the logits; a new array). */
  predictProbaRow(row: Float64Array): Float64Array {
    return this.proba(row, new Float64Array(this.k || 1));
  }

  /** Predicts one row: the most probable class index. */
  predictRow(row: Float64Array): number {
    const p = this.proba(row, this.scratch);
    let best = 0;
    for (let c = 1; c < this.k; c++) if (p[c]! > p[best]!) best = c;
    return best;
  }

  /** Predicts the class index of every row of `x`. */
  predict(x: Matrix): Float64Array {
    if (!this.w) notFitted('logistic');
    return predictRows('logistic', x, (row) => this.predictRow(row), this.d);
  }

  /** The validated hyperparameters (`C`, `maxIterations`, `tolerance`, `standardize`), as data. */
  params(): { readonly [key: string]: Serial } {
    return { ...this.p };
  }

  /** The fitted state: a copy of the weights, centring and scaling, and the class and feature counts. */
  toState(): LearnerState {
    const w = this.w ?? notFitted('logistic');
    return {
      kind: 'logistic',
      params: this.params(),
      state: {
        weights: w.slice(),
        center: this.center!.slice(),
        scale: this.scale!.slice(),
        numClasses: this.k,
        numFeatures: this.d,
      },
    };
  }
}

/** The registry entry of the `logistic` learner (multinomial logistic regression). */
export const logisticLearner: LearnerDefinition = {
  kind: 'logistic',
  tasks: ['classification'],
  description: 'multinomial logistic regression with L2, L-BFGS',
  create: (params) => new LogisticLearner(params as LogisticParams),
  restore: (state) => LogisticLearner.fromState(state),
};
