import { z } from 'zod';
import { TrainingError } from '../errors.js';
import type { Matrix } from '../types/matrix.js';
import type { Serial } from '../types/serial.js';
import {
  checkFitInput,
  checkSampleWeight,
  checkRow,
  checkRowFinite,
  classCount,
  notFitted,
  predictRows,
} from './check.js';
import { minimizeLbfgs } from './lbfgs.js';
import type { FitOptions, Learner, LearnerState, LearnerTask } from './learner.js';
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
  readonly kind = 'logistic';
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

  /** Rebuilds a fitted learner from {@link LogisticLearner.toState} output. */
  static fromState(state: LearnerState): LogisticLearner {
    const s = state.state as {
      weights?: unknown;
      center?: unknown;
      scale?: unknown;
      numClasses?: unknown;
      numFeatures?: unknown;
    };
    if (
      !(s?.weights instanceof Float64Array) ||
      !(s.center instanceof Float64Array) ||
      !(s.scale instanceof Float64Array) ||
      typeof s.numClasses !== 'number' ||
      typeof s.numFeatures !== 'number' ||
      s.weights.length !== s.numClasses * (s.numFeatures + 1)
    ) {
      throw new TrainingError(
        'INVALID_DATA',
        'logistic: state needs weights, center, scale (Float64Array), numClasses and numFeatures',
        {
          operation: 'restoreLearner',
        },
      );
    }
    const l = new LogisticLearner(state.params as LogisticParams);
    l.w = s.weights;
    l.center = s.center;
    l.scale = s.scale;
    l.k = s.numClasses;
    l.d = s.numFeatures;
    l.scratch = new Float64Array(l.k);
    return l;
  }

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

  predictProbaRow(row: Float64Array): Float64Array {
    return this.proba(row, new Float64Array(this.k || 1));
  }

  predictRow(row: Float64Array): number {
    const p = this.proba(row, this.scratch);
    let best = 0;
    for (let c = 1; c < this.k; c++) if (p[c]! > p[best]!) best = c;
    return best;
  }

  predict(x: Matrix): Float64Array {
    if (!this.w) notFitted('logistic');
    return predictRows('logistic', x, (row) => this.predictRow(row), this.d);
  }

  params(): { readonly [key: string]: Serial } {
    return { ...this.p };
  }

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
